//! Why one request failed, in words a learner can act on, and quoting what a user or a server
//! sent: a message never echoes more than a line of it, so a 100 KB URL or a 10 MB header still
//! gives a one-line error.

use serde::{Deserialize, Serialize};

/// Why one request did not give us a UUID. A failed request is a result, not a crash.
/// What a server or a library said can be any length: a message quotes a line of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum FetchError {
    /// Nothing listens at the URL's address.
    #[error("connection refused")]
    Refused,
    /// No complete answer within `--timeout`.
    #[error("timed out")]
    Timeout,
    /// The server answered with an error status.
    #[error("HTTP status {0}")]
    Status(u16),
    /// Any other trouble on the way: a name that does not resolve, TLS, a dropped connection.
    #[error("{}", quote(.0))]
    Network(String),
    /// An answer arrived, but it is not `{"uuid": "<a UUID>"}`.
    #[error("{}", quote(.0))]
    Body(String),
    /// Never tried: a queue worker refused the job (a host it may not fetch, or a job that was
    /// delivered too many times).
    #[error("{}", quote(.0))]
    Rejected(String),
}

/// How much of a value any message quotes.
pub const QUOTE_MAX: usize = 200;

/// `text` as it is when it is short; otherwise its first [`QUOTE_MAX`] characters and how long
/// all of it was: `http://aaaa… (100019 bytes)`.
pub fn quote(text: &str) -> String {
    match cut(text, QUOTE_MAX) {
        (start, "") => start.to_string(),
        (start, more) => format!("{start}{more} ({} bytes)", text.len()),
    }
}

/// The first `max` characters of `text`, and `…` if that is not all of it.
pub(crate) fn cut(text: &str, max: usize) -> (&str, &'static str) {
    match text.char_indices().nth(max) {
        Some((end, _)) => (&text[..end], "…"),
        None => (text, ""),
    }
}

/// What every client says when the URL's host name has no address.
pub const HOST_NOT_FOUND: &str = "host not found (check the URL, or the network)";

impl FetchError {
    /// A one-word name, for counting failures by kind in the summary.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Refused => "refused",
            FetchError::Timeout => "timeout",
            FetchError::Status(_) => "status",
            FetchError::Network(_) => "network",
            FetchError::Body(_) => "body",
            FetchError::Rejected(_) => "rejected",
        }
    }

    /// What to do about it, where there is something to do.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            FetchError::Status(404) => {
                Some("the server has no such page: check the URL's path (httpbin's is /uuid)")
            }
            // EMFILE, 24 on Linux and macOS: each request in flight holds a socket, a file.
            FetchError::Network(detail) if detail.contains("(os error 24)") => Some(
                "this process ran out of open files: raise `ulimit -n`, or give a smaller \
                 --concurrency",
            ),
            FetchError::Network(detail) if detail.contains("invalid peer certificate") => Some(
                "the server's certificate is not a trusted one (self-signed, expired, or for \
                 another name): for a server of your own, use its http:// URL",
            ),
            FetchError::Refused => Some(
                "is httpbin-lite running? Start it with `cargo run --release -p httpbin-lite`, \
                 or pass --url",
            ),
            FetchError::Timeout => {
                Some("the server was slower than --timeout; raise it, or check the server")
            }
            _ => None,
        }
    }
}

#[cfg(feature = "ureq")]
impl From<ureq::Error> for FetchError {
    fn from(err: ureq::Error) -> Self {
        use std::io::ErrorKind as Kind;
        match &err {
            ureq::Error::StatusCode(code) => FetchError::Status(*code),
            ureq::Error::Timeout(_) => FetchError::Timeout,
            ureq::Error::HostNotFound => FetchError::Network(HOST_NOT_FOUND.into()),
            ureq::Error::LargeResponseHeader(_, limit) => FetchError::Body(format!(
                "the response head is too large (more than {limit} bytes)"
            )),
            ureq::Error::BodyExceedsLimit(limit) => {
                FetchError::Body(format!("body is larger than {limit} bytes"))
            }
            ureq::Error::Io(io) => match io.kind() {
                Kind::ConnectionRefused => FetchError::Refused,
                Kind::TimedOut => FetchError::Timeout,
                Kind::UnexpectedEof | Kind::ConnectionReset | Kind::ConnectionAborted => {
                    FetchError::Network(format!("the server closed the connection ({io})"))
                }
                // What the OS's resolver says (getaddrinfo), as std words it; it has no kind.
                _ if io.to_string().starts_with("failed to lookup address") => {
                    FetchError::Network(format!("{HOST_NOT_FOUND}: {io}"))
                }
                _ => FetchError::Network(err.to_string()),
            },
            _ => FetchError::Network(err.to_string()),
        }
    }
}

#[cfg(feature = "reqwest")]
impl From<reqwest::Error> for FetchError {
    fn from(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            return FetchError::Timeout;
        }
        if let Some(status) = err.status() {
            return FetchError::Status(status.as_u16());
        }
        // reqwest's own message ("error sending request for url …") hides the cause; the
        // innermost error in the chain names it ("Connection refused", "dns error", …).
        let mut cause: &dyn std::error::Error = &err;
        let mut dns = false;
        while let Some(source) = cause.source() {
            // hyper names a failed lookup "dns error: …"; the io::Error under it does not.
            dns |= source.to_string().starts_with("dns error");
            if let Some(io) = source.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => return FetchError::Refused,
                    std::io::ErrorKind::TimedOut => return FetchError::Timeout,
                    _ => {}
                }
            }
            cause = source;
        }
        if dns {
            return FetchError::Network(format!("{HOST_NOT_FOUND}: {cause}"));
        }
        if err.is_body() || err.is_decode() {
            return FetchError::Body(format!("could not read the body: {cause}"));
        }
        FetchError::Network(cause.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(
            quote("http://127.0.0.1:8080/uuid"),
            "http://127.0.0.1:8080/uuid"
        );
        assert_eq!(quote(&"é".repeat(QUOTE_MAX)), "é".repeat(QUOTE_MAX));
    }

    #[test]
    fn long_values_are_cut_and_their_size_given() {
        let long = "a".repeat(100_000);
        let quoted = quote(&long);
        assert_eq!(quoted, format!("{}… (100000 bytes)", "a".repeat(QUOTE_MAX)));
        // Cut on a character boundary, never inside one.
        let wide = "é".repeat(QUOTE_MAX + 1);
        assert_eq!(
            quote(&wide),
            format!("{}… ({} bytes)", "é".repeat(QUOTE_MAX), wide.len())
        );
    }
}
