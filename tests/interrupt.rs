//! Ctrl-C and SIGTERM, for every binary: it stops at once — not after the requests still out —
//! prints the summary of what got done, exits 130 or 143, and leaves nothing running behind.
//!
//! Elsewhere: slide 5's pool reaping its children on either signal is in `slide05_multiprocess.rs`
//! (`ctrl_c_or_sigterm_stops_and_reaps_every_child`), and the worker finishing its jobs in
//! flight on the first signal is in `queue.rs`
//! (`sigterm_finishes_the_jobs_in_flight_takes_no_new_one_and_exits_0`).

mod support;

use std::time::Duration;

use support::queue::{Producer, Worker, producer};
use support::redis::RedisServer;
use support::{
    Server, assert_stopped_by, children_of, finish_within, process_exists, send_signal, spawn,
    stderr, wait_until,
};

/// A guard against a hang, never a measure of speed; shorter than each answer takes.
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
        wait_until("a request in flight", LIMIT, || server.in_flight() > 0);
        let children = children_of(pid);
        send_signal(pid, signal);
        let output = finish_within(running, LIMIT);

        let who = format!("{slide} {extra:?} SIG{signal}");
        // The partial summary: nothing answered yet, all 20 interrupted.
        let err = assert_stopped_by(&who, &output, signal, code, 20);
        let said = format!("SIG{signal}: stopped after 0 of 20 requests; not finished: #1-#20");
        assert!(err.contains(&said), "{who}: {err}");
        // Nothing left behind: no child process, and no request the server still serves.
        for child in children {
            assert!(!process_exists(child), "{who}: {child} outlived it");
        }
        wait_until("the server to see the requests go", LIMIT, || {
            server.in_flight() == 0
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
fn a_blocked_loop_is_stopped_by_a_thread_that_listens() {
    stops_at_once_and_sums_up("slide07b-blocking", &[]);
}

#[test]
fn the_producer_stops_waiting_and_its_jobs_stay_queued_for_the_workers() {
    for (signal, code) in SIGNALS {
        let redis = RedisServer::start(&[]);
        let server = Server::start("0");
        let url = server.url("/uuid");
        let args = ["--url", &url, "-n", "5", "--json", "--give-up-after", "1m"];
        let running = Producer::start(&redis, &args);
        wait_until("5 jobs on the queue", LIMIT, || redis.queued() == 5);
        send_signal(running.pid(), signal);
        let output = running.finish();

        let err = assert_stopped_by(&format!("SIG{signal}"), &output, signal, code, 5);
        assert!(err.contains("not finished: #1-#5"), "{err}");
        assert!(err.contains("stay queued on Redis"), "{err}");

        // They did stay: a worker started now runs them and publishes their results.
        assert_eq!(redis.queued(), 5);
        let _worker = Worker::start(&redis, &[]);
        wait_until("the 5 results", LIMIT, || {
            redis.results().is_some_and(|(_, len)| len == 5)
        });
        assert_eq!(server.served(), 5);
    }
}

#[test]
fn a_second_signal_stops_the_worker_at_once_and_its_job_waits_for_another() {
    for (signal, code) in SIGNALS {
        let redis = RedisServer::start(&[]);
        let server = Server::start(SLOW);
        let mut worker = Worker::start(&redis, &[]);
        let url = server.url("/uuid");
        let args = ["--url", &url, "-n", "1", "--no-wait", "--timeout", "1m"];
        let enqueued = producer(&redis, &args);
        assert_eq!(enqueued.status.code(), Some(0), "{}", stderr(&enqueued));
        wait_until("the job in flight", LIMIT, || server.in_flight() == 1);

        // The first signal: finish the job in flight (30 s); the second: go now.
        worker.signal(signal);
        worker.wait_for("finishing 1 jobs in flight");
        worker.signal(signal);
        let status = worker.wait_exit(LIMIT);

        let err = worker.stderr();
        assert!(!err.contains("panicked"), "SIG{signal}: {err}");
        assert_eq!(status.code(), Some(code), "SIG{signal}: {err}");
        assert!(err.contains("second signal, exiting now"), "{err}");
        // Unsettled, so another worker takes it over after its --reclaim-after.
        assert_eq!(redis.pending(None), 1);
    }
}
