//! What the end-to-end tests share: finding the workspace's binaries, a real httpbin-lite on a
//! free port (started by `lab`, as everything else starts it), and a tiny HTTP client over a
//! plain `TcpStream`. Beside it: servers that misbehave on purpose (`fake`), watching and
//! signalling processes (`process`), and a real redis-server (`redis`).
#![allow(dead_code)] // each test file uses its own part of this module

mod fake;
mod process;
pub mod redis;

// Each test file uses its own part of these, as with the rest of this module.
#[allow(unused_imports)]
pub use fake::{canned, closed_port_url, huge_body_url, scripted};
#[allow(unused_imports)]
pub use process::{
    children_of, finish_within, process_exists, send_signal, spawn, thread_count, wait_until,
};

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The path of one of the workspace's binaries, built (once per test process) by the same
/// cargo and profile that built this test, so the tests never run a stale binary.
pub fn bin(name: &str) -> PathBuf {
    let path = binaries().dir().join(name);
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// The directory of the workspace's binaries (`target/<profile>`), built first.
pub fn binaries() -> &'static lab::Binaries {
    static BUILT: OnceLock<lab::Binaries> = OnceLock::new();
    BUILT.get_or_init(|| {
        // A test runs from target/<profile>/deps: lab knows to look one level up.
        let binaries = lab::Binaries::beside_this_program().unwrap_or_else(|err| panic!("{err}"));
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--workspace", "--bins", "--quiet"]);
        if binaries.dir().ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "cargo build --workspace --bins failed");
        binaries
    })
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

/// A real httpbin-lite on a free loopback port, stopped when dropped (lab starts and stops it,
/// as it does for scripts/run-all.sh).
pub struct Server {
    pub addr: SocketAddr,
    httpbin: lab::Httpbin,
}

impl Server {
    /// Starts `httpbin-lite --port 0 --delay DELAY` (`"0"`, `"20ms"`, `"1s"`).
    pub fn start(delay: &str) -> Server {
        Server::start_with(delay, &[])
    }

    /// The same, with more flags (faults, a seed).
    pub fn start_with(delay: &str, flags: &[&str]) -> Server {
        let httpbin = lab::Httpbin::start(binaries(), duration(delay), flags)
            .unwrap_or_else(|err| panic!("{err}"));
        Server {
            addr: httpbin.addr(),
            httpbin,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.httpbin.url(path)
    }

    /// `GET /stats` as JSON.
    pub fn stats(&self) -> serde_json::Value {
        self.httpbin.stats().unwrap_or_else(|err| panic!("{err}"))
    }

    pub fn peak_in_flight(&self) -> u64 {
        self.stats()["peak_in_flight"].as_u64().expect("a count")
    }
}

/// `"0"`, `"250ms"`, `"1.5s"` as a duration, the way the tests write their delays.
fn duration(text: &str) -> Duration {
    let (number, unit) = match text.strip_suffix("ms") {
        Some(number) => (number, 0.001),
        None => (text.strip_suffix('s').unwrap_or(text), 1.0),
    };
    let number: f64 = number
        .parse()
        .unwrap_or_else(|err| panic!("delay {text:?}: {err}"));
    Duration::from_secs_f64(number * unit)
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
    try_request(addr, method, path).expect("an answer before the connection closed")
}

/// `GET`, where the server may close the connection without answering (`None`).
pub fn try_get(addr: SocketAddr, path: &str) -> Option<Response> {
    try_request(addr, "GET", path)
}

fn try_request(addr: SocketAddr, method: &str, path: &str) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).expect("connect to httpbin-lite");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut raw = String::new();
    // A reset instead of a clean close also means "no answer".
    if stream.read_to_string(&mut raw).is_err() || raw.is_empty() {
        return None;
    }
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    Some(Response {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    })
}

/// The UUIDs of the result lines (`  0.021s  #01  <uuid>`), as a set: its size is how many
/// different ones were printed.
pub fn printed_uuids(output: &Output) -> std::collections::HashSet<uuid::Uuid> {
    stdout(output)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .filter_map(|word| uuid::Uuid::parse_str(word).ok())
        .collect()
}

/// The lines of `text` that are not empty.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .collect()
}
