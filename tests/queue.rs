//! Slide 8: a queue over a real Redis. The producer enqueues in a moment and then waits for the
//! results; a worker runs the jobs, and on SIGTERM finishes the ones it holds. (What every slide
//! shows, the worker's width among it, is in `slides.rs`; crashes, pauses, dead letters and a
//! Redis restart are in `queue_faults.rs`.)

mod support;

use support::queue::{Producer, Worker, producer, redis_and_server, uuid_jobs};
use support::{LIMIT, eventually, stderr, stdout, summary};

#[test]
fn the_producer_times_both_ends_and_settled_jobs_leave_the_stream() {
    let (redis, server) = redis_and_server("300ms");
    let _worker = Worker::start(&redis, &[]);

    let output = producer(&redis, &uuid_jobs(&server, 50, &["--json"]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Two figures: the talk's (enqueue), and the whole run (until every result is back).
    let summary = summary(&output);
    let enqueue = summary.enqueue_s.expect("enqueue_s");
    let wall = summary.wall_s;
    assert!(
        0.0 < enqueue && enqueue < wall,
        "enqueue {enqueue} s, wall {wall} s"
    );
    let text = stdout(&output);
    assert!(text.contains("enqueued 50 jobs in"), "{text}");

    // Settled entries leave the stream and the pending list.
    assert_eq!(redis.queued(), 0);
    assert_eq!(redis.pending(None), 0);
}

#[test]
fn no_wait_only_enqueues_as_the_talk_did_and_results_expire() {
    let (redis, server) = redis_and_server("0");
    let args = uuid_jobs(&server, 5, &["--no-wait", "--json"]);
    let output = producer(&redis, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // One summary line and its JSON: the time to enqueue, and no result waited for, so none
    // failed and none is missing; no worker was heard from, so none is counted.
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 2, "{text}");
    let json = text.lines().last().unwrap_or_default();
    assert!(!json.contains(r#""workers""#), "{json}");
    let summary = summary(&output);
    let counts = (summary.ok, summary.failed, summary.missing, summary.workers);
    assert_eq!(counts, (0, 0, 0, None), "{summary:?}");
    assert!(summary.enqueue_s.is_some_and(|s| s > 0.0), "{summary:?}");
    assert!(text.contains("did not wait for their results"), "{text}");
    assert_eq!(redis.queued(), 5, "the jobs wait in the stream");

    // A worker started later still runs them; their results wait for a while, then expire.
    let _worker = Worker::start(&redis, &[]);
    let list = eventually("the 5 results to be published", LIMIT, || {
        redis
            .results()
            .and_then(|(key, len)| (len == 5).then_some(key))
    });
    let ttl = redis.cmd(&["TTL", &list]).int();
    assert!(0 < ttl && ttl <= 3600, "TTL {ttl}");
    assert_eq!(server.served(), 5);
}

#[test]
fn no_worker_means_missing_results_not_a_hang() {
    let (redis, server) = redis_and_server("0");
    let args = uuid_jobs(&server, 3, &["--give-up-after", "300ms", "--json"]);
    let output = producer(&redis, &args);
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!((summary.missing, summary.failed), (3, 3), "{summary:?}");
    let width = (summary.workers, summary.concurrency);
    assert_eq!(width, (Some(0), 0), "{summary:?}");
    let err = stderr(&output);
    assert!(err.contains("3 requests got no answer"), "{err}");
}

#[test]
fn sigterm_finishes_the_jobs_in_flight_takes_no_new_one_and_exits_0() {
    let (redis, server) = redis_and_server("1s");
    let mut worker = Worker::start(&redis, &["-c", "3"]);
    let run = Producer::start(&redis, &uuid_jobs(&server, 3, &["--json"]));
    eventually("the worker to hold 3 jobs", LIMIT, || {
        (redis.pending(Some(&worker.name)) == 3).then_some(())
    });

    worker.signal("TERM");
    worker.wait_for("stopping: finishing 3 jobs in flight");
    // A job enqueued now must wait for another worker.
    let args = uuid_jobs(&server, 1, &["--no-wait"]);
    let late = producer(&redis, &args);
    assert_eq!(late.status.code(), Some(0), "{}", stderr(&late));

    assert_eq!(
        worker.wait_exit(LIMIT).code(),
        Some(0),
        "{}",
        worker.output()
    );
    let said = worker.output();
    assert!(said.contains("stopped; 3 jobs ok"), "{said}");
    let output = run.finish();
    assert_eq!(summary(&output).ok, 3, "{}", stderr(&output));
    assert_eq!(redis.queued(), 1, "the late job is still queued");
    assert_eq!(redis.pending(None), 0, "and no worker took it");
    assert_eq!(server.served(), 3);
}

#[test]
fn the_reclaim_recipe_delivers_every_result_at_the_talks_delay() {
    // slides.md's recipe: a worker is killed with `kill -9` mid-run, and another started with
    // `--reclaim-after 1s` takes its jobs over, at the default 1 s delay: every result arrives.
    let (redis, server) = redis_and_server("1s");
    let mut a = Worker::start(&redis, &["-c", "4"]);
    let run = Producer::start(&redis, &uuid_jobs(&server, 8, &["--json"]));
    eventually("worker A to hold jobs", LIMIT, || {
        (server.in_flight() > 0).then_some(())
    });
    a.kill();
    let b = Worker::start(&redis, &["-c", "4", "--reclaim-after", "1s"]);
    let output = run.finish();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(summary(&output).ok, 8);
    b.wait_for("took over");
}

#[test]
fn a_busy_worker_keeps_its_jobs_however_short_reclaim_after_is() {
    // Each job takes 1 s; both workers take over jobs idle for 300 ms. A worker renews its
    // claims while it fetches, so neither takes the other's: no job is run twice.
    let (redis, server) = redis_and_server("1s");
    let quick = ["-c", "4", "--reclaim-after", "300ms"];
    let (a, b) = (Worker::start(&redis, &quick), Worker::start(&redis, &quick));
    let output = producer(&redis, &uuid_jobs(&server, 16, &["--json"]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = summary(&output);
    assert_eq!(
        (summary.ok, summary.duplicates),
        (16, Some(0)),
        "{summary:?}"
    );
    assert_eq!(server.served(), 16, "a job was fetched twice");
    for worker in [a, b] {
        assert!(
            !worker.output().contains("took over"),
            "{}",
            worker.output()
        );
    }
}

#[test]
fn a_worker_says_what_it_found_waiting_and_each_job_it_runs() {
    let (redis, server) = redis_and_server("0");
    let args = uuid_jobs(&server, 3, &["--no-wait"]);
    assert_eq!(producer(&redis, &args).status.code(), Some(0));
    // Started after the producer: the jobs are leftovers of a run it never saw begin.
    let worker = Worker::start(&redis, &[]);
    worker.wait_for("3 jobs are on the queue already");
    eventually("a line for each job", LIMIT, || {
        (worker.output().matches("  run ").count() == 3).then_some(())
    });
}
