//! Slide 6: forty threads keep forty requests in flight, and never more threads than requests.

mod support;

use std::time::Duration;

use support::{
    Server, finish_within, printed_uuids, run, spawn, stderr, summary, thread_count, wait_until,
};

/// Long enough that every thread's request overlaps every other's, even on a busy machine.
const DELAY: &str = "500ms";

#[test]
fn forty_threads_keep_forty_requests_in_flight() {
    let server = Server::start(DELAY);
    let url = server.url("/uuid");
    let output = run(
        "slide06-threads",
        &["--url", &url, "--requests", "50", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let summary = summary(&output);
    assert_eq!(summary["model"], "threads");
    assert_eq!(summary["concurrency"], 40, "the talk's max_workers=40");
    assert_eq!(
        (summary["ok"].as_u64(), summary["unique"].as_u64()),
        (Some(50), Some(50))
    );
    assert_eq!(printed_uuids(&output).len(), 50);

    // The server saw the 40 threads' requests at once; the other 10 went to the first threads
    // to be free.
    assert_eq!(server.peak_in_flight(), 40);
    assert_eq!(server.stats()["served"], 50);
}

#[test]
fn each_request_in_flight_is_a_thread_of_its_own() {
    let server = Server::start("2s");
    let url = server.url("/uuid");
    let slide = spawn("slide06-threads", &["--url", &url, "-n", "8", "--quiet"]);
    let pid = slide.id();
    wait_until("8 requests in flight", Duration::from_secs(20), || {
        server.stats()["in_flight"] == 8
    });
    // main, and one thread per request it is waiting on.
    assert!(thread_count(pid) > 8, "{} threads", thread_count(pid));
    let output = finish_within(slide, Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn never_more_threads_than_requests() {
    let server = Server::start(DELAY);
    let url = server.url("/uuid");
    let output = run("slide06-threads", &["--url", &url, "-n", "10", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(summary(&output)["concurrency"], 10);
    assert_eq!(server.peak_in_flight(), 10);
}

#[test]
fn concurrency_c_keeps_c_in_flight() {
    let server = Server::start(DELAY);
    let url = server.url("/uuid");
    let output = run(
        "slide06-threads",
        &["--url", &url, "-n", "20", "-c", "7", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = summary(&output);
    assert_eq!(summary["concurrency"], 7);
    assert_eq!(summary["unique"], 20);
    assert_eq!(server.peak_in_flight(), 7);
}

#[test]
fn a_failed_request_is_counted_not_fatal() {
    let server = Server::start("0");
    let url = server.url("/status/503");
    let output = run("slide06-threads", &["--url", &url, "-n", "6", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(0), Some(6))
    );
    assert_eq!(summary["failures"]["status"], 6);
    assert_eq!(server.stats()["served"], 6);
}

#[test]
fn a_concurrency_of_zero_is_a_usage_error() {
    let output = run("slide06-threads", &["--concurrency", "0"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--concurrency") && err.contains('0'), "{err}");
}
