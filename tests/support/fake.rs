//! Servers that answer what httpbin-lite never sends: a body that is not JSON, a `uuid` that is
//! not a UUID, a chunked or cut-short answer, a body too big to read; and a port nobody is on.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

/// A server that answers every connection with the same 200 and this body: for the bodies
/// httpbin-lite never sends (not JSON, a `uuid` that is not a UUID). Lives as long as the test.
pub fn canned(body: &'static str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("bound address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, body);
        }
    });
    format!("http://{addr}/uuid")
}

fn answer(mut stream: TcpStream, body: &str) {
    read_request_head(&stream);
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A loopback URL on which nothing listens: a port we bound and let go.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("bound address");
    drop(listener);
    format!("http://{addr}/uuid")
}

/// A server that answers every connection with exactly `response` — raw bytes, head and all —
/// written `piece` bytes at a time with `pause` between pieces, then closes. For what
/// httpbin-lite never sends: chunked bodies, an answer split over many reads, an answer cut
/// short. Each connection gets its own thread, so concurrent clients are answered together.
pub fn scripted(response: &'static str, piece: usize, pause: std::time::Duration) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("bound address");
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                read_request_head(&stream);
                for bytes in response.as_bytes().chunks(piece.max(1)) {
                    // The client may hang up first (a timeout, say): then stop writing.
                    if stream.write_all(bytes).is_err() {
                        return;
                    }
                    std::thread::sleep(pause);
                }
            });
        }
    });
    format!("http://{addr}/uuid")
}

/// Reads a request's head up to its empty line, so the client sees a clean exchange.
fn read_request_head(stream: &TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
}

/// A server whose 200 answer has a body of 100 KB, more than any client of ours reads (64 KiB).
pub fn huge_body_url() -> String {
    let body = format!(r#"{{"uuid": "{}"}}"#, "x".repeat(100_000));
    canned(Box::leak(body.into_boxed_str()))
}
