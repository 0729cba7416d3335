//! Slide 7a: coroutines by hand read their own HTTP, so they put answers back together whatever
//! pieces they come in, stop reading at 64 KiB, and fail each request cleanly when a server
//! closes early. (What every slide shows, all 50 in flight on one thread among it, is in
//! `slides.rs`; the answers every slide refuses are in `bad_answers.rs`.)

mod support;

use std::time::Duration;

use support::{assert_one_line, huge_body_url, run, scripted, stderr, summary};

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
fn chunked_answers_are_put_back_together() {
    let url = scripted(CHUNKED_RESPONSE, usize::MAX, Duration::ZERO);
    let output = run(SLIDE, &["--url", &url, "-n", "3", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(summary(&output).ok, 3);
}

#[test]
fn answers_that_arrive_in_small_pieces_still_parse() {
    // A few bytes at a time, with pauses: each task reads a piece, yields, and reads on.
    for response in [UUID_RESPONSE, CHUNKED_RESPONSE] {
        let url = scripted(response, 3, Duration::from_millis(2));
        let output = run(SLIDE, &["--url", &url, "-n", "10", "--json"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{response:?}: {err}");
        assert_eq!(summary(&output).ok, 10, "{response:?}");
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
        let who = format!("{response:?}");
        let closed = "the server closed the connection";
        assert_one_line(&who, &output, 1, &[closed, words]);
        let summary = summary(&output);
        assert_eq!(summary.failures.get("network"), Some(&4), "{summary:?}");
    }
}

#[test]
fn a_body_past_64_kib_is_not_read() {
    let url = huge_body_url(70_000);
    let output = run(SLIDE, &["--url", &url, "-n", "2"]);
    assert_one_line("a 70 KB body", &output, 1, &["larger than 64 KiB"]);
}
