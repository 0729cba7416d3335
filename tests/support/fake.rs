//! Servers that answer what httpbin-lite never sends: a body that is not JSON, a `uuid` that is
//! not a UUID, a chunked or cut-short answer, a head or a body too big to read; and a port nobody is on.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// A server that answers every connection with the same 200 and this body: for the bodies
/// httpbin-lite never sends (not JSON, a `uuid` that is not a UUID). Lives as long as the test.
pub fn canned(body: &'static str) -> String {
    let (listener, url) = listen();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, body);
        }
    });
    url
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

/// A loopback port on which nothing listens: one we bound and let go.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("bound address").port()
}

/// `/uuid` on a loopback port on which nothing listens.
pub fn closed_port_url() -> String {
    format!("http://127.0.0.1:{}/uuid", closed_port())
}

/// A server that answers every connection with exactly `response` — raw bytes, head and all —
/// written `piece` bytes at a time with `pause` between pieces, then closes. For what
/// httpbin-lite never sends: chunked bodies, an answer split over many reads, an answer cut
/// short. Each connection gets its own thread, so concurrent clients are answered together.
pub fn scripted(response: &'static str, piece: usize, pause: Duration) -> String {
    let (listener, url) = listen();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            thread::spawn(move || {
                read_request_head(&stream);
                for bytes in response.as_bytes().chunks(piece.max(1)) {
                    // The client may hang up first (a timeout, say): then stop writing.
                    if stream.write_all(bytes).is_err() {
                        return;
                    }
                    thread::sleep(pause);
                }
            });
        }
    });
    url
}

/// A listener on a free loopback port, and the `/uuid` URL on it.
fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("bound address");
    (listener, format!("http://{addr}/uuid"))
}

/// Reads a request's head up to its empty line, so the client sees a clean exchange.
fn read_request_head(stream: &TcpStream) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
}

/// A server whose 200 answer has a header of `bytes` bytes: a head no client of ours keeps.
pub fn huge_head_url(bytes: usize) -> String {
    let response = format!(
        "HTTP/1.1 200 OK\r\nx-padding: {}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}",
        "x".repeat(bytes)
    );
    scripted(
        Box::leak(response.into_boxed_str()),
        bytes + 100,
        Duration::ZERO,
    )
}

/// A server whose 200 answer has a body of `bytes` bytes: past 64 KiB, more than any client of
/// ours reads.
pub fn huge_body_url(bytes: usize) -> String {
    let body = format!(r#"{{"uuid": "{}"}}"#, "x".repeat(bytes));
    canned(Box::leak(body.into_boxed_str()))
}

/// A real TLS server on loopback, `openssl s_server`, that shows a self-signed certificate: one
/// no client trusts. `url` is its `/uuid`; the server stops when this is dropped.
pub struct SelfSignedTls {
    pub url: String,
    server: std::process::Child,
    dir: std::path::PathBuf,
}

impl SelfSignedTls {
    pub fn start() -> SelfSignedTls {
        use std::process::{Command, Stdio};
        let dir = std::env::temp_dir().join(format!("self-signed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder for the certificate");
        let made = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ])
            .args([
                "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1",
            ])
            .args([
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ])
            .current_dir(&dir)
            .output()
            .expect("openssl runs");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        let port = closed_port();
        let server = Command::new("openssl")
            .args([
                "s_server", "-quiet", "-www", "-cert", "cert.pem", "-key", "key.pem",
            ])
            .args(["-accept", &format!("127.0.0.1:{port}")])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server starts");
        super::wait_until(
            "openssl s_server to listen",
            Duration::from_secs(10),
            || TcpStream::connect(("127.0.0.1", port)).is_ok(),
        );
        let url = format!("https://127.0.0.1:{port}/uuid");
        SelfSignedTls { url, server, dir }
    }
}

impl Drop for SelfSignedTls {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
