//! Slide 4: sync makes one request at a time, and says clearly what went wrong.

mod support;

use std::collections::HashSet;

use support::{Server, canned, closed_port_url, run, stderr, stdout, summary};

#[test]
fn sync_makes_one_request_at_a_time() {
    let server = Server::start("20ms");
    let output = run(
        "slide04-sync",
        &["--url", &server.url("/uuid"), "--requests", "5", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let summary = summary(&output);
    assert_eq!(summary["slide"], "slide04-sync");
    assert_eq!(summary["model"], "sync");
    assert_eq!(
        (summary["requests"].as_u64(), summary["ok"].as_u64()),
        (Some(5), Some(5))
    );
    assert_eq!(
        (summary["unique"].as_u64(), summary["failed"].as_u64()),
        (Some(5), Some(0))
    );
    assert_eq!(summary["concurrency"], 1);
    assert!(summary["wall_s"].as_f64().is_some_and(|s| s > 0.0));

    // Each response is printed as it arrives: `  0.021s  #01  <uuid>`.
    let printed: HashSet<uuid::Uuid> = stdout(&output)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .filter_map(|word| uuid::Uuid::parse_str(word).ok())
        .collect();
    assert_eq!(printed.len(), 5);

    // The server's own count proves it: never two requests at once.
    assert_eq!(server.peak_in_flight(), 1);
    assert_eq!(server.stats()["served"], 5);
}

#[test]
fn quiet_prints_only_the_summary() {
    let server = Server::start("0");
    let output = run(
        "slide04-sync",
        &["--url", &server.url("/uuid"), "-n", "3", "--quiet"],
    );
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("slide04-sync: 3/3 ok, 3 unique, "),
        "{text}"
    );
}

#[test]
fn bad_input_gets_one_clear_line_and_a_non_zero_exit() {
    let server = Server::start("0");
    let closed = closed_port_url();
    let empty = server.url("/status/200");
    let no_uuid = server.url("/get");
    let error_status = server.url("/status/503");
    let slow = server.url("/delay/2");
    let not_json = canned("<html>502 Bad Gateway</html>");
    let bad_uuid = canned(r#"{"uuid": "not-a-uuid"}"#);

    // (arguments, exit code, words stderr must contain)
    let cases: Vec<(Vec<&str>, i32, Vec<&str>)> = vec![
        (vec!["--requests", "abc"], 2, vec!["--requests", "abc"]),
        (vec!["--requests", "0"], 2, vec!["--requests", "0"]),
        (vec!["--requests", "-3"], 2, vec!["-3"]),
        (
            vec!["--concurrency", "4"],
            2,
            vec!["unexpected argument '--concurrency'"],
        ),
        (vec!["--timeout", "soon"], 2, vec!["--timeout", "soon"]),
        (
            vec!["--timeout", "300000000000000000m"],
            2,
            vec!["--timeout", "out of range"],
        ),
        (
            vec!["--url", "not-a-url"],
            2,
            vec!["not-a-url", "is not a URL"],
        ),
        (
            vec!["--url", "ftp://127.0.0.1/uuid"],
            2,
            vec!["ftp://", "http://"],
        ),
        (
            vec!["--url", &closed, "-n", "2"],
            1,
            vec![&closed, "refused", "httpbin-lite", "--url"],
        ),
        (vec!["--url", &empty, "-n", "1"], 1, vec!["empty body"]),
        (vec!["--url", &not_json, "-n", "1"], 1, vec!["not JSON"]),
        (vec!["--url", &no_uuid, "-n", "1"], 1, vec![r#"no "uuid""#]),
        (vec!["--url", &bad_uuid, "-n", "1"], 1, vec!["not a UUID"]),
        (vec!["--url", &error_status, "-n", "1"], 1, vec!["503"]),
        (
            vec!["--url", &slow, "-n", "1", "--timeout", "200ms"],
            1,
            vec!["timed out", "200ms"],
        ),
    ];
    for (args, code, words) in cases {
        let output = run("slide04-sync", &args);
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
fn a_failed_request_is_counted_not_fatal() {
    let server = Server::start("0");
    let output = run(
        "slide04-sync",
        &["--url", &server.url("/status/500"), "-n", "3", "--json"],
    );
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(summary["failures"]["status"], 3);
    assert!(
        summary["first_error"]
            .as_str()
            .is_some_and(|e| e.contains("500"))
    );
    // All three were tried: the run goes on after a failure.
    assert_eq!(server.stats()["served"], 3);
}
