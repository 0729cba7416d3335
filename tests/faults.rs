//! Fault runs: against an httpbin-lite that fails a fifth of its answers (`--fail-rate 0.2
//! --seed 1`), every slide of the talk counts exactly the failures the server says it injected;
//! with `--retries`, every request succeeds, and each retry was paid for by one injected
//! failure. The queue's producer counts what its worker saw, and its worker retries.

mod support;

use std::process::Output;

use lab::talk::SLIDES;
use support::{Server, Stage, stderr, stdout, summary};

const REQUESTS: usize = 50;

/// Why 10 retries, and not 3. Each try fails with p = 0.2, on its own, so a request fails for
/// good only when all K + 1 of its tries do: p^(K+1). A run of 50 then has some request fail
/// with a chance of about 50 × 0.2^(K+1): with K = 3, 1 − (1 − 0.2^4)^50 ≈ 7.7 % a run — a
/// flaky test; with K = 10, 50 × 0.2^11 ≈ 1e-6 a run, about 6e-6 for the six runs here.
const RETRIES: &str = "10";

/// A fresh server for each run: its seeded generator then injects the same faults every time.
fn faulty_server() -> Server {
    Server::start_with("10ms", &["--fail-rate", "0.2", "--seed", "1"])
}

/// Runs every slide against a fresh faulty server with `--retries RETRIES`, and checks each run
/// with `check(who, output, injected failures)`.
fn every_slide_against_faults(retries: &str, check: fn(&str, &Output, usize)) {
    for slide in SLIDES {
        let server = faulty_server();
        let url = server.url("/uuid");
        let args = [
            "--url",
            &url,
            "-n",
            "50",
            "--retries",
            retries,
            "--json",
            "--quiet",
        ];
        let output = Stage::new(slide).run(&args);
        check(slide.binary, &output, server.injected_failures());
    }
}

#[test]
fn every_slide_counts_exactly_the_failures_the_server_injected() {
    every_slide_against_faults("0", |who, output, injected| {
        let err = stderr(output);
        assert!(injected > 0, "{who}: seed 1 should inject some failures");
        assert_eq!(output.status.code(), Some(1), "{who}: {err}");
        let summary = summary(output);
        assert_eq!(summary.failed, injected, "{who}: {summary:?}");
        assert_eq!(
            summary.failures.get("status"),
            Some(&injected),
            "{who}: {summary:?}"
        );
        assert_eq!(summary.ok, REQUESTS - injected, "{who}: {summary:?}");
        assert_eq!(summary.retries, 0, "{who}: {summary:?}");
        assert_eq!(err.lines().count(), 1, "{who}: {err}");
        let said = err.contains("injected") || err.contains("HTTP status 50");
        assert!(said, "{who}: {err}");
    });
}

#[test]
fn with_retries_every_slide_gets_every_answer() {
    every_slide_against_faults(RETRIES, |who, output, injected| {
        let err = stderr(output);
        assert!(injected > 0, "{who}: seed 1 should inject some failures");
        assert_eq!(output.status.code(), Some(0), "{who}: {err}");
        let summary = summary(output);
        assert_eq!(
            (summary.ok, summary.unique),
            (REQUESTS, REQUESTS),
            "{who}: {summary:?}"
        );
        assert_eq!(summary.failed, 0, "{who}: {summary:?}");
        // Every retry was paid for by one injected failure.
        assert_eq!(summary.retries, injected, "{who}: {summary:?}");
        assert_eq!(
            summary.retried.get("status"),
            Some(&injected),
            "{who}: {summary:?}"
        );
        assert!(!err.contains("panicked"), "{who}: {err}");
    });
}

#[test]
fn only_what_may_go_better_is_tried_again() {
    for slide in SLIDES {
        let (who, stage) = (slide.binary, Stage::new(slide));
        // A 404 stays a 404: tried once.
        let server = Server::start("0");
        let not_found = server.url("/status/404");
        let output = stage.run(&["--url", &not_found, "-n", "1", "--retries", "3"]);
        assert_eq!(output.status.code(), Some(1), "{who}: {}", stderr(&output));
        assert_eq!(server.served(), 1, "{who}: a 404 was retried");

        // A 503 may pass: tried 1 + 2 times, each cause printed with the result.
        let unavailable = server.url("/status/503");
        let output = stage.run(&["--url", &unavailable, "-n", "1", "--retries", "2"]);
        assert_eq!(output.status.code(), Some(1), "{who}: {}", stderr(&output));
        assert_eq!(server.served(), 4, "{who}: 1 + 3 requests");
        let text = stdout(&output);
        let causes = "after 2 retries: HTTP status 503; HTTP status 503";
        assert!(text.contains(causes), "{who}: {text}");
        assert!(text.contains(" 2 retries,"), "{who}: {text}");
    }
}
