//! httpbin-lite answers like httpbin.org, counts what it serves, and closes connections that
//! never finish their request. (Most of its flags are checked with every other binary's in
//! `bad_flags.rs`.)

mod support;

use std::collections::HashSet;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::{Server, assert_one_line, get, request, run, try_get};

#[test]
fn uuid_body_is_byte_for_byte_httpbins() {
    let server = Server::start("0");
    let response = get(server.addr, "/uuid");
    assert_eq!(response.status, 200);
    assert!(
        response
            .head
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{}",
        response.head
    );
    // {\n  "uuid": "<36 chars>"\n}\n — 53 bytes, like httpbin.org.
    let body = response.body;
    assert_eq!(body.len(), 53, "{body:?}");
    let uuid = body
        .strip_prefix("{\n  \"uuid\": \"")
        .and_then(|rest| rest.strip_suffix("\"\n}\n"))
        .unwrap_or_else(|| panic!("not httpbin's layout: {body:?}"));
    let parsed = uuid::Uuid::parse_str(uuid).expect("a UUID");
    assert_eq!(parsed.get_version_num(), 4);
}

#[test]
fn stats_count_served_requests_and_reset() {
    let server = Server::start("0");
    for path in ["/uuid", "/uuid", "/get", "/status/204", "/delay/0"] {
        get(server.addr, path);
    }
    let stats = server.stats();
    assert_eq!(stats["served"], 5, "{stats}");
    assert_eq!(stats["in_flight"], 0, "{stats}");
    assert_eq!(stats["peak_in_flight"], 1, "{stats}");

    let reset = request(server.addr, "POST", "/stats/reset");
    assert_eq!(reset.status, 200);
    let stats = server.stats();
    assert_eq!(
        (stats["served"].as_u64(), stats["peak_in_flight"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn a_thousand_requests_at_once_are_all_in_flight_together() {
    // Long enough that all 1,000 connect before the first answer comes back.
    let server = Server::start("3s");
    let uuids: HashSet<String> = thread::scope(|scope| {
        let handles: Vec<_> = (0..1000)
            .map(|_| scope.spawn(|| get(server.addr, "/uuid").body))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("request thread"))
            .collect()
    });
    assert_eq!(uuids.len(), 1000);
    assert!(uuids.iter().all(|body| httpbin_like_uuid(body)));
    let stats = server.stats();
    assert_eq!(stats["peak_in_flight"], 1000, "{stats}");
    assert_eq!(stats["served"], 1000, "{stats}");
}

fn httpbin_like_uuid(body: &str) -> bool {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    value["uuid"]
        .as_str()
        .is_some_and(|u| uuid::Uuid::parse_str(u).is_ok())
}

#[test]
fn other_endpoints_answer_like_httpbin() {
    let server = Server::start("0");

    let status = get(server.addr, "/status/503");
    assert_eq!((status.status, status.body.as_str()), (503, ""));

    let echo = get(server.addr, "/get?a=1&b=2&b=3");
    assert_eq!(echo.status, 200);
    let echo: serde_json::Value = serde_json::from_str(&echo.body).unwrap();
    assert_eq!(echo["args"], serde_json::json!({"a": "1", "b": ["2", "3"]}));
    assert_eq!(echo["origin"], "127.0.0.1");
    assert_eq!(echo["url"], server.url("/get?a=1&b=2&b=3"));
    assert_eq!(echo["headers"]["Host"], server.addr.to_string());

    let delayed = get(server.addr, "/delay/0.05");
    assert_eq!(delayed.status, 200);
    let delayed: serde_json::Value = serde_json::from_str(&delayed.body).unwrap();
    assert_eq!(delayed["url"], server.url("/delay/0.05"));
    assert_eq!(delayed["data"], "");
}

#[test]
fn unknown_paths_are_404_and_bad_parameters_400() {
    let server = Server::start("0");
    assert_eq!(get(server.addr, "/nope").status, 404);
    for path in [
        "/delay/abc",
        "/delay/-1",
        "/status/abc",
        "/status/42",
        "/status/1000",
    ] {
        let response = get(server.addr, path);
        assert_eq!(response.status, 400, "{path}");
        assert!(!response.body.is_empty(), "{path}: a 400 says why");
    }
    // Asking for the stats is not traffic: none of the above was an endpoint that counts but
    // the rejected /delay and /status requests.
    assert_eq!(server.served(), 5);
}

#[test]
fn injected_faults_are_counted_and_repeat_with_the_same_seed() {
    let faults = [
        "--fail-rate",
        "0.2",
        "--drop-rate",
        "0.1",
        "--garbage-rate",
        "0.1",
        "--seed",
        "1",
    ];
    let injected: Vec<serde_json::Value> = (0..2)
        .map(|_| {
            let server = Server::start_with("0", &faults);
            let mut seen = (0, 0, 0);
            for _ in 0..100 {
                match try_get(server.addr, "/uuid") {
                    None => seen.1 += 1,
                    Some(r) if r.status >= 500 => seen.0 += 1,
                    Some(r) if !httpbin_like_uuid(&r.body) => seen.2 += 1,
                    Some(_) => {}
                }
            }
            let injected = server.stats()["injected"].clone();
            // What the client saw is what the server says it injected.
            assert_eq!(injected["failed"], seen.0, "{injected}");
            assert_eq!(injected["dropped"], seen.1, "{injected}");
            assert_eq!(injected["garbage"], seen.2, "{injected}");
            injected
        })
        .collect();
    assert_eq!(injected[0], injected[1], "same seed, same faults");
    assert!(
        injected[0]["failed"].as_u64().is_some_and(|n| n > 0),
        "{}",
        injected[0]
    );
}

/// Half-sent requests: enough to matter, few enough for a test to hold.
const HALF_SENT: usize = 2000;

/// How long the server gives a request's head here, in seconds: long enough that all the
/// half-sent connections are surely still open when the real request has been answered.
const HEADER_TIMEOUT_SECS: u64 = 3;

#[test]
fn half_sent_requests_starve_no_one_and_are_closed_after_the_header_timeout() {
    // Each connection is a file descriptor here too, and the thousand-request test runs
    // beside this one; the usual soft limit of 1024 would stop us short.
    let open_files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(0);
    assert!(
        open_files >= 2 * HALF_SENT as u64,
        "this test holds {HALF_SENT} connections, but may open only {open_files} files"
    );
    let timeout = format!("{HEADER_TIMEOUT_SECS}s");
    let server = Server::start_with("0", &["--header-timeout", &timeout]);
    let half_sent: Vec<TcpStream> = (0..HALF_SENT).map(|_| half_send(&server)).collect();
    let sent = Instant::now();

    // It holds them all, and still answers a whole request. (The limit is a guard against a
    // hang, not a measure of speed.)
    let addr = server.addr;
    let answer = within(Duration::from_secs(30), "an answer to /uuid", move || {
        get(addr, "/uuid")
    });
    assert_eq!(answer.status, 200);
    assert!(httpbin_like_uuid(&answer.body), "{}", answer.body);
    let now = Instant::now();
    let closed = half_sent
        .iter()
        .filter(|s| closed_by_server(s, now))
        .count();
    assert_eq!(
        closed, 0,
        "/uuid was answered only once the header timeout had closed some half-sent connections"
    );

    // Once the header timeout has passed, it closes every one of them.
    let deadline = sent + Duration::from_secs(HEADER_TIMEOUT_SECS + 10);
    let open = half_sent
        .iter()
        .filter(|s| !closed_by_server(s, deadline))
        .count();
    assert_eq!(
        open, 0,
        "half-sent connections still open 10 s after the header timeout"
    );
    // None of them was a request: the one answered is all it served.
    assert_eq!(server.served(), 1);
}

/// A connection that sends a request line and one header, but never the blank line that
/// ends the head.
fn half_send(server: &Server) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).expect("connect to httpbin-lite");
    write!(stream, "GET /uuid HTTP/1.1\r\nHost: {}\r\n", server.addr).expect("send half");
    stream
}

/// Whether the server has closed `stream` (end of file, or a reset) by `deadline`.
fn closed_by_server(mut stream: &TcpStream, deadline: Instant) -> bool {
    let wait = deadline.saturating_duration_since(Instant::now());
    // A socket takes a zero timeout to mean "wait forever": past the deadline, look without
    // waiting instead.
    stream
        .set_nonblocking(wait.is_zero())
        .expect("set (non-)blocking");
    if !wait.is_zero() {
        stream
            .set_read_timeout(Some(wait))
            .expect("set a read timeout");
    }
    // hyper closes a connection whose head came too late without a word: there is nothing to
    // read but the end.
    let mut nothing = Vec::new();
    match stream.read_to_end(&mut nothing) {
        Ok(_) => true,
        Err(err) => !matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

/// Runs `work` on a thread of its own and gives its result, failing the test if it takes
/// longer than `limit` rather than hanging it.
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, result) = mpsc::channel();
    thread::spawn(move || done.send(work()));
    result
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("no {what} within {limit:?}"))
}

#[test]
fn header_timeout_and_max_connections_refuse_zero_and_nonsense() {
    let bad: [(&[&str], &[&str]); 4] = [
        (
            &["--header-timeout", "0"],
            &["--header-timeout", "would close every connection"],
        ),
        (&["--header-timeout", "soon"], &["--header-timeout", "soon"]),
        (
            &["--max-connections", "0"],
            &["--max-connections", "would allow none"],
        ),
        (
            &["--max-connections", "many"],
            &["--max-connections", "many"],
        ),
    ];
    for (args, words) in bad {
        assert_one_line(&format!("{args:?}"), &run("httpbin-lite", args), 2, words);
    }
}
