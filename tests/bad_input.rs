//! Bad input, for every binary: each gives ONE line on stderr that names the problem (and the
//! fix where there is one), a non-zero exit code (2 for usage), and never a panic.
//!
//! One table across the binaries. A case already tested elsewhere is not repeated for the
//! binary it is tested on:
//! - `slide04_sync.rs`, `bad_input_gets_one_clear_line_and_a_non_zero_exit`: slide 4's
//!   `--requests` abc/0/-3, `--concurrency`, `--timeout` soon and out of range, a malformed and
//!   an ftp:// URL, a closed port, empty, not-JSON, no-uuid and not-a-UUID bodies, a 503, a
//!   timeout.
//! - `slide07a_coroutines.rs`, `bad_input_gets_one_clear_line_and_a_non_zero_exit`: https://,
//!   a closed port, a 503, a timeout, a body without uuid, a huge response.
//! - `slide05_multiprocess.rs`: `--concurrency 0`, a missing child binary, the child by hand.
//! - `slide06_threads.rs` and `slide07_tokio.rs`: `--concurrency 0`; slide 7's `--runtime`, which it no longer has.
//! - `slide08_queue.rs`, `redis_trouble_gets_one_clear_line_and_a_non_zero_exit`: Redis refusing
//!   the connection, a wrong or missing password, TLS against a plain port, a malformed Redis
//!   URL, another scheme.

mod support;

use std::process::Command;

use support::redis::RedisServer;
use support::{Server, bin, canned, closed_port_url, huge_body_url, run, stderr, summary};

const SYNC: &str = "slide04-sync";
const PROCESSES: &str = "slide05-multiprocess";
const THREADS: &str = "slide06-threads";
const COROUTINES: &str = "slide07a-coroutines";
const TOKIO: &str = "slide07-tokio";
const PRODUCER: &str = "slide08-producer";
const WORKER: &str = "slide08-worker";

/// Every binary with the shared flags (`--requests`, `--timeout`, `--url`, `--retries`).
const SHARED_FLAGS: [&str; 6] = [SYNC, PROCESSES, THREADS, COROUTINES, TOKIO, PRODUCER];
/// The same, but slide 4, whose own test has these cases.
const NOT_SYNC: [&str; 5] = [PROCESSES, THREADS, COROUTINES, TOKIO, PRODUCER];
/// The slides with `--concurrency`.
const WIDE: [&str; 4] = [PROCESSES, THREADS, COROUTINES, TOKIO];

/// One row: these binaries, run with these arguments, exit with `code` and say all of `words`
/// in one line on stderr.
struct Case {
    binaries: Vec<&'static str>,
    args: Vec<String>,
    code: i32,
    words: Vec<String>,
}

fn case(binaries: &[&'static str], args: &[&str], code: i32, words: &[&str]) -> Case {
    Case {
        binaries: binaries.to_vec(),
        args: args.iter().map(|a| a.to_string()).collect(),
        code,
        words: words.iter().map(|w| w.to_string()).collect(),
    }
}

fn check(cases: &[Case]) {
    for case in cases {
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        for binary in &case.binaries {
            let output = run(binary, &args);
            assert_one_line(binary, &args, &output, case.code, &case.words);
        }
    }
}

fn assert_one_line(
    binary: &str,
    args: &[&str],
    output: &std::process::Output,
    code: i32,
    words: &[String],
) {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "{binary} {args:?}: {err}");
    assert_eq!(output.status.code(), Some(code), "{binary} {args:?}: {err}");
    assert_eq!(
        err.lines().count(),
        1,
        "{binary} {args:?}: want one line, got {err:?}"
    );
    for word in words {
        assert!(
            err.contains(word.as_str()),
            "{binary} {args:?}: {err:?} should say {word:?}"
        );
    }
}

#[test]
fn numbers_that_are_not_numbers_or_out_of_range_are_usage_errors() {
    check(&[
        case(&NOT_SYNC, &["--requests", "abc"], 2, &["--requests", "abc"]),
        case(&NOT_SYNC, &["--requests", "0"], 2, &["--requests", "0"]),
        case(&NOT_SYNC, &["--requests", "-3"], 2, &["-3"]),
        case(
            &SHARED_FLAGS,
            &["--requests", "1e3"],
            2,
            &["--requests", "1e3"],
        ),
        case(
            &SHARED_FLAGS,
            &["--requests", "99999999999"],
            2,
            &["--requests", "99999999999"],
        ),
        case(
            &WIDE,
            &["--concurrency", "abc"],
            2,
            &["--concurrency", "abc"],
        ),
        case(&WIDE, &["--concurrency", "-1"], 2, &["-1"]),
        case(
            &WIDE,
            &["--concurrency", "99999999999"],
            2,
            &["--concurrency", "99999999999"],
        ),
        case(
            &[COROUTINES],
            &["--concurrency", "0"],
            2,
            &["--concurrency", "0"],
        ),
        case(
            &SHARED_FLAGS,
            &["--retries", "abc"],
            2,
            &["--retries", "abc"],
        ),
        case(&SHARED_FLAGS, &["--retries", "-1"], 2, &["-1"]),
        case(&SHARED_FLAGS, &["--retries", "11"], 2, &["--retries", "11"]),
    ]);
}

#[test]
fn durations_that_are_not_durations_are_usage_errors() {
    check(&[
        case(
            &SHARED_FLAGS,
            &["--timeout", "0"],
            2,
            &["--timeout 0", "10s"],
        ),
        case(
            &SHARED_FLAGS,
            &["--timeout=-1s"],
            2,
            &["-1s", "out of range"],
        ),
        case(&NOT_SYNC, &["--timeout", "soon"], 2, &["--timeout", "soon"]),
        case(
            &[PRODUCER],
            &["--give-up-after", "5"],
            2,
            &["'5' has no unit"],
        ),
    ]);
}

#[test]
fn urls_we_cannot_fetch_are_refused_before_the_clock_starts() {
    check(&[
        case(
            &NOT_SYNC,
            &["--url", "not-a-url"],
            2,
            &["not-a-url", "is not a URL"],
        ),
        case(
            &NOT_SYNC,
            &["--url", "ftp://127.0.0.1/uuid"],
            2,
            &["ftp://", "http://"],
        ),
    ]);
}

#[test]
fn threads_and_processes_have_a_ceiling_tasks_do_not() {
    check(&[
        case(
            &[THREADS],
            &["-n", "100000", "-c", "100000"],
            2,
            &["--concurrency 100000", "at most 10000 threads"],
        ),
        case(
            &[PROCESSES],
            &["-n", "100000", "-c", "100000"],
            2,
            &["--concurrency 100000", "at most 256 processes"],
        ),
    ]);
}

#[test]
fn concurrency_is_capped_at_the_number_of_requests() {
    let server = Server::start("0");
    let url = server.url("/uuid");
    for binary in WIDE {
        let output = run(
            binary,
            &["--url", &url, "-n", "3", "-c", "100000", "--json"],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{binary}: {}",
            stderr(&output)
        );
        assert_eq!(summary(&output)["concurrency"], 3, "{binary}");
    }
}

#[test]
fn urls_that_lead_nowhere_fail_each_request_with_its_cause() {
    let closed = closed_port_url();
    check(&[
        // Slides 4 and 7a test a closed port themselves.
        case(
            &[PROCESSES, THREADS, TOKIO],
            &["--url", &closed, "-n", "2"],
            1,
            &[&closed, "refused", "httpbin-lite"],
        ),
    ]);
    // A host that does not resolve is not tested: finding that out means asking the machine's
    // resolver, which is not on loopback, and these tests send nothing beyond 127.0.0.1.
}

#[test]
fn bodies_that_are_not_a_uuid_fail_with_what_is_wrong() {
    let server = Server::start("0");
    let empty = server.url("/status/200");
    let no_uuid = server.url("/get");
    let not_json = canned("<html>502 Bad Gateway</html>");
    let not_a_uuid = canned(r#"{"uuid": "not-a-uuid"}"#);
    let huge = huge_body_url();
    // Slide 4 tests the first four bodies itself, slide 7a a missing uuid and a huge body.
    let not_sync: [&str; 4] = [PROCESSES, THREADS, COROUTINES, TOKIO];
    check(&[
        case(&not_sync, &["--url", &empty, "-n", "1"], 1, &["empty body"]),
        case(
            &not_sync,
            &["--url", &not_json, "-n", "1"],
            1,
            &["not JSON"],
        ),
        case(
            &[PROCESSES, THREADS, TOKIO],
            &["--url", &no_uuid, "-n", "1"],
            1,
            &[r#"no "uuid""#],
        ),
        case(
            &not_sync,
            &["--url", &not_a_uuid, "-n", "1"],
            1,
            &["not a UUID"],
        ),
        // 100 KB: every client stops reading at 64 KiB.
        case(
            &[SYNC, PROCESSES, THREADS, TOKIO],
            &["--url", &huge, "-n", "1"],
            1,
            &["larger than"],
        ),
    ]);
}

#[test]
fn redis_database_numbers_that_do_not_exist() {
    let redis = RedisServer::start(&[]);
    let missing = format!("{}/99", redis.url());
    let not_a_number = format!("{}/abc", redis.url());
    for binary in [PRODUCER, WORKER] {
        for (url, code, words) in [
            (&missing, 1, vec!["no such database", missing.as_str()]),
            (&not_a_number, 2, vec!["--redis", "Invalid database number"]),
        ] {
            let output = Command::new(bin(binary))
                .args(["--redis", url])
                .env_remove("REDIS_URL")
                .output()
                .expect("binary starts");
            let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            assert_one_line(binary, &["--redis", url], &output, code, &words);
        }
    }
}

#[test]
fn the_worker_and_the_child_check_their_own_arguments() {
    check(&[
        case(
            &[WORKER],
            &["--concurrency", "0"],
            2,
            &["--concurrency", "0"],
        ),
        case(
            &[WORKER],
            &["--concurrency", "abc"],
            2,
            &["--concurrency", "abc"],
        ),
        case(
            &[WORKER],
            &["--concurrency", "100001"],
            2,
            &["--concurrency", "100001"],
        ),
        case(
            &[WORKER],
            &["--reclaim-after", "10ms"],
            2,
            &["--reclaim-after", "100ms"],
        ),
        case(
            &[WORKER],
            &["--max-deliveries", "0"],
            2,
            &["--max-deliveries", "0"],
        ),
        case(
            &["slide05-child"],
            &["http://127.0.0.1:9/uuid", "soon", "0"],
            2,
            &["soon"],
        ),
        case(
            &["slide05-child"],
            &["http://127.0.0.1:9/uuid", "1s", "many"],
            2,
            &["RETRIES", "many"],
        ),
    ]);
}

#[test]
fn httpbin_lite_ports_out_of_range_or_in_use_and_bad_faults() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = taken
        .local_addr()
        .expect("bound address")
        .port()
        .to_string();
    check(&[
        case(
            &["httpbin-lite"],
            &["--port", "70000"],
            2,
            &["--port", "70000"],
        ),
        case(&["httpbin-lite"], &["--port", "-1"], 2, &["-1"]),
        case(
            &["httpbin-lite"],
            &["--port", "http"],
            2,
            &["--port", "http"],
        ),
        case(
            &["httpbin-lite"],
            &["--port", &port],
            1,
            &[&port, "in use", "--port"],
        ),
        case(
            &["httpbin-lite"],
            &["--delay", "soon"],
            2,
            &["--delay", "soon"],
        ),
        case(
            &["httpbin-lite"],
            &["--delay", "2"],
            2,
            &["--delay", "no unit"],
        ),
        case(
            &["httpbin-lite"],
            &["--fail-rate", "2"],
            2,
            &["--fail-rate", "0 to 1"],
        ),
    ]);
}
