//! Open files: each request in flight holds a socket, and a socket is a file. Every slide raises
//! its soft limit to the hard one at start, so a low soft limit (macOS gives programs 256) does
//! not fail `-n 1000`; where the hard limit itself is too low, the failure says what to do.

mod support;

use std::process::Output;

use lab::talk::SLIDES;
use support::{Server, assert_one_line, assert_succeeded, bin, summary};

/// Runs `binary ARGS` under `ulimit` as the shell sets it: `-Sn` for the soft limit alone,
/// `-n` for both.
fn under_ulimit(ulimit: &str, binary: &str, args: &[&str]) -> Output {
    let script = format!(r#"ulimit {ulimit} || exit 99; exec "$0" "$@""#);
    std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin(binary))
        .args(args)
        .env_remove("SLIDES_URL")
        .output()
        .expect("sh runs")
}

#[test]
fn a_low_soft_limit_is_raised_and_every_request_answered() {
    let server = Server::start("300ms");
    let url = server.url("/uuid");
    // 300 in flight at once would need ~300 files; the soft limit allows 64.
    for slide in SLIDES
        .iter()
        .filter(|s| s.model == "tokio" || s.model == "coroutines")
    {
        let output = under_ulimit(
            "-Sn 64",
            slide.binary,
            &["--url", &url, "-n", "300", "--json"],
        );
        assert_succeeded(slide.binary, &output);
        assert_eq!(summary(&output).ok, 300, "{}", slide.binary);
    }
}

#[test]
fn out_of_files_says_what_to_do_once() {
    let server = Server::start("300ms");
    let url = server.url("/uuid");
    let output = under_ulimit(
        "-n 64",
        "slide07-tokio",
        &["--url", &url, "-n", "300", "-q"],
    );
    assert_one_line(
        "slide07-tokio, ulimit -n 64",
        &output,
        1,
        &["ulimit -n", "--concurrency"],
    );
}
