//! What the end-to-end tests share: finding the workspace's binaries, starting a real
//! httpbin-lite on a free port, and a tiny HTTP client over a plain `TcpStream`.
#![allow(dead_code)] // each test file uses its own part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::OnceLock;

/// The path of one of the workspace's binaries, built (once per test process) by the same
/// cargo and profile that built this test, so the tests never run a stale binary.
pub fn bin(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test knows its own path");
        // target/<profile>/deps/<test> → target/<profile>
        let dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("test runs from target/");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--workspace", "--bins", "--quiet"]);
        if dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "cargo build --workspace --bins failed");
        dir.to_path_buf()
    });
    let path = dir.join(name);
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// Runs a binary to completion with these arguments and no stdin.
pub fn run(name: &str, args: &[&str]) -> Output {
    Command::new(bin(name))
        .args(args)
        .env_remove("SLIDES_URL")
        .stdin(Stdio::null())
        .output()
        .expect("binary starts")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The JSON summary: the last line of stdout of a slide run with `--json`.
pub fn summary(output: &Output) -> serde_json::Value {
    let text = stdout(output);
    let last = text.lines().last().expect("stdout has a summary line");
    serde_json::from_str(last).unwrap_or_else(|err| panic!("last line {last:?}: {err}"))
}

/// A real httpbin-lite on a free loopback port, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts `httpbin-lite --port 0 --delay DELAY` and reads its first line for the port.
    pub fn start(delay: &str) -> Server {
        let mut child = Command::new(bin("httpbin-lite"))
            .args(["--port", "0", "--delay", delay])
            .stdout(Stdio::piped())
            .spawn()
            .expect("httpbin-lite starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut first = String::new();
        stdout
            .read_line(&mut first)
            .expect("httpbin-lite prints its address");
        let addr = first
            .trim()
            .strip_prefix("httpbin-lite listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .parse()
            .expect("a socket address");
        Server {
            child,
            addr,
            _stdout: stdout,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET /stats` as JSON.
    pub fn stats(&self) -> serde_json::Value {
        let response = get(self.addr, "/stats");
        assert_eq!(response.status, 200);
        serde_json::from_str(&response.body).expect("stats are JSON")
    }

    pub fn peak_in_flight(&self) -> u64 {
        self.stats()["peak_in_flight"].as_u64().expect("a count")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange, read to the end (the request asks the server to close).
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

pub fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path)
}

pub fn request(addr: SocketAddr, method: &str, path: &str) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect to httpbin-lite");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

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
    // Read the request head before answering, so the client sees a clean exchange.
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
        line.clear();
    }
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
