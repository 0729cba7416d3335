//! Slide 8 when things go wrong: no job is lost when a worker is killed or paused, an entry that
//! can never run is dead-lettered and the worker goes on, and a worker waits out a Redis
//! restart. (Redis refusing the producer and the worker is in `bad_answers.rs`.)

mod support;

use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use support::queue::{Producer, Worker, producer, redis_and_server, uuid_jobs};
use support::redis::{DEAD, JOBS, RedisServer, Reply};
use support::{LIMIT, eventually, stderr, summary};

/// How long each answer takes here: a job delivered a moment ago is still mid-request.
const DELAY: &str = "300ms";

/// Waits until `worker` holds a job it was handed less than 100 ms ago: one it is surely still
/// fetching (each answer takes 300 ms), so a kill now leaves it unsettled.
fn wait_until_mid_request(redis: &RedisServer, worker: &Worker, also: impl Fn() -> bool) {
    eventually("worker A to hold a job it is fetching", LIMIT, || {
        let idle = redis.pending_idle_ms(Some(&worker.name));
        (also() && idle.iter().any(|&ms| ms < 100)).then_some(())
    });
}

/// Runs `act` every `every` until the producer `run` exits; gives its output.
fn while_it_runs(run: Producer, every: Duration, mut act: impl FnMut()) -> Output {
    let done = Arc::new(AtomicBool::new(false));
    let finished = {
        let done = done.clone();
        thread::spawn(move || {
            let output = run.finish();
            done.store(true, Ordering::SeqCst);
            output
        })
    };
    while !done.load(Ordering::SeqCst) {
        act();
        thread::sleep(every);
    }
    finished.join().expect("the producer's output")
}

#[test]
fn a_killed_workers_jobs_are_taken_over_and_none_is_lost_at_any_kill_point() {
    // Kill worker A as soon as it holds jobs, then again later in the run.
    for served_before_kill in [0, 8, 16] {
        let (redis, server) = redis_and_server(DELAY);
        let mut a = Worker::start(&redis, &["-c", "4"]);
        let _b = Worker::start(&redis, &["-c", "4"]);
        let run = Producer::start(&redis, &uuid_jobs(&server, 24, &["--json"]));

        wait_until_mid_request(&redis, &a, || server.served() >= served_before_kill);
        a.kill();
        let held = redis.pending(Some(&a.name));
        assert!(held > 0, "the kill should leave jobs unsettled");

        // B keeps the default --reclaim-after (60 s); C, started now, takes A's jobs over.
        let c = Worker::start(&redis, &["-c", "4", "--reclaim-after", "1s"]);
        let output = run.finish();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let summary = summary(&output);
        let counts = (
            summary.ok,
            summary.unique,
            summary.missing,
            summary.duplicates,
        );
        let who = format!("kill point {served_before_kill}");
        assert_eq!(counts, (24, 24, 0, Some(0)), "{who}: {summary:?}");
        c.wait_for("took over");
        assert_eq!(redis.pending(None), 0);
        assert_eq!(redis.queued(), 0);
        // Jobs A was running when it died ran again: at least once, not exactly once.
        let served = server.served();
        assert!(served >= 24, "served {served}");
        eprintln!(
            "{who}: A died holding {held} jobs; all 24 results arrived, 0 missing, \
             0 duplicates; httpbin served {served}"
        );
    }
}

#[test]
fn a_paused_worker_that_wakes_up_late_publishes_nothing_twice() {
    let (redis, server) = redis_and_server(DELAY);
    let a = Worker::start(&redis, &["-c", "4"]);
    let run = Producer::start(&redis, &uuid_jobs(&server, 12, &["--json"]));
    wait_until_mid_request(&redis, &a, || true);
    a.signal("STOP");

    // B takes A's jobs over and finishes the run while A sleeps.
    let b = Worker::start(&redis, &["-c", "4", "--reclaim-after", "1s"]);
    let output = run.finish();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    b.wait_for("took over");

    // A wakes up and finishes the same jobs: its acknowledgements come second, so the
    // settle script publishes none of its results.
    a.signal("CONT");
    a.wait_for("was settled by another worker first");
    let summary = summary(&output);
    assert_eq!(
        (summary.unique, summary.duplicates),
        (12, Some(0)),
        "{summary:?}"
    );
    let results = redis.cmd(&["KEYS", "{slides}:results:*"]);
    assert_eq!(results, Reply::List(vec![]), "no late result");
    assert!(server.served() > 12);
}

#[test]
fn bad_entries_are_dead_lettered_a_disallowed_host_fails_and_the_worker_goes_on() {
    let (redis, server) = redis_and_server("0");
    let worker = Worker::start(&redis, &["--allow-host", "127.0.0.1"]);
    redis.cmd(&["XADD", JOBS, "*", "job", "this is not a job"]);
    redis.cmd(&["XADD", JOBS, "*", "something", "else"]);

    // localhost is this machine, but not on this worker's list: refused, never fetched.
    let refused = server.url("/uuid").replace("127.0.0.1", "localhost");
    let output = producer(&redis, &["--url", &refused, "-n", "1", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(summary.failures.get("rejected"), Some(&1), "{summary:?}");
    let first = summary.first_error.unwrap_or_default();
    assert!(first.contains("host not allowed: localhost"), "{first}");

    let dead = eventually("two dead letters", LIMIT, || {
        let entries = redis.cmd(&["XRANGE", DEAD, "-", "+"]);
        (entries.list().len() == 2).then(|| format!("{entries:?}"))
    });
    assert!(
        dead.contains("not JSON") && dead.contains("this is not a job"),
        "{dead}"
    );
    assert!(dead.contains(r#"no \"job\" field"#), "{dead}");

    // The worker is still there, and runs the next good job.
    let output = producer(&redis, &uuid_jobs(&server, 2, &[]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        server.served(),
        2,
        "the refused job never reached the server"
    );
    let said = worker.output();
    assert!(said.contains("goes to {slides}:dead"), "{said}");
    assert_eq!((redis.pending(None), redis.queued()), (0, 0));
}

#[test]
fn a_job_delivered_too_often_is_dead_lettered_and_its_producer_told() {
    let (redis, server) = redis_and_server("0");
    let run = Producer::start(&redis, &uuid_jobs(&server, 1, &["--json"]));
    eventually("the job to be enqueued", LIMIT, || {
        (redis.queued() == 1).then_some(())
    });

    // A consumer takes the job and never finishes it: delivered once, then claimed twice more.
    let read = redis.cmd(&[
        "XREADGROUP",
        "GROUP",
        "workers",
        "ghost",
        "COUNT",
        "1",
        "STREAMS",
        JOBS,
        ">",
    ]);
    let id = read.list()[0].list()[1].list()[0].list()[0]
        .text()
        .to_owned();
    for _ in 0..2 {
        redis.cmd(&["XCLAIM", JOBS, "workers", "ghost", "0", &id]);
    }
    let _worker = Worker::start(
        &redis,
        &["--reclaim-after", "100ms", "--max-deliveries", "3"],
    );

    let output = run.finish();
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(summary.failures.get("rejected"), Some(&1), "{summary:?}");
    let first = summary.first_error.unwrap_or_default();
    assert!(
        first.contains("dead-lettered: delivered 4 times"),
        "{first}"
    );
    let dead = redis.cmd(&["XRANGE", DEAD, "-", "+"]);
    assert!(format!("{dead:?}").contains(&id), "{dead:?}");
    assert_eq!(server.served(), 0);
}

#[test]
fn a_worker_waits_out_a_redis_restart_without_spinning() {
    let (mut redis, server) = redis_and_server("0");
    let worker = Worker::start(&redis, &[]);
    let port = redis.port;
    redis.kill();
    worker.wait_for("trying again in");
    thread::sleep(Duration::from_secs(2));
    let retries = worker.output().matches("trying again in").count();
    assert!(
        retries <= 5,
        "{retries} retries in ~2 s:\n{}",
        worker.output()
    );

    // Back on the same port, empty: the worker makes its group again and takes jobs.
    let redis = RedisServer::start_on(port, &[]).expect("redis-server restarts on its port");
    worker.wait_for("Redis answers again");
    let output = producer(&redis, &uuid_jobs(&server, 3, &[]));
    let code = output.status.code();
    assert_eq!(code, Some(0), "{}\n{}", stderr(&output), worker.output());
}

#[test]
fn no_result_is_lost_when_the_producers_connection_breaks_while_results_come_in() {
    let (redis, server) = redis_and_server("200ms");
    let _worker = Worker::start(&redis, &["-c", "5"]);
    let run = Producer::start(&redis, &uuid_jobs(&server, 100, &["--json"]));
    // 5 at a time, 200 ms each: the results come in for 4 s, and every 100 ms Redis drops the
    // connections that read with XREAD (the producer's, and a worker's waiting for a job): the
    // producer's as it waits for a result, or while one is on its way to it.
    let mut kills = 0;
    let output = while_it_runs(run, Duration::from_millis(100), || {
        let clients = redis.cmd(&["CLIENT", "LIST"]);
        for client in clients.text().lines().filter(|c| c.contains(" cmd=xread ")) {
            let id = client
                .split(' ')
                .find_map(|field| field.strip_prefix("id="));
            if let Some(id) = id {
                redis.cmd(&["CLIENT", "KILL", "ID", id]);
                kills += 1;
            }
        }
    });
    assert!(kills >= 3, "the producer's connection broke {kills} times");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = summary(&output);
    assert_eq!((summary.ok, summary.missing), (100, 0), "{summary:?}");
}

#[test]
fn a_dropped_connection_is_tried_again_at_once_not_waited_out_as_if_redis_were_down() {
    let (redis, server) = redis_and_server("50ms");
    let worker = Worker::start(&redis, &["-c", "4", "--quiet"]);
    let run = Producer::start(&redis, &uuid_jobs(&server, 200, &["--json"]));
    // Redis stays up, but every 200 ms it drops every connection but this test's: the
    // worker's, as it waits for a job or settles one, and the producer's.
    let mut kills = 0;
    let output = while_it_runs(run, Duration::from_millis(200), || {
        redis.cmd(&["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
        kills += 1;
    });
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = summary(&output);
    assert_eq!((summary.ok, summary.missing), (200, 0), "{summary:?}");
    // Each command a dropped connection failed went again on a new one: the worker backed off
    // for few of them, if any, and never three times in a row (0.25 s, 0.5 s, then 1 s).
    let said = worker.output();
    let backed_off = said.matches("trying again in").count();
    assert!(kills >= 5, "Redis dropped the connections {kills} times");
    assert!(
        backed_off * 4 <= kills,
        "{backed_off} back-offs for {kills} drops:\n{said}"
    );
    assert!(!said.contains("trying again in 1.0 s"), "{said}");
}

#[test]
fn the_jobs_a_take_got_are_run_even_when_redis_refuses_what_it_does_next() {
    let (redis, server) = redis_and_server("0");
    // After the new jobs, a take looks for jobs to take over (XAUTOCLAIM): Redis refuses that.
    redis.cmd(&["ACL", "SETUSER", "default", "-xautoclaim"]);
    let _worker = Worker::start(&redis, &["-c", "8"]);
    let output = producer(&redis, &uuid_jobs(&server, 4, &["--json"]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let summary = summary(&output);
    assert_eq!((summary.ok, summary.missing), (4, 0), "{summary:?}");
    // Each job ran once, none waits on the pending list for --reclaim-after, and Redis did
    // refuse the worker.
    assert_eq!(server.served(), 4);
    assert_eq!((redis.pending(None), redis.queued()), (0, 0));
    let refused = format!("{:?}", redis.cmd(&["ACL", "LOG"]));
    assert!(refused.contains("xautoclaim"), "{refused}");
}

#[test]
fn while_a_stopped_workers_jobs_wait_the_producer_names_that_worker_not_a_missing_one() {
    let (redis, server) = redis_and_server(DELAY);
    let mut a = Worker::start(&redis, &["-c", "4"]);
    let _b = Worker::start(&redis, &["-c", "4"]);
    let run = Producer::start(&redis, &uuid_jobs(&server, 16, &["--json"]));
    wait_until_mid_request(&redis, &a, || true);
    a.kill();
    let held = redis.pending(Some(&a.name));

    // B keeps the default --reclaim-after (60 s), so A's jobs wait. After 5 s without a result
    // the producer asks Redis about the workers; then C takes A's jobs over.
    eventually("the producer to ask Redis about the workers", LIMIT, || {
        let stats = redis.cmd(&["INFO", "commandstats"]);
        stats
            .text()
            .contains("cmdstat_xinfo|consumers")
            .then_some(())
    });
    let _c = Worker::start(&redis, &["-c", "4", "--reclaim-after", "1s"]);
    let output = run.finish();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert_eq!(summary(&output).ok, 16);
    let named = format!(
        "worker {} holds {held} jobs and has not asked for jobs",
        a.name
    );
    assert!(
        err.contains(&named) && err.contains("--reclaim-after"),
        "{err}"
    );
    assert!(!err.contains("start one"), "{err}");
}

#[test]
fn with_no_worker_at_all_the_producer_says_to_start_one() {
    let (redis, server) = redis_and_server("0");
    let args = uuid_jobs(&server, 1, &["--give-up-after", "7s"]);
    let output = producer(&redis, &args);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("no worker has asked for jobs") && err.contains("start one"),
        "{err}"
    );
}
