//! Slide 5: a pool of four processes keeps four requests in flight, and the parent answers for
//! its children: a child that dies is named and its request retried, and Ctrl-C leaves none behind.

mod support;

use std::time::Duration;

use support::{
    Server, bin, children_of, finish_within, printed_uuids, process_exists, run, send_signal,
    spawn, stderr, summary, wait_until,
};

/// A guard against a hang: far longer than any of these runs takes.
const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn a_pool_of_four_processes_keeps_four_requests_in_flight() {
    let server = Server::start("200ms");
    let url = server.url("/uuid");
    let args = [
        "--url",
        &url,
        "--requests",
        "50",
        "--concurrency",
        "4",
        "--json",
    ];
    let output = run("slide05-multiprocess", &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let summary = summary(&output);
    assert_eq!(summary["model"], "processes");
    assert_eq!(summary["concurrency"], 4);
    assert_eq!(
        (summary["ok"].as_u64(), summary["unique"].as_u64()),
        (Some(50), Some(50))
    );
    assert_eq!(printed_uuids(&output).len(), 50);

    // Each child makes one request at a time, so four children: four at once, never five.
    assert_eq!(server.peak_in_flight(), 4);
    assert_eq!(server.stats()["served"], 50);
}

#[test]
fn the_default_pool_has_one_process_per_cpu() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let server = Server::start("0");
    let url = server.url("/uuid");
    let output = run(
        "slide05-multiprocess",
        &["--url", &url, "-n", "50", "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(summary(&output)["concurrency"], cpus.min(50));
}

#[test]
fn a_failed_request_comes_back_from_the_child_as_a_failure() {
    let server = Server::start("0");
    let url = server.url("/status/500");
    let output = run(
        "slide05-multiprocess",
        &["--url", &url, "-n", "4", "-c", "2", "--json"],
    );
    assert_eq!(output.status.code(), Some(1));
    let summary = summary(&output);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(0), Some(4))
    );
    assert_eq!(summary["failures"]["status"], 4);
    assert!(stderr(&output).contains("500"), "{}", stderr(&output));
}

/// Starts the pool on a slow server and waits until each of its `width` children is mid-request.
fn start_busy_pool(
    server: &Server,
    width: usize,
    requests: usize,
) -> (std::process::Child, Vec<u32>) {
    let url = server.url("/uuid");
    let (width_text, requests_text) = (width.to_string(), requests.to_string());
    let args = [
        "--url",
        &url,
        "-n",
        &requests_text,
        "-c",
        &width_text,
        "--json",
    ];
    let slide = spawn("slide05-multiprocess", &args);
    let pid = slide.id();
    wait_until("every child mid-request", LIMIT, || {
        children_of(pid).len() == width && server.stats()["in_flight"] == width
    });
    (slide, children_of(pid))
}

#[test]
fn ctrl_c_or_sigterm_stops_and_reaps_every_child() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        // Requests of 5 s: a child that was not stopped would still be there afterwards.
        let server = Server::start("5s");
        let (slide, children) = start_busy_pool(&server, 3, 50);
        send_signal(slide.id(), signal);
        let output = finish_within(slide, LIMIT);

        assert_eq!(
            output.status.code(),
            Some(code),
            "SIG{signal}: {}",
            stderr(&output)
        );
        let err = stderr(&output);
        assert!(
            err.contains(&format!("SIG{signal}")) && err.contains("reaped"),
            "{err}"
        );
        // Then the report sums up: none of the 50 answered, all interrupted.
        let summary = summary(&output);
        assert_eq!(summary["interrupted"], format!("SIG{signal}"), "{summary}");
        assert_eq!(summary["failures"]["interrupted"], 50, "{summary}");
        // Reaped means gone from /proc: neither running nor a zombie.
        for child in children {
            assert!(
                !process_exists(child),
                "SIG{signal}: child {child} outlived its parent"
            );
        }
    }
}

#[test]
fn a_child_killed_mid_request_is_named_and_its_request_retried() {
    let server = Server::start("500ms");
    let (slide, children) = start_busy_pool(&server, 2, 4);
    let victim = children[0];
    send_signal(victim, "KILL");
    let output = finish_within(slide, LIMIT);

    // The other child did the work: all four answered, the run succeeds.
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    let summary = summary(&output);
    assert_eq!(
        (summary["ok"].as_u64(), summary["unique"].as_u64()),
        (Some(4), Some(4))
    );
    assert!(
        err.contains(&format!("(pid {victim}) died while fetching #")),
        "{err}"
    );
    assert!(
        err.contains("SIGKILL") && err.contains("another child will try it again"),
        "{err}"
    );
    assert!(!process_exists(victim));
}

#[test]
fn when_every_child_dies_the_rest_count_as_failed() {
    let server = Server::start("1s");
    let (slide, children) = start_busy_pool(&server, 2, 6);
    for &child in &children {
        send_signal(child, "KILL");
    }
    let output = finish_within(slide, LIMIT);

    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let summary = summary(&output);
    assert_eq!(
        (summary["ok"].as_u64(), summary["failed"].as_u64()),
        (Some(0), Some(6))
    );
    assert_eq!(summary["failures"]["missing"], 6);
    for child in children {
        assert!(err.contains(&format!("(pid {child}) died")), "{err}");
    }
    assert!(err.contains("no child is left"), "{err}");
}

#[test]
fn without_its_child_program_the_pool_says_what_to_build() {
    // The parent alone, in a directory of its own.
    let dir = std::env::temp_dir().join(format!("slide05-alone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("make a directory");
    let parent = dir.join("slide05-multiprocess");
    std::fs::copy(bin("slide05-multiprocess"), &parent).expect("copy the parent");
    let output = std::process::Command::new(&parent)
        .args(["--url", "http://127.0.0.1:9/uuid", "-n", "1"])
        .output()
        .expect("the parent starts");
    let _ = std::fs::remove_dir_all(&dir);

    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("slide05-child is missing"), "{err}");
    assert!(err.contains("cargo build"), "{err}");
}

#[test]
fn usage_errors_get_one_clear_line() {
    // The pool's flags: as every slide's.
    let output = run("slide05-multiprocess", &["--concurrency", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert!(stderr(&output).contains("--concurrency"));

    // The child is started by the pool, not by hand; by hand it says so.
    let output = run("slide05-child", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert!(stderr(&output).contains("slide05-multiprocess starts it"));
}
