//! Slide 5: the parent answers for its pool of children. A child that dies is named and its
//! request tried again by another; with none left the rest count as failed; Ctrl-C leaves no
//! child behind; and without its child program the pool says what to build. (What every slide
//! shows, the pool's width among it, is in `slides.rs`; the child's own flags are in
//! `bad_flags.rs`.)

mod support;

use std::process::{Child, Output};

use support::{
    LIMIT, Server, assert_one_line, assert_stopped_by, bin, children_of, finish_within,
    process_exists, send_signal, spawn, stderr, summary, wait_until,
};

/// Starts the pool on a slow server and waits until each of its `width` children is mid-request.
fn start_busy_pool(server: &Server, width: usize, requests: usize) -> (Child, Vec<u32>) {
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
        children_of(pid).len() == width && server.in_flight() == width
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

        // The report sums up: none of the 50 answered, all interrupted; and says who reaped.
        let err = assert_stopped_by(&format!("SIG{signal}"), &output, signal, code, 50);
        let said = format!("SIG{signal}");
        assert!(err.contains(&said) && err.contains("reaped"), "{err}");
        // Reaped means gone from /proc: neither running nor a zombie.
        for child in children {
            assert!(
                !process_exists(child),
                "SIG{signal}: child {child} outlived its parent"
            );
        }
    }
}

/// Runs a pool of 2 children on `requests` requests of `delay`, and SIGKILLs `killed` of them
/// once both are mid-request. Gives the run's output and the pids it killed.
fn kill_children_mid_request(delay: &str, requests: usize, killed: usize) -> (Output, Vec<u32>) {
    let server = Server::start(delay);
    let (slide, mut children) = start_busy_pool(&server, 2, requests);
    children.truncate(killed);
    for &child in &children {
        send_signal(child, "KILL");
    }
    (finish_within(slide, LIMIT), children)
}

#[test]
fn a_child_killed_mid_request_is_named_and_its_request_retried() {
    let (output, killed) = kill_children_mid_request("500ms", 4, 1);
    let victim = killed[0];

    // The other child did the work: all four answered, the run succeeds.
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    let summary = summary(&output);
    assert_eq!((summary.ok, summary.unique), (4, 4), "{summary:?}");
    let died = format!("(pid {victim}) died while fetching #");
    assert!(err.contains(&died), "{err}");
    let again = "another child will try it again";
    assert!(err.contains("SIGKILL") && err.contains(again), "{err}");
    assert!(!process_exists(victim));
}

#[test]
fn when_every_child_dies_the_rest_count_as_failed() {
    let (output, children) = kill_children_mid_request("1s", 6, 2);

    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let summary = summary(&output);
    assert_eq!((summary.ok, summary.failed), (0, 6), "{summary:?}");
    assert_eq!(summary.failures.get("missing"), Some(&6), "{summary:?}");
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

    let words = ["slide05-child is missing", "cargo build"];
    assert_one_line("the pool without its child", &output, 1, &words);
}
