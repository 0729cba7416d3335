//! Reading httpbin's `/uuid` answer: `{"uuid": "…"}`.

use uuid::Uuid;

use crate::error::FetchError;

/// Takes the UUID out of a `/uuid` body, or says what is wrong with the body.
pub fn parse_uuid(body: &str) -> Result<Uuid, FetchError> {
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
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
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

    #[test]
    fn long_bodies_are_cut_in_messages() {
        let err = parse_uuid(&"x".repeat(10_000)).unwrap_err().to_string();
        assert!(err.len() < 100, "{err}");
    }
}
