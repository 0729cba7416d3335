//! HTTP/2 at scale: under HTTP/1.1 each request in flight needs a connection of its own (slide
//! 7); slide 7c sends them all as streams of one connection. And the trap: past the
//! server's stream limit the client queues the rest, and the wait counts against each
//! request's timeout. httpbin-lite's /stats counts connections and HTTP/2 requests.

mod support;

use support::{Server, assert_succeeded, run, stderr, summary};

fn stat(server: &Server, name: &str) -> u64 {
    server.stats()[name].as_u64().unwrap_or_default()
}

#[test]
fn http2_sends_every_request_as_a_stream_of_one_connection() {
    for (slide, connections, http2) in [("slide07c-http2", 1, 40), ("slide07-tokio", 40, 0)] {
        let server = Server::start("300ms");
        let url = server.url("/uuid");
        let output = run(slide, &["--url", &url, "-n", "40", "--json"]);
        assert_succeeded(slide, &output);
        assert_eq!(summary(&output).ok, 40, "{slide}");
        assert_eq!(
            server.peak_in_flight(),
            40,
            "{slide}: all at once either way"
        );
        let seen = (stat(&server, "connections"), stat(&server, "http2"));
        assert_eq!(
            seen,
            (connections, http2),
            "{slide}: (connections, HTTP/2 requests)"
        );
    }
}

#[test]
fn past_the_stream_limit_the_queue_counts_against_the_timeout() {
    // 5 streams at a time, 500 ms each: requests queued behind three waves of others wait
    // longer than their 1.2 s timeout, although the server never saw them late.
    let server = Server::start_with("500ms", &["--h2-max-streams", "5"]);
    let url = server.url("/uuid");
    let args = ["--url", &url, "-n", "20", "--timeout", "1200ms", "--json"];
    let output = run("slide07c-http2", &args);
    let summary = summary(&output);
    // The limit holds: a stream's slot frees as its answer goes out, a moment before the
    // server's count drops, so one more may be counted then; without the limit it would be 20.
    let peak = server.peak_in_flight();
    assert!(
        (5..=6).contains(&peak),
        "the server's limit holds: peak {peak}"
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(summary.ok >= 5 && summary.ok < 20, "{summary:?}");
    assert_eq!(
        summary.failures.get("timeout"),
        Some(&(20 - summary.ok)),
        "{summary:?}"
    );
}
