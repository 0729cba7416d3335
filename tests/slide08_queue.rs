//! Slide 8: a queue over a real Redis. The producer enqueues in a moment and waits for the
//! results; workers run the jobs, and no job is lost when a worker crashes or stops.

mod support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use support::redis::{RedisServer, Reply};
use support::{Server, bin, stderr, stdout, summary};

const JOBS: &str = "{slides}:jobs";
const DEAD: &str = "{slides}:dead";

#[test]
fn one_worker_keeps_all_50_jobs_in_flight_and_the_producer_times_both_ends() {
    let redis = RedisServer::start(&[]);
    let server = Server::start("300ms");
    let _worker = Worker::start(&redis, &["--concurrency", "50"]);

    let output = producer(
        &redis,
        &["--url", &server.url("/uuid"), "-n", "50", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let summary = summary(&output);
    assert_eq!(
        (summary["slide"].as_str(), summary["model"].as_str()),
        (Some("slide08-producer"), Some("queue"))
    );
    for (field, expected) in [
        ("ok", 50),
        ("unique", 50),
        ("failed", 0),
        ("missing", 0),
        ("duplicates", 0),
        // How wide it ran is the workers' doing: here one worker, 50 at a time.
        ("workers", 1),
        ("concurrency", 50),
    ] {
        assert_eq!(summary[field], expected, "{field} in {summary}");
    }
    // Two figures: the talk's (enqueue), and the whole run (until every result is back).
    let enqueue = summary["enqueue_s"].as_f64().expect("enqueue_s");
    let wall = summary["wall_s"].as_f64().expect("wall_s");
    assert!(
        0.0 < enqueue && enqueue < wall,
        "enqueue {enqueue} s, wall {wall} s"
    );
    let text = stdout(&output);
    assert!(text.contains("enqueued 50 jobs in"), "{text}");
    assert_eq!(printed_uuids(&text).len(), 50, "{text}");

    // The server saw one worker keep all 50 in flight at once.
    assert_eq!(server.peak_in_flight(), 50);
    assert_eq!(server.stats()["served"], 50);
    // Settled entries leave the stream and the pending list.
    assert_eq!(redis.cmd(&["XLEN", JOBS]).int(), 0);
    assert_eq!(redis.pending(None), 0);
}

#[test]
fn no_wait_only_enqueues_as_the_talk_did_and_results_expire() {
    let redis = RedisServer::start(&[]);
    let server = Server::start("0");
    let output = producer(
        &redis,
        &[
            "--url",
            &server.url("/uuid"),
            "-n",
            "5",
            "--no-wait",
            "--json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // One summary line and its JSON: the time to enqueue, and no result waited for, so none
    // failed and none is missing; no worker was heard from, so none is counted.
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
    let summary = summary(&output);
    for (field, expected) in [("ok", 0), ("failed", 0), ("missing", 0)] {
        assert_eq!(summary[field], expected, "{field} in {summary}");
    }
    assert!(summary.get("workers").is_none(), "{summary}");
    assert!(
        summary["enqueue_s"].as_f64().is_some_and(|s| s > 0.0),
        "{summary}"
    );
    assert!(stdout(&output).contains("did not wait for their results"));
    assert_eq!(
        redis.cmd(&["XLEN", JOBS]).int(),
        5,
        "the jobs wait in the stream"
    );

    // A worker started later still runs them; their results wait for a while, then expire.
    let _worker = Worker::start(&redis, &[]);
    let list = eventually("the 5 results to be published", || {
        let keys = redis.cmd(&["KEYS", "{slides}:results:*"]);
        let key = keys.list().first()?.text().to_owned();
        (redis.cmd(&["LLEN", &key]).int() == 5).then_some(key)
    });
    let ttl = redis.cmd(&["TTL", &list]).int();
    assert!(0 < ttl && ttl <= 3600, "TTL {ttl}");
    assert_eq!(server.stats()["served"], 5);
}

#[test]
fn a_killed_workers_jobs_are_taken_over_and_none_is_lost_at_any_kill_point() {
    // Kill worker A as soon as it holds jobs, then again later in the run.
    for served_before_kill in [0, 8, 16] {
        let redis = RedisServer::start(&[]);
        let server = Server::start("300ms");
        let mut a = Worker::start(&redis, &["-c", "4"]);
        let _b = Worker::start(&redis, &["-c", "4"]);
        let run = Producer::start(&redis, &["--url", &server.url("/uuid"), "-n", "24"]);

        eventually("worker A to hold jobs", || {
            let served = server.stats()["served"].as_u64()?;
            (served >= served_before_kill && redis.pending(Some(&a.name)) > 0).then_some(())
        });
        a.kill();
        let held = redis.pending(Some(&a.name));
        assert!(held > 0, "the kill should leave jobs unsettled");

        // B keeps the default --reclaim-after (60 s); C, started now, takes A's jobs over.
        let c = Worker::start(&redis, &["-c", "4", "--reclaim-after", "1s"]);
        let output = run.finish();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let summary = summary(&output);
        for (field, expected) in [
            ("ok", 24),
            ("unique", 24),
            ("missing", 0),
            ("duplicates", 0),
        ] {
            assert_eq!(
                summary[field], expected,
                "kill point {served_before_kill}: {field} in {summary}"
            );
        }
        c.wait_for("took over");
        assert_eq!(redis.pending(None), 0);
        assert_eq!(redis.cmd(&["XLEN", JOBS]).int(), 0);
        // Jobs A was running when it died ran again: at least once, not exactly once.
        let served = server.stats()["served"].as_u64().unwrap_or(0);
        assert!(served >= 24, "served {served}");
        eprintln!(
            "kill point {served_before_kill}: A died holding {held} jobs; all 24 results \
             arrived, 0 missing, 0 duplicates; httpbin served {served}"
        );
    }
}

#[test]
fn a_paused_worker_that_wakes_up_late_publishes_nothing_twice() {
    let redis = RedisServer::start(&[]);
    let server = Server::start("300ms");
    let a = Worker::start(&redis, &["-c", "4"]);
    let run = Producer::start(&redis, &["--url", &server.url("/uuid"), "-n", "12"]);
    eventually("worker A to hold jobs", || {
        (redis.pending(Some(&a.name)) > 0).then_some(())
    });
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
        (summary["unique"].as_u64(), summary["duplicates"].as_u64()),
        (Some(12), Some(0))
    );
    assert_eq!(
        redis.cmd(&["KEYS", "{slides}:results:*"]),
        Reply::List(vec![]),
        "no late result"
    );
    assert!(
        server.stats()["served"]
            .as_u64()
            .is_some_and(|served| served > 12)
    );
}

#[test]
fn sigterm_finishes_the_jobs_in_flight_takes_no_new_one_and_exits_0() {
    let redis = RedisServer::start(&[]);
    let server = Server::start("1s");
    let mut worker = Worker::start(&redis, &["-c", "3"]);
    let run = Producer::start(&redis, &["--url", &server.url("/uuid"), "-n", "3"]);
    eventually("the worker to hold 3 jobs", || {
        (redis.pending(Some(&worker.name)) == 3).then_some(())
    });

    worker.signal("TERM");
    worker.wait_for("stopping: finishing 3 jobs in flight");
    // A job enqueued now must wait for another worker.
    let late = producer(
        &redis,
        &["--url", &server.url("/uuid"), "-n", "1", "--no-wait"],
    );
    assert_eq!(late.status.code(), Some(0), "{}", stderr(&late));

    assert_eq!(worker.wait_exit().code(), Some(0), "{}", worker.output());
    assert!(
        worker.output().contains("stopped; 3 jobs ok"),
        "{}",
        worker.output()
    );
    let output = run.finish();
    assert_eq!(summary(&output)["ok"], 3, "{}", stderr(&output));
    assert_eq!(
        redis.cmd(&["XLEN", JOBS]).int(),
        1,
        "the late job is still queued"
    );
    assert_eq!(redis.pending(None), 0, "and no worker took it");
    assert_eq!(server.stats()["served"], 3);
}

#[test]
fn bad_entries_are_dead_lettered_a_disallowed_host_fails_and_the_worker_goes_on() {
    let redis = RedisServer::start(&[]);
    let server = Server::start("0");
    let worker = Worker::start(&redis, &["--allow-host", "127.0.0.1"]);
    redis.cmd(&["XADD", JOBS, "*", "job", "this is not a job"]);
    redis.cmd(&["XADD", JOBS, "*", "something", "else"]);

    // localhost is this machine, but not on this worker's list: refused, never fetched.
    let refused = server.url("/uuid").replace("127.0.0.1", "localhost");
    let output = producer(&redis, &["--url", &refused, "-n", "1", "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(summary["failures"]["rejected"], 1, "{summary}");
    assert!(
        summary["first_error"]
            .as_str()
            .is_some_and(|e| e.contains("host not allowed: localhost")),
        "{summary}"
    );

    let dead = eventually("two dead letters", || {
        let entries = redis.cmd(&["XRANGE", DEAD, "-", "+"]);
        (entries.list().len() == 2).then(|| format!("{entries:?}"))
    });
    assert!(
        dead.contains("not JSON") && dead.contains("this is not a job"),
        "{dead}"
    );
    assert!(dead.contains(r#"no \"job\" field"#), "{dead}");

    // The worker is still there, and runs the next good job.
    let output = producer(&redis, &["--url", &server.url("/uuid"), "-n", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        server.stats()["served"],
        2,
        "the refused job never reached the server"
    );
    assert!(
        worker.output().contains("goes to {slides}:dead"),
        "{}",
        worker.output()
    );
    assert_eq!(
        (redis.pending(None), redis.cmd(&["XLEN", JOBS]).int()),
        (0, 0)
    );
}

#[test]
fn a_job_delivered_too_often_is_dead_lettered_and_its_producer_told() {
    let redis = RedisServer::start(&[]);
    let server = Server::start("0");
    let run = Producer::start(&redis, &["--url", &server.url("/uuid"), "-n", "1"]);
    eventually("the job to be enqueued", || {
        (redis.cmd(&["XLEN", JOBS]).int() == 1).then_some(())
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
    assert_eq!(summary["failures"]["rejected"], 1, "{summary}");
    let first = summary["first_error"].as_str().unwrap_or("");
    assert!(
        first.contains("dead-lettered: delivered 4 times"),
        "{first}"
    );
    let dead = redis.cmd(&["XRANGE", DEAD, "-", "+"]);
    assert!(format!("{dead:?}").contains(&id), "{dead:?}");
    assert_eq!(server.stats()["served"], 0);
}

#[test]
fn a_worker_waits_out_a_redis_restart_without_spinning() {
    let mut redis = RedisServer::start(&[]);
    let server = Server::start("0");
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
    let output = producer(&redis, &["--url", &server.url("/uuid"), "-n", "3"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        stderr(&output),
        worker.output()
    );
}

#[test]
fn no_worker_means_missing_results_not_a_hang() {
    let redis = RedisServer::start(&[]);
    let server = Server::start("0");
    let output = producer(
        &redis,
        &[
            "--url",
            &server.url("/uuid"),
            "-n",
            "3",
            "--give-up-after",
            "300ms",
            "--json",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(
        (summary["missing"].as_u64(), summary["failed"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(
        (summary["workers"].as_u64(), summary["concurrency"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(
        stderr(&output).contains("3 requests got no answer"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn redis_trouble_gets_one_clear_line_and_a_non_zero_exit() {
    let plain = RedisServer::start(&[]);
    let locked = RedisServer::start(&["--requirepass", "open-sesame"]);
    let closed = format!("redis://127.0.0.1:{}", closed_port());
    let wrong = format!("redis://:hunter2@127.0.0.1:{}", locked.port);
    let none = locked.url();
    let tls = plain.url().replace("redis://", "rediss://");

    // (--redis, exit code, words stderr must contain)
    let cases = [
        (
            closed.as_str(),
            1,
            vec!["connection refused", "redis-server", &closed],
        ),
        (
            &wrong,
            1,
            vec!["refused the password", "redis://:****@127.0.0.1"],
        ),
        (&none, 1, vec!["wants a password", "redis://:PASSWORD@"]),
        (&tls, 1, vec!["TLS"]),
        ("redis//:hunter2@nowhere", 2, vec!["--redis", "not a URL"]),
        (
            "http://:hunter2@127.0.0.1:1",
            2,
            vec!["http://", "redis://"],
        ),
    ];
    for binary in ["slide08-producer", "slide08-worker"] {
        for (url, code, words) in &cases {
            let output = Command::new(bin(binary))
                .args(["--redis", url])
                .env_remove("REDIS_URL")
                .stdin(Stdio::null())
                .output()
                .expect("binary starts");
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(*code), "{binary} {url}: {err}");
            assert_eq!(
                err.lines().count(),
                1,
                "{binary} {url}: want one line, got {err:?}"
            );
            for word in words {
                assert!(
                    err.contains(word),
                    "{binary} {url}: {err:?} should say {word:?}"
                );
            }
            assert!(
                !err.contains("hunter2") && !err.contains("panicked"),
                "{binary}: {err}"
            );
        }
    }

    // --help names REDIS_URL but never prints its value.
    let help = Command::new(bin("slide08-worker"))
        .arg("--help")
        .env("REDIS_URL", "redis://:hunter2@127.0.0.1:1")
        .output()
        .expect("binary starts");
    assert!(stdout(&help).contains("REDIS_URL") && !stdout(&help).contains("hunter2"));
    // The producer's concurrency is the workers' business.
    let output = producer(&plain, &["--concurrency", "5"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("each worker's own --concurrency"));
}

/// Runs the producer against this Redis to the end.
fn producer(redis: &RedisServer, args: &[&str]) -> Output {
    producer_command(redis, args)
        .output()
        .expect("slide08-producer starts")
}

fn producer_command(redis: &RedisServer, args: &[&str]) -> Command {
    let mut command = Command::new(bin("slide08-producer"));
    command
        .args(["--redis", &redis.url()])
        .args(args)
        .env_remove("REDIS_URL")
        .env_remove("SLIDES_URL")
        .stdin(Stdio::null());
    // Never wait long for a result that will not come (the default is 2 minutes).
    if !args.contains(&"--give-up-after") {
        command.args(["--give-up-after", "30s"]);
    }
    command
}

/// A producer running in the background, with `--json`.
struct Producer(Child);

impl Producer {
    fn start(redis: &RedisServer, args: &[&str]) -> Producer {
        let mut command = producer_command(redis, args);
        command
            .arg("--json")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Producer(command.spawn().expect("slide08-producer starts"))
    }

    /// Waits for it to exit (it gives up after 30 s without a result).
    fn finish(self) -> Output {
        self.0.wait_with_output().expect("slide08-producer runs")
    }
}

/// A worker running in the background; its output is collected as it comes.
struct Worker {
    child: Child,
    name: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Worker {
    /// Starts `slide08-worker --redis URL ARGS` and waits until it is ready for jobs.
    fn start(redis: &RedisServer, args: &[&str]) -> Worker {
        let mut child = Command::new(bin("slide08-worker"))
            .args(["--redis", &redis.url()])
            .args(args)
            .env_remove("REDIS_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("slide08-worker starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        collect_lines(child.stdout.take().expect("piped stdout"), &lines);
        collect_lines(child.stderr.take().expect("piped stderr"), &lines);
        let mut worker = Worker {
            child,
            name: String::new(),
            lines,
        };
        let ready = worker.wait_for("waiting for jobs");
        // "slide08-worker: HOST:PID:RANDOM waiting for jobs on …"
        worker.name = ready
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        worker
    }

    /// Waits up to 30 s for a line containing `needle`, and returns it.
    fn wait_for(&self, needle: &str) -> String {
        eventually(&format!("the worker to say {needle:?}"), || {
            let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            lines.iter().find(|line| line.contains(needle)).cloned()
        })
    }

    fn output(&self) -> String {
        self.lines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .join("\n")
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} failed");
    }

    /// SIGKILL: the worker dies on the spot, holding whatever jobs it holds.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits up to 30 s for the worker to exit.
    fn wait_exit(&mut self) -> ExitStatus {
        eventually("the worker to exit", || {
            self.child.try_wait().ok().flatten()
        })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

fn collect_lines(stream: impl Read + Send + 'static, lines: &Arc<Mutex<Vec<String>>>) {
    let lines = Arc::clone(lines);
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    });
}

/// Polls `check` until it gives a value; fails the test after 30 s.
fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

fn printed_uuids(text: &str) -> HashSet<uuid::Uuid> {
    text.lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .filter_map(|word| uuid::Uuid::parse_str(word).ok())
        .collect()
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("bound address").port()
}
