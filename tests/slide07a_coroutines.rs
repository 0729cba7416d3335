//! Slide 7a: coroutines by hand keep every request in flight from one thread, put answers
//! back together whatever pieces they come in, and fail one request at a time.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::{Server, bin, canned, closed_port_url, run, scripted, stderr, summary};

const SLIDE: &str = "slide07a-coroutines";

/// httpbin's `/uuid` answer, byte for byte, with a Content-Length.
const UUID_RESPONSE: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
    content-length: 53\r\n\r\n{\n  \"uuid\": \"0b7e3b6a-7e44-4b6a-9d3b-2f3f8e1c5a10\"\n}\n";

/// The same body in three chunks, one with an extension, and a trailer after the last.
const CHUNKED_RESPONSE: &str = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
    transfer-encoding: chunked\r\n\r\n\
    5\r\n{\n  \"\r\n\
    10;note=x\r\nuuid\": \"0b7e3b6a\r\n\
    20\r\n-7e44-4b6a-9d3b-2f3f8e1c5a10\"\n}\n\r\n\
    0\r\nx-trailer: yes\r\n\r\n";

#[test]
#[cfg(target_os = "linux")]
fn coroutines_keep_all_50_in_flight_on_one_thread() {
    let server = Server::start("500ms");
    let mut child = Command::new(bin(SLIDE))
        .args(["--url", &server.url("/uuid"), "-n", "50", "--json"])
        .env_remove("SLIDES_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the slide starts");
    // While all 50 requests wait at the server, ask the kernel how many threads the slide has.
    let threads = loop {
        if server.stats()["in_flight"] == 50 {
            break threads_of(child.id());
        }
        let ended = child.try_wait().expect("the slide can be waited on");
        assert!(
            ended.is_none(),
            "the slide ended before 50 requests were in flight"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = child.wait_with_output().expect("the slide ends");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(threads, 1, "50 requests in flight, and only one thread");

    let summary = summary(&output);
    assert_eq!(summary["slide"], SLIDE);
    assert_eq!(summary["model"], "coroutines");
    assert_eq!(
        (summary["ok"].as_u64(), summary["unique"].as_u64()),
        (Some(50), Some(50))
    );
    assert_eq!(summary["concurrency"], 50);
    assert_eq!(server.peak_in_flight(), 50);
}

/// The `Threads:` line of /proc/PID/status.
#[cfg(target_os = "linux")]
fn threads_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc is there");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|count| count.trim().parse().ok())
        .expect("a Threads: line")
}

#[test]
fn concurrency_caps_the_tasks_in_flight() {
    let server = Server::start("100ms");
    let output = run(
        SLIDE,
        &[
            "--url",
            &server.url("/uuid"),
            "-n",
            "20",
            "-c",
            "5",
            "--json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = summary(&output);
    assert_eq!(
        (summary["ok"].as_u64(), summary["unique"].as_u64()),
        (Some(20), Some(20))
    );
    assert_eq!(summary["concurrency"], 5);
    assert_eq!(server.peak_in_flight(), 5);
}

#[test]
fn chunked_answers_are_put_back_together() {
    let url = scripted(CHUNKED_RESPONSE, usize::MAX, Duration::ZERO);
    let output = run(SLIDE, &["--url", &url, "-n", "3", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(summary(&output)["ok"], 3);
}

#[test]
fn answers_that_arrive_in_small_pieces_still_parse() {
    // A few bytes at a time, with pauses: each task reads a piece, yields, and reads on.
    for response in [UUID_RESPONSE, CHUNKED_RESPONSE] {
        let url = scripted(response, 3, Duration::from_millis(2));
        let output = run(SLIDE, &["--url", &url, "-n", "10", "--json"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{response:?}: {}",
            stderr(&output)
        );
        assert_eq!(summary(&output)["ok"], 10, "{response:?}");
    }
}

#[test]
fn a_server_that_closes_early_is_a_clean_failure() {
    // Cut off mid-body (half the Content-Length, or before the last chunk), or no answer at all.
    let half = &UUID_RESPONSE[..UUID_RESPONSE.len() - 26];
    let no_last_chunk = &CHUNKED_RESPONSE[..CHUNKED_RESPONSE.find("0\r\nx-trailer").unwrap()];
    let cases = [
        (half, "before the response was complete"),
        (no_last_chunk, "before the response was complete"),
        ("", "without an answer"),
    ];
    for (response, words) in cases {
        let url = scripted(response, 8, Duration::from_millis(1));
        let output = run(SLIDE, &["--url", &url, "-n", "4", "--json"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{response:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("the server closed the connection"), "{err}");
        assert!(
            err.contains(words),
            "{response:?}: {err:?} should say {words:?}"
        );
        assert!(!err.contains("panicked"), "{err}");
        let summary = summary(&output);
        assert_eq!(summary["failures"]["network"], 4, "{summary}");
    }
}

#[test]
fn bad_input_gets_one_clear_line_and_a_non_zero_exit() {
    let server = Server::start("0");
    let closed = closed_port_url();
    let error_status = server.url("/status/503");
    let slow = server.url("/delay/2");
    let no_uuid = server.url("/get");
    let huge: &'static str = Box::leak(format!(r#"{{"uuid": "{}"}}"#, "x".repeat(70_000)).into());
    let too_big = canned(huge);

    // (arguments, exit code, words stderr must contain)
    let cases: Vec<(Vec<&str>, i32, Vec<&str>)> = vec![
        (
            vec!["--url", "https://httpbin.org/uuid"],
            2,
            vec!["https://httpbin.org/uuid", "no TLS", "http://"],
        ),
        (
            vec!["--url", &closed, "-n", "3"],
            1,
            vec![&closed, "refused", "httpbin-lite"],
        ),
        (vec!["--url", &error_status, "-n", "2"], 1, vec!["503"]),
        (
            vec!["--url", &slow, "-n", "2", "--timeout", "200ms"],
            1,
            vec!["timed out", "200ms"],
        ),
        (vec!["--url", &no_uuid, "-n", "1"], 1, vec![r#"no "uuid""#]),
        (
            vec!["--url", &too_big, "-n", "2"],
            1,
            vec!["larger than 64 KiB"],
        ),
    ];
    for (args, code, words) in cases {
        let output = run(SLIDE, &args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(code), "{args:?}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{args:?}: want one line, got {err:?}"
        );
        for word in words {
            assert!(err.contains(word), "{args:?}: {err:?} should say {word:?}");
        }
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn each_request_fails_on_its_own() {
    let output = run(SLIDE, &["--url", &closed_port_url(), "-n", "5", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(0), Some(5))
    );
    assert_eq!(summary["failures"]["refused"], 5);
}
