//! Fault runs: against an httpbin-lite that fails a fifth of its answers (`--fail-rate 0.2
//! --seed 1`), every slide counts exactly the failures the server says it injected; with
//! `--retries`, every request succeeds, and each retry was paid for by one injected failure.

mod support;

use std::process::{Child, Command, Output, Stdio};

use support::redis::RedisServer;
use support::{Server, bin, run, stderr, stdout, summary};

const SLIDES: [&str; 5] = [
    "slide04-sync",
    "slide05-multiprocess",
    "slide06-threads",
    "slide07a-coroutines",
    "slide07-tokio",
];

const REQUESTS: u64 = 50;

/// Why 10 retries, where the issue says 3. Each try fails with p = 0.2, on its own, so a request
/// fails for good only when all K + 1 of its tries do: p^(K+1). A run of 50 then has some
/// request fail with a chance of about 50 × 0.2^(K+1): with K = 3, 1 − (1 − 0.2^4)^50 ≈ 7.7 % a
/// run — a flaky test; with K = 10, 50 × 0.2^11 ≈ 1e-6 a run, about 6e-6 for the six runs here.
const RETRIES: &str = "10";

/// A fresh server for each run: its seeded generator then injects the same faults every time.
fn faulty_server() -> Server {
    Server::start_with("10ms", &["--fail-rate", "0.2", "--seed", "1"])
}

fn injected_failures(server: &Server) -> u64 {
    server.stats()["injected"]["failed"]
        .as_u64()
        .expect("/stats counts injected failures")
}

/// Checks a run that was not retried: exactly the injected failures, each a 5xx, and the rest ok.
fn assert_counts_every_injected_failure(who: &str, output: &Output, injected: u64) {
    let err = stderr(output);
    assert!(injected > 0, "{who}: seed 1 should inject some failures");
    assert_eq!(output.status.code(), Some(1), "{who}: {err}");
    let summary = summary(output);
    assert_eq!(summary["failed"], injected, "{who}: {summary}");
    assert_eq!(summary["failures"]["status"], injected, "{who}: {summary}");
    assert_eq!(summary["ok"], REQUESTS - injected, "{who}: {summary}");
    assert_eq!(summary["retries"], 0, "{who}: {summary}");
    assert_eq!(err.lines().count(), 1, "{who}: {err}");
    assert!(
        err.contains("injected") || err.contains("HTTP status 50"),
        "{who}: {err}"
    );
}

/// Checks a run with retries: every request ok, one retry per injected failure.
fn assert_retried_every_injected_failure(who: &str, output: &Output, injected: u64) {
    let err = stderr(output);
    assert!(injected > 0, "{who}: seed 1 should inject some failures");
    assert_eq!(output.status.code(), Some(0), "{who}: {err}");
    let summary = summary(output);
    assert_eq!(summary["ok"], REQUESTS, "{who}: {summary}");
    assert_eq!(summary["unique"], REQUESTS, "{who}: {summary}");
    assert_eq!(summary["failed"], 0, "{who}: {summary}");
    assert_eq!(summary["retries"], injected, "{who}: {summary}");
    assert_eq!(summary["retried"]["status"], injected, "{who}: {summary}");
    assert!(!err.contains("panicked"), "{who}: {err}");
}

#[test]
fn every_slide_counts_exactly_the_failures_the_server_injected() {
    for slide in SLIDES {
        let server = faulty_server();
        let url = server.url("/uuid");
        let output = run(slide, &["--url", &url, "-n", "50", "--json", "--quiet"]);
        assert_counts_every_injected_failure(slide, &output, injected_failures(&server));
    }
}

#[test]
fn with_retries_every_slide_gets_every_answer() {
    for slide in SLIDES {
        let server = faulty_server();
        let url = server.url("/uuid");
        let args = [
            "--url",
            &url,
            "-n",
            "50",
            "--retries",
            RETRIES,
            "--json",
            "--quiet",
        ];
        let output = run(slide, &args);
        assert_retried_every_injected_failure(slide, &output, injected_failures(&server));
    }
}

#[test]
fn the_queue_counts_them_too_and_its_workers_retry() {
    let redis = RedisServer::start(&[]);
    let _worker = Worker::start(&redis);
    for retries in ["0", RETRIES] {
        let server = faulty_server();
        let url = server.url("/uuid");
        let output = producer(&redis, &["--url", &url, "-n", "50", "--retries", retries]);
        let injected = injected_failures(&server);
        if retries == "0" {
            assert_counts_every_injected_failure("slide08-producer", &output, injected);
        } else {
            assert_retried_every_injected_failure("slide08-producer", &output, injected);
        }
    }
}

#[test]
fn only_what_may_go_better_is_tried_again() {
    for slide in SLIDES {
        // A 404 stays a 404: tried once.
        let server = Server::start("0");
        let args = [
            "--url",
            &server.url("/status/404"),
            "-n",
            "1",
            "--retries",
            "3",
        ];
        let output = run(slide, &args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{slide}: {}",
            stderr(&output)
        );
        assert_eq!(server.stats()["served"], 1, "{slide}: a 404 was retried");

        // A 503 may pass: tried 1 + 2 times, each cause printed with the result.
        let args = [
            "--url",
            &server.url("/status/503"),
            "-n",
            "1",
            "--retries",
            "2",
        ];
        let output = run(slide, &args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{slide}: {}",
            stderr(&output)
        );
        assert_eq!(server.stats()["served"], 4, "{slide}: 1 + 3 requests");
        let text = stdout(&output);
        assert!(
            text.contains("after 2 retries: HTTP status 503; HTTP status 503"),
            "{slide}: {text}"
        );
        assert!(text.contains(" 2 retries,"), "{slide}: {text}");
    }
}

/// Runs the producer with `--json --quiet` to the end.
fn producer(redis: &RedisServer, args: &[&str]) -> Output {
    Command::new(bin("slide08-producer"))
        .args([
            "--redis",
            &redis.url(),
            "--give-up-after",
            "30s",
            "--json",
            "--quiet",
        ])
        .args(args)
        .env_remove("REDIS_URL")
        .stdin(Stdio::null())
        .output()
        .expect("slide08-producer starts")
}

/// A worker for the run, stopped when dropped.
struct Worker(Child);

impl Worker {
    fn start(redis: &RedisServer) -> Worker {
        let child = Command::new(bin("slide08-worker"))
            .args(["--redis", &redis.url()])
            .env_remove("REDIS_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slide08-worker starts");
        Worker(child)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
