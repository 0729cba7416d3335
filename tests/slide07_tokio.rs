//! Slide 7: tokio keeps all 50 requests in flight on one thread; `--concurrency` bounds it.

mod support;

use std::time::Duration;

use support::{
    Server, finish_within, printed_uuids, run, spawn, stderr, summary, thread_count, wait_until,
};

/// Long enough that all requests overlap, even on a busy machine.
const DELAY: &str = "500ms";

#[test]
fn tokio_keeps_all_50_in_flight() {
    let server = Server::start(DELAY);
    let url = server.url("/uuid");
    let output = run(
        "slide07-tokio",
        &["--url", &url, "--requests", "50", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let summary = summary(&output);
    assert_eq!(summary["model"], "tokio");
    assert_eq!(
        summary["concurrency"], 50,
        "every request at once, like asyncio.gather"
    );
    assert_eq!(
        (summary["ok"].as_u64(), summary["unique"].as_u64()),
        (Some(50), Some(50))
    );
    assert_eq!(printed_uuids(&output).len(), 50);
    assert_eq!(server.peak_in_flight(), 50);
    assert_eq!(server.stats()["served"], 50);
}

#[test]
fn one_process_one_thread_yet_all_50_in_flight() {
    let server = Server::start("2s");
    let url = server.url("/uuid");
    let slide = spawn("slide07-tokio", &["--url", &url, "-n", "50", "--quiet"]);
    let pid = slide.id();
    wait_until("50 requests in flight", Duration::from_secs(20), || {
        server.stats()["in_flight"] == 50
    });
    assert_eq!(
        thread_count(pid),
        1,
        "the current-thread runtime is the main thread"
    );
    let output = finish_within(slide, Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn concurrency_c_bounds_the_tasks_in_flight() {
    let server = Server::start(DELAY);
    let url = server.url("/uuid");
    let output = run(
        "slide07-tokio",
        &["--url", &url, "-n", "20", "-c", "7", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = summary(&output);
    assert_eq!(summary["concurrency"], 7);
    assert_eq!(summary["unique"], 20);
    assert_eq!(server.peak_in_flight(), 7);
}

#[test]
fn http_errors_count_as_failures() {
    let server = Server::start("0");
    let url = server.url("/status/503");
    let output = run("slide07-tokio", &["--url", &url, "-n", "5", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(0), Some(5))
    );
    assert_eq!(summary["failures"]["status"], 5);
    assert!(stderr(&output).contains("503"), "{}", stderr(&output));
}

#[test]
fn bad_flags_get_one_clear_line() {
    // (arguments, words stderr must contain)
    let cases: [(&[&str], &[&str]); 2] = [
        (&["--concurrency", "0"], &["--concurrency", "0"]),
        (&["--runtime", "multi-thread"], &["--runtime"]),
    ];
    for (args, words) in cases {
        let output = run("slide07-tokio", args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        for word in words {
            assert!(err.contains(word), "{args:?}: {err:?} should say {word:?}");
        }
    }
}
