//! `--work`: CPU spent on each answer, where each model does it. Concurrency makes waiting
//! cheap, not computing fast: threads and processes spread the work over the cores, a
//! one-thread event loop cannot. Proved by what the kernel counted (the summary's CPU time from
//! getrusage, threads' CPU in /proc), never by timing the run.

mod support;

use std::time::Duration;

use lab::talk::SLIDES;
use support::{LIMIT, Server, Stage, eventually, finish_within, stderr, summary};
use support::{slide, threads_that_used_cpu};

#[test]
fn every_slide_spends_the_work_it_was_asked_for_and_counts_it() {
    let server = Server::start("0");
    for slide in SLIDES {
        let output = Stage::new(slide).run(&[
            "--url",
            &server.url("/uuid"),
            "-n",
            "6",
            "--work",
            "50ms",
            "--json",
        ]);
        let who = slide.binary;
        assert_eq!(output.status.code(), Some(0), "{who}: {}", stderr(&output));
        let summary = summary(&output);
        assert_eq!(
            (summary.ok, summary.work_s),
            (6, 0.05),
            "{who}: {summary:?}"
        );
        // Six answers of 50 ms of CPU each: the run used at least that, wherever it ran
        // (the pool's children and the queue's worker count too).
        assert!(summary.cpu_s >= 0.3, "{who}: {summary:?}");
        let cores = summary.cpu_s / summary.wall_s;
        assert!(
            (summary.cores_used - cores).abs() < 1e-6,
            "{who}: {summary:?}"
        );
        if slide.one_thread && !slide.queue {
            // One thread computes at most one second per second (a little more for the
            // threads that only listen for Ctrl-C or start up).
            assert!(summary.cores_used < 1.2, "{who}: {summary:?}");
        }
        let line = stdout_line(&output);
        assert!(
            line.contains(" cores"),
            "{who}: the summary line names the cores: {line}"
        );
    }
}

#[test]
fn threads_compute_on_more_than_one_thread() {
    // 8 threads, each with 5 answers of 200 ms of CPU: while they run, the kernel has counted
    // CPU on several of them, not on one.
    let server = Server::start("0");
    let stage = Stage::with_concurrency(slide("threads"), 8);
    let args = ["--url", &server.url("/uuid"), "-n", "40", "--work", "200ms"];
    let running = stage.spawn(&args);
    let pid = running.id();
    eventually("CPU on more than one thread", LIMIT, || {
        (threads_that_used_cpu(pid, Duration::from_millis(100)) > 1).then_some(())
    });
    let output = finish_within(running, LIMIT);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// The summary line people read: the last line of stdout that is not JSON.
fn stdout_line(output: &std::process::Output) -> String {
    let text = support::stdout(output);
    text.lines()
        .rev()
        .find(|line| !line.starts_with('{'))
        .unwrap_or_default()
        .to_owned()
}
