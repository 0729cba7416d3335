//! One HTTP/1.1 GET over a non-blocking `std::net::TcpStream`, as an `async fn`.
//!
//! Read [`Client::get`] as straight-line code: connect, write the request, read the answer. The
//! compiler turns it into a state machine — Connect → Write → Read → Done — that remembers
//! between polls where it stopped and the locals it still needs (the stream, the bytes so far).
//! It stops only at an `.await`: wherever a socket says `WouldBlock` while writing or reading,
//! `wait(deadline).await` yields to the other tasks. (Connect never yields: see below.)
//!
//! Simplified on purpose, and each is something reqwest and hyper do for real: plain http://
//! only (no TLS); one connection per request (`Connection: close`, no pool); no redirects; names
//! resolved, and connections opened, by blocking calls (see [`Client::connect`]).

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use common::FetchError;
use common::HOST_NOT_FOUND;

use crate::reactor;
use crate::response::{self, Response};

/// The most we read of one response, head and body: a `/uuid` answer is about 200 bytes, and
/// a server that sends more than this is not the one we meant to ask.
const MAX_RESPONSE: usize = 64 * 1024;

/// Where to send the GET, and the request itself, made once for the whole run.
pub struct Client {
    host: String,
    port: u16,
    request: Vec<u8>,
    timeout: Duration,
}

impl Client {
    /// Takes an `http://` URL (already checked by the flags); says why it cannot take others.
    pub fn new(url: &str, timeout: Duration) -> Result<Client, String> {
        let Some(rest) = url.strip_prefix("http://") else {
            return Err(format!(
                "'{url}': this slide speaks plain HTTP by hand and has no TLS; \
                 use an http:// URL, e.g. http://127.0.0.1:8080/uuid"
            ));
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let path = path.split('#').next().unwrap_or_default();
        if authority.contains('@') {
            return Err(format!("'{url}': user:password@ is not supported here"));
        }
        // `[::1]:8080`, `127.0.0.1:8080`, or no port at all (80).
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !port.ends_with(']') => {
                let port = port.parse().map_err(|_| format!("'{url}': bad port"))?;
                (host, port)
            }
            _ => (authority, 80),
        };
        let request = format!(
            "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\n\
             User-Agent: slide07a-coroutines\r\nConnection: close\r\n\r\n"
        );
        Ok(Client {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            request: request.into_bytes(),
            // Past a century, a timeout is as good as none, and `now + timeout` cannot overflow.
            timeout: timeout.min(Duration::from_secs(100 * 365 * 24 * 60 * 60)),
        })
    }

    /// One GET: the body of a 2xx answer as text, or why there is none.
    pub async fn get(&self) -> Result<String, FetchError> {
        // One deadline for the whole exchange, as reqwest's timeout.
        let deadline = Instant::now() + self.timeout;
        let mut stream = self.connect(deadline)?;
        write_all(&mut stream, &self.request, deadline).await?;
        let Response { status, body } = read_response(&mut stream, deadline).await?;
        if !(200..300).contains(&status) {
            return Err(FetchError::Status(status));
        }
        String::from_utf8(body).map_err(|_| FetchError::Body("the body is not UTF-8 text".into()))
    }

    /// Opens the connection: the one step that blocks the whole thread, every other task
    /// included. std can only connect a socket by waiting for the handshake; a real reactor
    /// makes a non-blocking socket, gets `EINPROGRESS` from `connect(2)`, yields until the OS
    /// says the socket is writable, then reads `SO_ERROR` for the outcome. On loopback the
    /// kernel accepts or refuses at once, so this costs microseconds; over the internet every
    /// task would stall for a round trip here. Resolving a name blocks too (tokio hands it to
    /// a helper thread), but an address like 127.0.0.1 needs no lookup.
    fn connect(&self, deadline: Instant) -> Result<TcpStream, FetchError> {
        let addresses = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|err| {
                FetchError::Network(format!("{HOST_NOT_FOUND}: {}: {err}", self.host))
            })?;
        let mut failure = FetchError::Network(format!("{} has no address", self.host));
        for address in addresses {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(FetchError::Timeout);
            }
            match TcpStream::connect_timeout(&address, left) {
                Ok(stream) => {
                    // From now on a read or write that would wait returns `WouldBlock` instead.
                    stream
                        .set_nonblocking(true)
                        .map_err(|err| io_error("making the socket non-blocking", err))?;
                    return Ok(stream);
                }
                Err(err) => failure = io_error("connecting", err),
            }
        }
        Err(failure)
    }
}

/// Sends all of `bytes`, yielding whenever the socket's send buffer is full.
async fn write_all(
    stream: &mut TcpStream,
    mut bytes: &[u8],
    deadline: Instant,
) -> Result<(), FetchError> {
    while !bytes.is_empty() {
        match stream.write(bytes) {
            Ok(0) => return Err(FetchError::Network("the server took no request".into())),
            Ok(sent) => bytes = &bytes[sent..],
            Err(err) if err.kind() == ErrorKind::WouldBlock => wait(deadline).await?,
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(io_error("sending the request", err)),
        }
    }
    Ok(())
}

/// Reads until the response is complete, in whatever pieces it comes, yielding whenever no
/// bytes are waiting. Keeps at most about `MAX_RESPONSE` bytes.
async fn read_response(stream: &mut TcpStream, deadline: Instant) -> Result<Response, FetchError> {
    let mut received = Vec::new();
    loop {
        let closed = match read_some(stream, &mut received) {
            Ok(read) => read == 0,
            Err(err) if err.kind() == ErrorKind::WouldBlock => {
                wait(deadline).await?;
                continue;
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(io_error("reading the response", err)),
        };
        if received.len() > MAX_RESPONSE {
            return Err(FetchError::Body(format!(
                "the response is larger than {} KiB",
                MAX_RESPONSE / 1024
            )));
        }
        match response::parse(&received, closed)? {
            Some(response) => return Ok(response),
            None if closed && received.is_empty() => {
                return Err(FetchError::Network(
                    "the server closed the connection without an answer".into(),
                ));
            }
            None if closed => {
                return Err(FetchError::Network(format!(
                    "the server closed the connection before the response was complete \
                     ({} bytes in)",
                    received.len()
                )));
            }
            None => {}
        }
    }
}

/// One `read`, appended to `received`. The 4 KiB buffer lives on the stack during this call
/// only: were it a local of `read_response`, it would be part of every waiting task's state.
fn read_some(stream: &mut TcpStream, received: &mut Vec<u8>) -> io::Result<usize> {
    let mut piece = [0; 4096];
    let read = stream.read(&mut piece)?;
    received.extend_from_slice(&piece[..read]);
    Ok(read)
}

/// The yield point, with the deadline: give the thread to the other tasks until the reactor
/// wakes this one — unless this request is out of time. Who notices the deadline? This task,
/// the next time it is woken: the reactor wakes every waiting task each millisecond.
async fn wait(deadline: Instant) -> Result<(), FetchError> {
    if Instant::now() >= deadline {
        return Err(FetchError::Timeout);
    }
    reactor::wait_for_io().await;
    Ok(())
}

/// A socket error, as a kind the summary can count.
fn io_error(doing: &str, err: io::Error) -> FetchError {
    match err.kind() {
        ErrorKind::ConnectionRefused => FetchError::Refused,
        ErrorKind::TimedOut => FetchError::Timeout,
        _ => FetchError::Network(format!("{doing}: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(url: &str) -> Result<Client, String> {
        Client::new(url, Duration::from_secs(1))
    }

    #[test]
    fn urls_become_an_address_and_a_request() {
        let cases = [
            (
                "http://127.0.0.1:8080/uuid",
                "127.0.0.1",
                8080,
                "/uuid",
                "127.0.0.1:8080",
            ),
            (
                "http://[::1]:9/uuid?x=1#top",
                "::1",
                9,
                "/uuid?x=1",
                "[::1]:9",
            ),
            ("http://localhost/", "localhost", 80, "/", "localhost"),
            ("http://[::1]/", "::1", 80, "/", "[::1]"),
        ];
        for (url, host, port, path, authority) in cases {
            let client = client(url).unwrap();
            assert_eq!((client.host.as_str(), client.port), (host, port), "{url}");
            let request = String::from_utf8(client.request).unwrap();
            let start = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n");
            assert!(request.starts_with(&start), "{url}: {request:?}");
            assert!(
                request.ends_with("Connection: close\r\n\r\n"),
                "{request:?}"
            );
        }
    }

    #[test]
    fn a_waiting_request_is_a_few_hundred_bytes() {
        // All a task keeps while it waits is its state machine: the stream, the bytes so far,
        // where it stopped. A thread would keep a whole stack (2 MiB by default).
        let client = client("http://127.0.0.1:8080/uuid").unwrap();
        let size = std::mem::size_of_val(&client.get());
        assert!(size < 512, "{size} bytes");
    }

    #[test]
    fn https_is_refused_in_words() {
        let err = client("https://httpbin.org/uuid").err().unwrap();
        assert!(
            err.contains("no TLS") && err.contains("http://127.0.0.1"),
            "{err}"
        );
    }
}
