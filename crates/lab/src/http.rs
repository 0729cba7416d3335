//! One HTTP/1.1 exchange with httpbin-lite over loopback, on a plain `TcpStream`: all that
//! reading `/stats` needs, so the lab brings in no HTTP client crate.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::Error;

/// httpbin-lite answers `/stats` at once; anything slower than this is a wedged server.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The most of an answer we read: `/stats` is a few hundred bytes.
const MAX_ANSWER: u64 = 64 * 1024;

/// Sends `METHOD PATH` to `addr`, asking the server to close the connection after it, and
/// gives the body of a 200 answer.
pub(crate) fn exchange(addr: SocketAddr, method: &str, path: &str) -> Result<String, Error> {
    let what = format!("{method} http://{addr}{path}");
    let fail =
        |err: std::io::Error| Error::new(format!("{what}: {err} — is httpbin-lite running?"));
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(fail)?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(fail)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(fail)?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .map_err(fail)?;
    let mut raw = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut raw)
        .map_err(fail)?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| Error::new(format!("{what}: the answer has no end of head: {raw:?}")))?;
    let status = head.lines().next().unwrap_or_default();
    if status.split(' ').nth(1) != Some("200") {
        return Err(Error::new(format!("{what}: answered {status:?}")));
    }
    Ok(body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    #[test]
    fn reads_the_body_of_a_200_and_refuses_anything_else() {
        for (answer, expected) in [
            (
                "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}",
                Ok("{}".to_owned()),
            ),
            ("HTTP/1.1 404 Not Found\r\n\r\n", Err(())),
        ] {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("{err}"));
            let addr = listener.local_addr().unwrap_or_else(|err| panic!("{err}"));
            let server = thread::spawn(move || {
                if let Ok((mut stream, _)) = listener.accept() {
                    let mut head = [0; 1024];
                    let _ = stream.read(&mut head);
                    let _ = stream.write_all(answer.as_bytes());
                }
            });
            let got = exchange(addr, "GET", "/stats").map_err(drop);
            assert_eq!(got, expected, "{answer:?}");
            let _ = server.join();
        }
    }

    #[test]
    fn nothing_listening_says_so() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("{err}"));
        let addr = listener.local_addr().unwrap_or_else(|err| panic!("{err}"));
        drop(listener);
        let err = exchange(addr, "GET", "/stats")
            .err()
            .map(|err| err.to_string());
        assert!(err.is_some_and(|err| err.contains("is httpbin-lite running?")));
    }
}
