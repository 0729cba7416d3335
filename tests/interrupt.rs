//! Ctrl-C and SIGTERM, for every binary: it stops at once — not after the requests still out —
//! prints the summary of what got done, exits 130 or 143, and leaves nothing running behind.
//!
//! Elsewhere: slide 5's pool reaping its children on either signal is in `slide05_multiprocess.rs`
//! (`ctrl_c_or_sigterm_stops_and_reaps_every_child`), and the worker finishing its jobs in
//! flight on the first signal is in `slide08_queue.rs`
//! (`sigterm_finishes_the_jobs_in_flight_takes_no_new_one_and_exits_0`).

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::redis::RedisServer;
use support::{
    Server, bin, children_of, finish_within, process_exists, send_signal, spawn, stderr, summary,
    wait_until,
};

/// A guard against a hang, never a measure of speed.
const LIMIT: Duration = Duration::from_secs(15);

/// Each answer takes longer than `LIMIT`: a binary that waited for its requests instead of
/// stopping would fail the test.
const SLOW: &str = "30s";

const SIGNALS: [(&str, i32); 2] = [("INT", 130), ("TERM", 143)];

/// Starts `slide` on 20 slow requests, signals it once a request is in flight, and checks it
/// stopped at once with the partial summary, the right code, and nothing left behind.
fn stops_at_once_and_sums_up(slide: &str, extra: &[&str]) {
    for (signal, code) in SIGNALS {
        let server = Server::start(SLOW);
        let url = server.url("/uuid");
        let mut args = vec!["--url", &url, "-n", "20", "--timeout", "1m", "--json"];
        args.extend(extra);
        let running = spawn(slide, &args);
        let pid = running.id();
        wait_until("a request in flight", LIMIT, || {
            server.stats()["in_flight"].as_u64() > Some(0)
        });
        let children = children_of(pid);
        send_signal(pid, signal);
        let output = finish_within(running, LIMIT);

        let err = stderr(&output);
        let who = format!("{slide} {extra:?} SIG{signal}");
        assert!(!err.contains("panicked"), "{who}: {err}");
        assert_eq!(output.status.code(), Some(code), "{who}: {err}");
        // The partial summary: nothing answered yet, all 20 interrupted.
        let summary = summary(&output);
        assert_eq!(
            summary["interrupted"],
            format!("SIG{signal}"),
            "{who}: {summary}"
        );
        assert_eq!(
            (
                summary["ok"].as_u64(),
                summary["failures"]["interrupted"].as_u64()
            ),
            (Some(0), Some(20)),
            "{who}: {summary}"
        );
        let said = format!("SIG{signal}: stopped after 0 of 20 requests; not finished: #1-#20");
        assert!(err.contains(&said), "{who}: {err}");
        // Nothing left behind: no child process, and no request the server still serves.
        for child in children {
            assert!(!process_exists(child), "{who}: {child} outlived it");
        }
        wait_until("the server to see the requests go", LIMIT, || {
            server.stats()["in_flight"] == 0
        });
    }
}

#[test]
fn sync_stops_mid_request() {
    stops_at_once_and_sums_up("slide04-sync", &[]);
}

#[test]
fn threads_stop_though_all_are_blocked() {
    stops_at_once_and_sums_up("slide06-threads", &["-c", "5"]);
}

#[test]
fn coroutines_stop_between_two_polls() {
    stops_at_once_and_sums_up("slide07a-coroutines", &[]);
}

#[test]
fn tokio_hears_the_signal_as_one_more_event() {
    stops_at_once_and_sums_up("slide07-tokio", &[]);
}

#[test]
fn the_producer_stops_waiting_and_its_jobs_stay_queued_for_the_workers() {
    for (signal, code) in SIGNALS {
        let redis = RedisServer::start(&[]);
        let server = Server::start("0");
        let url = server.url("/uuid");
        let args = ["--url", &url, "-n", "5", "--json", "--give-up-after", "1m"];
        let producer = Command::new(bin("slide08-producer"))
            .args(["--redis", &redis.url()])
            .args(args)
            .env_remove("REDIS_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("slide08-producer starts");
        wait_until("5 jobs on the queue", LIMIT, || {
            redis.cmd(&["XLEN", "{slides}:jobs"]).int() == 5
        });
        send_signal(producer.id(), signal);
        let output = finish_within(producer, LIMIT);

        let err = stderr(&output);
        assert!(!err.contains("panicked"), "SIG{signal}: {err}");
        assert_eq!(output.status.code(), Some(code), "SIG{signal}: {err}");
        assert_eq!(summary(&output)["failures"]["interrupted"], 5);
        assert!(err.contains("not finished: #1-#5"), "{err}");
        assert!(err.contains("stay queued on Redis"), "{err}");

        // They did stay: a worker started now runs them and publishes their results.
        assert_eq!(redis.cmd(&["XLEN", "{slides}:jobs"]).int(), 5);
        let mut worker = Command::new(bin("slide08-worker"))
            .args(["--redis", &redis.url()])
            .env_remove("REDIS_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slide08-worker starts");
        wait_until("the 5 results", LIMIT, || {
            let keys = redis.cmd(&["KEYS", "{slides}:results:*"]);
            keys.list()
                .first()
                .is_some_and(|key| redis.cmd(&["LLEN", key.text()]).int() == 5)
        });
        let _ = worker.kill();
        let _ = worker.wait();
        assert_eq!(server.stats()["served"], 5);
    }
}

#[test]
fn a_second_signal_stops_the_worker_at_once_and_its_job_waits_for_another() {
    for (signal, code) in SIGNALS {
        let redis = RedisServer::start(&[]);
        let server = Server::start(SLOW);
        // Its stdout in a file, to see when it has heard the first signal.
        let log = std::env::temp_dir().join(format!(
            "async-slides-worker-{}-{signal}.log",
            std::process::id()
        ));
        let stdout = std::fs::File::create(&log).expect("create the worker's log");
        let said = || std::fs::read_to_string(&log).unwrap_or_default();
        let worker = Command::new(bin("slide08-worker"))
            .args(["--redis", &redis.url()])
            .env_remove("REDIS_URL")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .expect("slide08-worker starts");
        let enqueued = Command::new(bin("slide08-producer"))
            .args(["--redis", &redis.url(), "--url", &server.url("/uuid")])
            .args(["-n", "1", "--no-wait", "--timeout", "1m"])
            .env_remove("REDIS_URL")
            .output()
            .expect("slide08-producer runs");
        assert_eq!(enqueued.status.code(), Some(0), "{}", stderr(&enqueued));
        wait_until("the job in flight", LIMIT, || {
            server.stats()["in_flight"] == 1
        });

        // The first signal: finish the job in flight (30 s); the second: go now.
        send_signal(worker.id(), signal);
        wait_until("the worker to stop taking jobs", LIMIT, || {
            said().contains("finishing 1 jobs in flight")
        });
        send_signal(worker.id(), signal);
        let output = finish_within(worker, LIMIT);
        let _ = std::fs::remove_file(&log);

        let err = stderr(&output);
        assert!(!err.contains("panicked"), "SIG{signal}: {err}");
        assert_eq!(output.status.code(), Some(code), "SIG{signal}: {err}");
        assert!(err.contains("second signal, exiting now"), "{err}");
        // Unsettled, so another worker takes it over after its --reclaim-after.
        assert_eq!(redis.pending(None), 1);
    }
}
