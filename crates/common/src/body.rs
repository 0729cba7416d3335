//! Reading httpbin's `/uuid` answer: `{"uuid": "…"}`.

use uuid::Uuid;

use crate::error::{FetchError, cut};

/// The most of a body any client reads: a `/uuid` body is 53 bytes, and a server that sends
/// more than 64 KiB is not the one we meant to ask (nor one we let fill our memory).
pub const MAX_BODY: u64 = 64 * 1024;

/// The body of a reqwest response as text, read a piece at a time and never more than
/// [`MAX_BODY`] bytes: `response.text()` would read all of a 10 GB answer. An error status
/// (4xx, 5xx) is [`FetchError::Status`] and its body is not read, as ureq's `call()` does.
#[cfg(feature = "reqwest")]
pub async fn read_body(response: reqwest::Response) -> Result<String, FetchError> {
    let mut response = response.error_for_status()?;
    let mut body = Vec::new();
    while let Some(piece) = response.chunk().await? {
        if (body.len() + piece.len()) as u64 > MAX_BODY {
            return Err(FetchError::Body(format!(
                "body is larger than {MAX_BODY} bytes"
            )));
        }
        body.extend_from_slice(&piece);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The body of a ureq response as text, never more than [`MAX_BODY`] bytes of it: the blocking
/// twin of [`read_body`].
#[cfg(feature = "ureq")]
pub fn read_body_blocking(
    mut response: ureq::http::Response<ureq::Body>,
) -> Result<String, FetchError> {
    let body = response.body_mut().with_config().limit(MAX_BODY);
    Ok(body.read_to_string()?)
}

/// Takes the UUID out of a `/uuid` body, or says what is wrong with the body.
pub fn parse_uuid(body: &str) -> Result<Uuid, FetchError> {
    #[derive(serde::Deserialize)]
    struct Answer {
        uuid: Uuid,
    }
    // An answer as httpbin sends it is read straight into its `uuid` field; any other body is
    // read again below, as plain JSON, to say what is wrong with it.
    if let Ok(Answer { uuid }) = serde_json::from_str(body) {
        return Ok(uuid);
    }
    if body.trim().is_empty() {
        return Err(FetchError::Body(
            r#"empty body, expected {"uuid": …}"#.into(),
        ));
    }
    let json: serde_json::Value = serde_json::from_str(body)
        .map_err(|_| FetchError::Body(format!("body is not JSON: {}", snippet(body))))?;
    let text = json
        .get("uuid")
        .and_then(|value| value.as_str())
        .ok_or_else(|| FetchError::Body(format!(r#"no "uuid" text in {}"#, snippet(body))))?;
    Uuid::parse_str(text)
        .map_err(|_| FetchError::Body(format!(r#""uuid" is not a UUID: {}"#, snippet(text))))
}

/// The start of a body, quoted, so a huge or binary one still gives a short message.
fn snippet(text: &str) -> String {
    let (start, more) = cut(text, 40);
    format!("{start:?}{more}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn httpbin_body() {
        let body = "{\n  \"uuid\": \"0b7e3b6a-7e44-4b6a-9d3b-2f3f8e1c5a10\"\n}\n";
        assert_eq!(
            parse_uuid(body).unwrap().to_string(),
            "0b7e3b6a-7e44-4b6a-9d3b-2f3f8e1c5a10"
        );
    }

    #[test]
    fn bodies_that_are_not_a_uuid_say_why() {
        let cases = [
            ("", "empty body"),
            ("<html>502 Bad Gateway</html>", "not JSON"),
            (r#"{"args": {}}"#, r#"no "uuid""#),
            (r#"{"uuid": 7}"#, r#"no "uuid""#),
            (r#"{"uuid": "nope"}"#, "not a UUID"),
        ];
        for (body, expected) in cases {
            let err = parse_uuid(body).unwrap_err().to_string();
            assert!(err.contains(expected), "{body:?} gave {err:?}");
        }
    }

    proptest::proptest! {
        /// Whatever a server sends — any text at all — is a UUID or a reason, never a panic.
        #[test]
        fn any_body_gives_a_uuid_or_a_reason(body in proptest::prelude::any::<String>()) {
            let _ = parse_uuid(&body);
        }

        /// Bodies that nearly are httpbin's: the same shape, any text where the UUID goes.
        #[test]
        fn nearly_httpbin_bodies_give_a_uuid_or_a_reason(text in "[ -~]{0,60}") {
            let _ = parse_uuid(&format!("{{\n  \"uuid\": \"{text}\"\n}}\n"));
            let _ = parse_uuid(&format!(r#"{{"uuid": {text}}}"#));
        }

        /// Every body httpbin can send, for any UUID, gives that UUID back.
        #[test]
        fn every_httpbin_body_parses(bits in proptest::prelude::any::<u128>()) {
            let uuid = Uuid::from_u128(bits);
            let body = format!("{{\n  \"uuid\": \"{uuid}\"\n}}\n");
            proptest::prop_assert_eq!(parse_uuid(&body), Ok(uuid));
        }
    }

    #[test]
    fn long_bodies_are_cut_in_messages() {
        let err = parse_uuid(&"x".repeat(10_000)).unwrap_err().to_string();
        assert!(err.len() < 100, "{err}");
    }
}
