//! Reading an HTTP/1.1 response from the bytes received so far: is it complete yet, and if so,
//! what are its status and body? A plain function of bytes, with no socket in sight, so the
//! tests can feed it a response cut at every possible byte.

use common::FetchError;

/// A complete response: all we keep of it.
#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// `Ok(None)` means "not complete yet: read more". `closed` says the server has closed the
/// connection, which is how a body with neither a `Content-Length` nor chunks ends.
pub fn parse(bytes: &[u8], closed: bool) -> Result<Option<Response>, FetchError> {
    let Some(head_end) = find(bytes, b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&bytes[..head_end])
        .map_err(|_| FetchError::Network("the response head is not text".into()))?;
    let rest = &bytes[head_end + 4..];
    let mut lines = head.split("\r\n");
    let status = status(lines.next().unwrap_or_default())?;
    // 1xx answers (103 Early Hints, say) are interim: the real one follows them.
    if (100..200).contains(&status) {
        return parse(rest, closed);
    }
    let (mut chunked, mut length) = (false, None);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(FetchError::Network(format!("bad header line {line:?}")));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().ends_with("chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            let bad = || FetchError::Network(format!("bad Content-Length {value:?}"));
            length = Some(value.parse::<usize>().map_err(|_| bad())?);
        }
    }
    // How the body ends: chunks say so themselves (and win over a Content-Length, as the
    // RFC says), a Content-Length counts bytes, and otherwise the server closes.
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(length) = length {
        rest.get(..length).map(<[u8]>::to_vec)
    } else {
        closed.then(|| rest.to_vec())
    };
    Ok(body.map(|body| Response { status, body }))
}

/// `HTTP/1.1 200 OK` → 200.
fn status(line: &str) -> Result<u16, FetchError> {
    let mut words = line.split(' ');
    match (words.next(), words.next().map(str::parse)) {
        (Some(version), Some(Ok(code))) if version.starts_with("HTTP/1.") => Ok(code),
        _ => Err(FetchError::Network(format!(
            "not an HTTP/1.x response: {:?}",
            line.chars().take(40).collect::<String>()
        ))),
    }
}

/// The chunked transfer coding: `<size in hex>[;extension]\r\n<data>\r\n`, repeated, then
/// `0\r\n`, optional trailer lines, and an empty line. `Ok(None)` while it is incomplete.
fn dechunk(mut bytes: &[u8]) -> Result<Option<Vec<u8>>, FetchError> {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(bytes, b"\r\n") else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&bytes[..line_end]);
        let hex = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(hex, 16)
            .map_err(|_| FetchError::Body(format!("bad chunk size {hex:?}")))?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            // Trailers, if any, end with an empty line, as the head does.
            let ended = bytes.starts_with(b"\r\n") || find(bytes, b"\r\n\r\n").is_some();
            return Ok(ended.then_some(body));
        }
        // The data and its CRLF; `checked_add`, because the size came off the network.
        let Some(chunk) = size.checked_add(2).and_then(|end| bytes.get(..end)) else {
            return Ok(None);
        };
        let Some(data) = chunk.strip_suffix(b"\r\n") else {
            return Err(FetchError::Body(format!(
                "a chunk of {size} bytes is not followed by CRLF"
            )));
        };
        body.extend_from_slice(data);
        bytes = &bytes[chunk.len()..];
    }
}

/// Where `needle` first occurs in `bytes`.
fn find(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID_BODY: &str = "{\n  \"uuid\": \"0b7e3b6a-7e44-4b6a-9d3b-2f3f8e1c5a10\"\n}\n";

    /// Every prefix of `raw` is incomplete, and all of it parses to `status` and `body`: the
    /// answer may arrive in any pieces at all.
    fn parses_only_when_whole(raw: &str, status: u16, body: &str) {
        let bytes = raw.as_bytes();
        for cut in 0..bytes.len() {
            assert_eq!(parse(&bytes[..cut], false), Ok(None), "cut at {cut}");
        }
        let whole = Response {
            status,
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(parse(bytes, false), Ok(Some(whole)));
    }

    #[test]
    fn content_length_in_any_pieces() {
        let raw = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
             content-length: {}\r\n\r\n{UUID_BODY}",
            UUID_BODY.len()
        );
        parses_only_when_whole(&raw, 200, UUID_BODY);
    }

    #[test]
    fn chunked_in_any_pieces() {
        let raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                   5\r\n{\n  \"\r\n\
                   30;name=value\r\nuuid\": \"0b7e3b6a-7e44-4b6a-9d3b-2f3f8e1c5a10\"\n}\n\r\n\
                   0\r\nX-Trailer: yes\r\n\r\n";
        parses_only_when_whole(raw, 200, UUID_BODY);
        let no_trailers =
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        parses_only_when_whole(no_trailers, 200, "abc");
    }

    #[test]
    fn interim_answers_are_skipped() {
        let raw = "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n\
                   HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        parses_only_when_whole(raw, 200, "ok");
    }

    #[test]
    fn without_a_length_the_body_ends_when_the_server_closes() {
        let raw = b"HTTP/1.1 503 Service Unavailable\r\n\r\nbusy";
        assert_eq!(parse(raw, false), Ok(None));
        let closed = Response {
            status: 503,
            body: b"busy".to_vec(),
        };
        assert_eq!(parse(raw, true), Ok(Some(closed)));
    }

    #[test]
    fn answers_that_are_not_http_say_why() {
        let cases: [(&[u8], &str); 5] = [
            (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "not an HTTP/1.x response"),
            (b"HTTP/1.1 2xx OK\r\n\r\n", "not an HTTP/1.x response"),
            (
                b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "bad Content-Length",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "bad chunk size",
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
                "not followed by CRLF",
            ),
        ];
        for (raw, expected) in cases {
            let err = parse(raw, true).unwrap_err().to_string();
            assert!(err.contains(expected), "{raw:?} gave {err:?}");
        }
    }

    proptest::proptest! {
        /// Whatever bytes a server sends, in whatever state, parsing gives an answer, "read
        /// more", or a reason: never a panic.
        #[test]
        fn any_bytes_give_an_answer_or_a_reason(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            closed in proptest::prelude::any::<bool>(),
        ) {
            let _ = parse(&bytes, closed);
            let mut head = b"HTTP/1.1 200 OK\r\n".to_vec();
            head.extend_from_slice(&bytes);
            let _ = parse(&head, closed);
        }
    }

    #[test]
    fn a_huge_chunk_size_is_not_a_crash() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab";
        assert_eq!(parse(raw, false), Ok(None));
    }
}
