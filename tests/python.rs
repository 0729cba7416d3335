//! The talk's own programs, in Python (`python/`, run by `scripts/python.sh`), against the same
//! httpbin-lite as the Rust slides: the server sees each model's width, and the one Rust reader
//! of a summary (`common::Summary`) reads theirs. Celery and RQ run real workers on a real
//! redis-server. Needs python3 (3.10 or newer) with venv; scripts/test.sh makes the venv first.

mod support;

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use common::Summary;
use support::redis::RedisServer;
use support::{
    LIMIT, Server, assert_one_line, assert_succeeded, closed_port_url, finish_within, piped,
    send_signal, stderr, wait_until,
};

/// A worker's start (Python imports, Redis connections) on a busy 2-core machine.
const WORKER_START: Duration = Duration::from_secs(90);

/// `scripts/python.sh` with these arguments; the venv is made once, before the first.
fn python(args: &[&str]) -> Command {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        let output = script(&["setup"]).output().expect("bash runs");
        assert!(output.status.success(), "{}", stderr(&output));
    });
    script(args)
}

fn script(args: &[&str]) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(support::root().join("scripts/python.sh"))
        .args(args)
        .env_remove("SLIDES_URL")
        .env_remove("REDIS_URL")
        .stdin(Stdio::null());
    command
}

/// Runs an original to completion (within the hang guard).
fn run(args: &[&str]) -> Output {
    finish_within(piped(python(args)), LIMIT * 3)
}

/// The `--json` line, read by the Rust slides' own reader.
fn summary(output: &Output) -> Summary {
    let text = support::stdout(output);
    Summary::from_output(&text).unwrap_or_else(|err| panic!("{err}: {text}"))
}

/// A run that got every one of `n` UUIDs, each new.
fn assert_all_answered(who: &str, output: &Output, n: usize) -> Summary {
    assert_succeeded(who, output);
    let summary = summary(output);
    assert_eq!(
        (summary.ok, summary.unique, summary.failed),
        (n, n, 0),
        "{who}"
    );
    assert_eq!(summary.timeline.len(), n, "{who}");
    summary
}

/// `scripts/python.sh PROGRAM --url URL -n N ARGS --json` against an httpbin-lite that answers
/// after `delay`, every one of the `n` requests answered: its summary, and the most requests
/// the server had in flight at once.
fn all_answered(delay: &str, program: &str, n: usize, args: &[&str]) -> (Summary, usize) {
    let server = Server::start(delay);
    let (url, n_text) = (server.url("/uuid"), n.to_string());
    let command = [program, "--url", &url, "-n", &n_text];
    let output = run(&[&command[..], args, &["--json"]].concat());
    (
        assert_all_answered(program, &output, n),
        server.peak_in_flight(),
    )
}

#[test]
fn sync_makes_one_request_at_a_time() {
    let (summary, peak) = all_answered("100ms", "sync", 3, &[]);
    assert_eq!((summary.model.as_str(), summary.concurrency), ("sync", 1));
    assert_eq!(peak, 1);
}

#[test]
fn a_process_pool_keeps_one_request_in_flight_per_process() {
    let (_, peak) = all_answered("200ms", "processes", 6, &["-c", "3"]);
    assert_eq!(peak, 3);
}

#[test]
fn the_thread_pool_is_the_talks_40_wide() {
    let (summary, peak) = all_answered("300ms", "threads", 44, &["-q"]);
    assert_eq!(summary.concurrency, 40);
    assert_eq!(peak, 40);
}

#[test]
fn asyncio_gather_keeps_every_request_in_flight() {
    let (_, peak) = all_answered("300ms", "asyncio", 30, &["-q"]);
    assert_eq!(peak, 30);
}

#[test]
fn work_is_cpu_spent_in_python_and_reported() {
    let server = Server::start("0");
    let url = server.url("/uuid");
    let output = run(&[
        "threads", "--url", &url, "-n", "4", "--work", "50ms", "--json",
    ]);
    let summary = assert_all_answered("threads --work", &output, 4);
    assert!(summary.work_s > 0.04, "{summary:?}");
    // 4 × 50 ms of busy work, on whatever cores the GIL lets it have.
    assert!(summary.cpu_s >= 0.2, "cpu {} s", summary.cpu_s);
}

#[test]
fn bad_input_gets_one_line_and_no_traceback() {
    let output = run(&["threads", "--requests", "many"]);
    assert_one_line(
        "threads --requests many",
        &output,
        2,
        &["--requests", "many"],
    );
    let output = run(&["asyncio", "--timeout", "soon"]);
    assert_one_line("asyncio --timeout soon", &output, 2, &["--timeout", "soon"]);

    // A server that is not there: every request fails, and the first says what to do.
    let output = run(&["sync", "--url", &closed_port_url(), "-n", "2", "--json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("Traceback"),
        "{}",
        stderr(&output)
    );
    let summary = summary(&output);
    assert_eq!(summary.failures.get("refused"), Some(&2), "{summary:?}");
    let first = summary.first_error.unwrap_or_default();
    assert!(first.contains("httpbin-lite"), "{first}");
}

/// A queue original (`celery`, `rq`) run with `-c C` for `n` requests against a Redis and an
/// httpbin-lite of its own: every result back, the enqueueing timed apart. Gives its summary
/// and the most requests the server had in flight at once.
fn queue_gets_every_result_back(program: &str, c: &str, n: usize) -> (Summary, usize) {
    let redis = RedisServer::start(&[]);
    let redis_url = redis.url();
    let args = ["--redis", &redis_url, "-c", c];
    let (summary, peak) = all_answered("200ms", program, n, &args);
    let enqueue = summary.enqueue_s.expect("enqueue_s");
    assert!(0.0 < enqueue && enqueue < summary.wall_s, "{summary:?}");
    (summary, peak)
}

#[test]
fn celery_gets_every_result_back_and_times_the_enqueueing_apart() {
    let (summary, peak) = queue_gets_every_result_back("celery", "6", 6);
    assert_eq!((summary.workers, summary.concurrency), (Some(1), 6));
    assert_eq!(peak, 6);
}

#[test]
fn rq_gets_every_result_back_and_times_the_enqueueing_apart() {
    let (summary, peak) = queue_gets_every_result_back("rq", "2", 4);
    // Two rq workers, one job each at a time.
    assert_eq!(summary.concurrency, 2);
    assert_eq!(peak, 2);
}

/// A worker started alone, killed when dropped if it still runs (a test that fails leaves none).
struct Alone(Child);

impl Drop for Alone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A worker started alone (`celery-worker`, `rq-worker`), its output in a file, once it says
/// it is `ready`.
fn start_worker(program: &str, redis: &RedisServer, ready: &str) -> (Alone, PathBuf) {
    let log = std::env::temp_dir().join(format!("slides-{program}-{}.log", redis.port));
    let file = File::create(&log).expect("create the worker's log");
    let worker = python(&[program, "--redis", &redis.url(), "-c", "1"])
        .stdout(file.try_clone().expect("the log again"))
        .stderr(file)
        .spawn()
        .expect("bash runs");
    let mut worker = Alone(worker);
    wait_until(&format!("{program} to say {ready:?}"), WORKER_START, || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Ok(Some(status)) = worker.0.try_wait() {
            panic!("{program} exited ({status}) before it was ready: {text}");
        }
        text.contains(ready)
    });
    (worker, log)
}

/// Kills the only worker while it fetches: the producer gives up on what never comes, and says
/// so: not a hang, not a success.
fn a_killed_worker_is_reported(kind: &str, ready: &str) {
    let redis = RedisServer::start(&[]);
    let server = Server::start("3s");
    let (mut worker, log) = start_worker(&format!("{kind}-worker"), &redis, ready);
    let producer = python(&[
        kind,
        "--workers",
        "0",
        "--redis",
        &redis.url(),
        "--url",
        &server.url("/uuid"),
        "-n",
        "4",
        "--give-up-after",
        "6s",
        "--json",
    ]);
    let producer = piped(producer);
    wait_until("the worker's first request", LIMIT, || {
        server.in_flight() > 0
    });
    send_signal(worker.0.id(), "KILL");
    let _ = worker.0.wait();
    let output = finish_within(producer, LIMIT);
    let _ = std::fs::remove_file(log);

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = summary(&output);
    assert!(summary.missing >= 3, "{summary:?}");
    assert_eq!(summary.failed, 4 - summary.ok, "{summary:?}");
    assert_eq!(summary.failures.get("missing"), Some(&summary.missing));
    assert!(
        stderr(&output).contains("got no answer"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_celery_worker_killed_mid_run_is_reported_not_hidden() {
    a_killed_worker_is_reported("celery", "ready.");
}

#[test]
fn an_rq_worker_killed_mid_run_is_reported_not_hidden() {
    a_killed_worker_is_reported("rq", "Listening on slides");
}

#[test]
fn run_all_puts_each_python_original_right_after_its_slide() {
    support::bin("lab"); // built, with every slide, before run-all.sh's own cargo build
    python(&["setup"]); // the venv, made once for this file's tests
    let out = std::env::temp_dir().join(format!("async-slides-python-{}", std::process::id()));
    let mut talk = Command::new("bash");
    talk.arg(support::root().join("scripts/run-all.sh"))
        .args([
            "--debug",
            "--quick",
            "--requests",
            "3",
            "--only",
            "4,6",
            "--python",
        ])
        .arg("--out")
        .arg(&out)
        .env_remove("SLIDES_URL")
        .env_remove("REDIS_URL");
    let output = finish_within(piped(talk), LIMIT * 6);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let results = std::fs::read_to_string(out.join("results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&results).expect("JSON");
    let rows: Vec<(String, String, u64)> = results["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            let text = |key: &str| row[key].as_str().unwrap_or_default().to_owned();
            (
                text("slide"),
                text("binary"),
                row["ok"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let want = [
        ("4", "slide04-sync"),
        ("4", "sync.py"),
        ("6", "slide06-threads"),
        ("6", "threads.py"),
    ];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_string(), 3))
        .collect();
    assert_eq!(rows, want);
    let _ = std::fs::remove_dir_all(&out);
}
