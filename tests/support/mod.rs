//! What the end-to-end tests share: finding the workspace's binaries, a real httpbin-lite on a
//! free port (started by `lab`, as everything else starts it), and a tiny HTTP client over a
//! plain `TcpStream`.
#![allow(dead_code)] // each test file uses its own part of this module

pub mod redis;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
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

// Processes, for the slides whose lesson is processes and threads (5, 6, 7): start one without
// waiting, look at it and its children in /proc while it runs, signal it, and collect its output.

/// Starts a binary with these arguments, stdout and stderr piped, without waiting for it.
pub fn spawn(name: &str, args: &[&str]) -> Child {
    Command::new(bin(name))
        .args(args)
        .env_remove("SLIDES_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts")
}

/// Waits for `child` and collects its output. If it has not ended within `limit` it is killed
/// and the test fails: a guard against a hang, never a measure of speed.
pub fn finish_within(child: Child, limit: std::time::Duration) -> Output {
    let pid = child.id();
    let (done, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match output.recv_timeout(limit) {
        Ok(output) => output.expect("collect the output"),
        Err(_) => {
            send_signal(pid, "KILL");
            panic!("process {pid} had not ended after {limit:?}: it hangs");
        }
    }
}

/// Polls `ready` until it holds, failing the test (as a hang) after `limit`.
pub fn wait_until(what: &str, limit: std::time::Duration, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !ready() {
        assert!(
            std::time::Instant::now() < deadline,
            "waited {limit:?} for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Sends a signal by name (`INT`, `TERM`, `KILL`) with the shell's `kill`, as a user would.
pub fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("sh")
        .args(["-c", r#"kill -s "$0" "$1""#, signal, &pid.to_string()])
        .status()
        .expect("sh runs");
    assert!(status.success(), "kill -s {signal} {pid} failed");
}

/// The pids of the processes whose parent is `pid`, from /proc.
pub fn children_of(pid: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc")
        .expect("/proc is there")
        .flatten()
    {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue; // not a process, or it ended meanwhile
        };
        // `pid (name) state ppid …`; the name may hold spaces and parentheses, so look
        // after its last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse::<u32>().ok());
        if ppid == Some(pid)
            && let Ok(child) = entry.file_name().to_string_lossy().parse()
        {
            children.push(child);
        }
    }
    children
}

/// Whether a process with this pid exists at all: running, or a zombie nobody has reaped.
pub fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// How many threads the process has right now.
pub fn thread_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|tasks| tasks.count())
        .unwrap_or(0)
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

/// A server whose 200 answer has a body of 100 KB, more than any client of ours reads (64 KiB).
pub fn huge_body_url() -> String {
    let body = format!(r#"{{"uuid": "{}"}}"#, "x".repeat(100_000));
    canned(Box::leak(body.into_boxed_str()))
}

/// The lines of `text` that are not empty.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .collect()
}
