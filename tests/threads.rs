//! The thread lessons start the threads they show and no others: sync makes every request on
//! its main thread, and the pool of C threads is C threads. Each thread is counted as it is
//! born, by the clone calls strace sees, so one that lives a millisecond counts too (sampling
//! /proc would miss it). Both slides also start the one thread that hears Ctrl-C.

mod support;

use std::fs;
use std::process::Command;

use support::{Server, bin, stderr, summary};

/// Runs a slide under `strace -f` and counts the threads it started (clone calls with
/// CLONE_THREAD; a child process would not count).
fn threads_started(slide: &str, requests: usize, args: &[&str]) -> usize {
    let trace = std::env::temp_dir().join(format!("threads-{slide}-{}.trace", std::process::id()));
    let output = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=clone,clone3", "-o"])
        .arg(&trace)
        .arg(bin(slide))
        .args(["-n", &requests.to_string()])
        .args(args)
        .output()
        .expect("strace runs (scripts/install-test-tools.sh installs it)");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{slide}: {}",
        stderr(&output)
    );
    assert_eq!(
        summary(&output).ok,
        requests,
        "{slide}: every request answered"
    );
    let calls = fs::read_to_string(&trace).expect("strace wrote its trace");
    let _ = fs::remove_file(&trace);
    calls
        .lines()
        .filter(|line| line.contains("clone") && line.contains("CLONE_THREAD"))
        .count()
}

#[test]
fn sync_makes_every_request_on_its_main_thread() {
    let server = Server::start("0ms");
    let url = server.url("/uuid");
    let started = threads_started("slide04-sync", 20, &["--url", &url, "--json"]);
    assert_eq!(
        started, 1,
        "only the thread that hears Ctrl-C, none per request"
    );
}

#[test]
fn threads_start_c_threads_and_no_more() {
    let server = Server::start("50ms");
    let url = server.url("/uuid");
    let started = threads_started("slide06-threads", 40, &["--url", &url, "-c", "5", "--json"]);
    assert_eq!(started, 5 + 1, "5 threads and the one that hears Ctrl-C");
    assert_eq!(server.peak_in_flight(), 5);
}

/// A pids cgroup that lets at most `most` threads and processes run in it, made where this
/// machine has one we may write (as root: cgroup v1's pids hierarchy, or v2's root); removed
/// when dropped.
struct PidsLimit(std::path::PathBuf);

impl PidsLimit {
    fn new(most: usize) -> Result<PidsLimit, String> {
        let name = format!("async-slides-threads-{}", std::process::id());
        let mut tried = Vec::new();
        for parent in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup"] {
            let dir = std::path::Path::new(parent).join(&name);
            match fs::create_dir(&dir)
                .and_then(|()| fs::write(dir.join("pids.max"), most.to_string()))
            {
                Ok(()) => return Ok(PidsLimit(dir)),
                Err(err) => {
                    let _ = fs::remove_dir(&dir);
                    tried.push(format!("{}: {err}", dir.display()));
                }
            }
        }
        Err(tried.join("; "))
    }

    /// `program args…`, started inside the cgroup.
    fn command(&self, program: &std::path::Path, args: &[&str]) -> Command {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(r#"echo $$ > "$0/cgroup.procs" && exec "$@""#)
            .arg(&self.0)
            .arg(program)
            .args(args);
        command
    }
}

impl Drop for PidsLimit {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.0);
    }
}

#[test]
fn threads_the_os_refuses_are_not_counted_as_run() {
    // 30 threads and processes at most: the slide's own and its Ctrl-C thread leave 28.
    let limit = match PidsLimit::new(30) {
        Ok(limit) => limit,
        // A laptop's user may not make cgroups; CI runs as root, where this must run.
        Err(why) if std::env::var_os("CI").is_none() => {
            return eprintln!("skipped: cannot limit the threads here ({why})");
        }
        Err(why) => panic!("cannot limit the threads: {why}"),
    };
    let server = Server::start("100ms");
    let url = server.url("/uuid");
    let args = ["--url", &url, "-n", "100", "-c", "100", "--json"];
    let output = limit
        .command(&bin("slide06-threads"), &args)
        .output()
        .expect("starts");
    let (err, summary) = (stderr(&output), summary(&output));
    assert_eq!(
        output.status.code(),
        Some(0),
        "the threads that started made every request: {err}"
    );
    assert_eq!(summary.ok, 100, "{err}");
    let started = summary.concurrency;
    assert!(
        (1..100).contains(&started),
        "fewer than 100 started: {summary:?}"
    );
    let said = format!("only {started} of 100 threads could start");
    assert!(err.contains(&said), "{err:?} should say {said:?}");
    assert_eq!(
        server.peak_in_flight(),
        started,
        "the summary counts the threads that ran"
    );
}
