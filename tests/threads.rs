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
fn threads_started(slide: &str, args: &[&str]) -> usize {
    let trace = std::env::temp_dir().join(format!("threads-{slide}-{}.trace", std::process::id()));
    let output = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=clone,clone3", "-o"])
        .arg(&trace)
        .arg(bin(slide))
        .args(args)
        .output()
        .expect("strace runs (scripts/install-strace.sh installs it)");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{slide}: {}",
        stderr(&output)
    );
    let requests: usize = args[args.iter().position(|a| *a == "-n").expect("-n") + 1]
        .parse()
        .expect("a number after -n");
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
    let started = threads_started("slide04-sync", &["--url", &url, "-n", "20", "--json"]);
    assert_eq!(
        started, 1,
        "only the thread that hears Ctrl-C, none per request"
    );
}

#[test]
fn threads_start_c_threads_and_no_more() {
    let server = Server::start("50ms");
    let url = server.url("/uuid");
    let args = ["--url", &url, "-n", "40", "-c", "5", "--json"];
    let started = threads_started("slide06-threads", &args);
    assert_eq!(started, 5 + 1, "5 threads and the one that hears Ctrl-C");
    assert_eq!(server.peak_in_flight(), 5);
}
