//! `scripts/run-all.sh` when things go wrong: a slide that ends without its summary is a failed
//! row and the table is still written, two talks at once each end with their own table, and
//! each line comes through a pipe as it is printed. Loopback only: nothing leaves this machine.

mod support;

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The table's rows: the lines after the comparison's heading that start with a slide number.
fn rows(stdout: &str) -> Vec<String> {
    let table = stdout.split("==> the comparison").nth(1).unwrap_or("");
    let rows = table.lines().filter(|line| {
        let first = line.split_whitespace().next().unwrap_or("");
        lab::talk::SLIDES.iter().any(|slide| slide.number == first)
    });
    rows.map(str::to_owned).collect()
}

fn has_cell(row: &str, cell: &str) -> bool {
    row.split_whitespace().any(|word| word == cell)
}

/// A talk's OUT, not there yet, once lab is built (run-all.sh then finds it up to date).
fn talk_out(name: &str) -> PathBuf {
    support::bin("lab");
    support::scratch(name)
}

/// Checks that a talk left nothing in `out` besides the report (no directory of its own), and
/// removes it.
fn assert_only_the_report_in(out: &Path) {
    let names = fs::read_dir(out).expect("out exists").flatten();
    let names = names.map(|entry| entry.file_name().to_string_lossy().into_owned());
    let leftovers: Vec<String> = names
        .filter(|name| name != "results.json" && name != "report.html")
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
    let _ = fs::remove_dir_all(out);
}

fn results(out: &Path) -> serde_json::Value {
    let text = fs::read_to_string(out.join("results.json")).expect("results.json");
    serde_json::from_str(&text).expect("results.json is JSON")
}

#[test]
fn a_slide_that_ends_without_its_summary_is_a_failed_row_and_the_table_is_written() {
    let out = talk_out("stand-in");
    // An earlier talk's report, which must not pass for this one's.
    fs::create_dir_all(&out).expect("out");
    fs::write(out.join("report.html"), "an earlier talk").expect("old report");
    fs::write(out.join("results.json"), "an earlier talk").expect("old results");
    // https://, as when someone tries the real httpbin.org, but to a closed port on this
    // machine: slide 4 fails each request and prints its summary; slide 7a speaks plain http
    // only, and exits 2 before its first request, with no summary.
    let url = format!("https://127.0.0.1:{}/uuid", support::closed_port());
    let args = ["--only", "4,7a", "--requests", "3", "--url", &url];
    let output = support::run_all(&out, &args).output().expect("bash runs");
    let (text, err) = (support::stdout(&output), support::stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{text}\n{err}");

    let rows = rows(&text);
    assert_eq!(rows.len(), 2, "a row for each slide:\n{text}");
    assert!(rows.iter().all(|row| has_cell(row, "0/3")), "{text}");
    assert!(
        err.contains("slide 7a's row counts no request as done")
            && err.contains("exited with code 2"),
        "why is said under the table: {err}"
    );

    let results = results(&out);
    let runs = results["runs"].as_array().expect("runs");
    let coroutines = runs
        .iter()
        .find(|run| run["slide"] == "slide07a-coroutines")
        .expect("7a's row");
    assert_eq!(
        (&coroutines["ok"], &coroutines["failed"]),
        (&0.into(), &3.into())
    );
    let first_error = coroutines["first_error"].as_str().unwrap_or("");
    assert!(first_error.contains("exited with code 2"), "{first_error}");
    let report = fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(
        report.contains("coroutines"),
        "this talk's report: {report}"
    );
    assert_only_the_report_in(&out);
}

#[test]
fn two_talks_at_once_each_end_with_their_own_table() {
    // The same OUT for both, as when someone runs it twice from one checkout.
    let out = talk_out("two-at-once");
    let args = ["--quick", "--requests", "3", "--only", "4,6"];
    let talks: Vec<_> = (0..2)
        .map(|_| {
            let mut talk = support::run_all(&out, &args);
            talk.stdout(Stdio::piped()).stderr(Stdio::piped());
            talk.spawn().expect("bash runs")
        })
        .collect();
    let outputs: Vec<Output> = talks
        .into_iter()
        .map(|talk| talk.wait_with_output().expect("the talk ends"))
        .collect();
    for output in &outputs {
        let (text, err) = (support::stdout(output), support::stderr(output));
        assert_eq!(output.status.code(), Some(0), "{text}\n{err}");
        let rows = rows(&text);
        assert_eq!(rows.len(), 2, "{text}");
        assert!(rows.iter().all(|row| has_cell(row, "3/3")), "{text}");
    }
    // Whichever finished last wrote them, whole.
    assert_eq!(results(&out)["rows"].as_array().map(Vec::len), Some(2));
    assert_only_the_report_in(&out);
}

#[test]
fn each_line_comes_through_a_pipe_as_it_is_printed() {
    let out = talk_out("pipe");
    // One request at a time, each answered after DELAY: the summary cannot be printed until
    // two more DELAYs after the first answer, so lines held back would arrive together.
    const DELAY: Duration = Duration::from_millis(300);
    let args = ["--only", "4", "--requests", "3", "--delay", "300ms"];
    let mut talk = support::run_all(&out, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let mut stderr = talk.stderr.take().expect("stderr piped");
    // Read on its own, so that a full stderr pipe never stops the talk.
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let stdout = BufReader::new(talk.stdout.take().expect("stdout piped"));
    let arrived: Vec<(Instant, String)> = stdout
        .lines()
        .map_while(Result::ok)
        .map(|line| (Instant::now(), line))
        .collect();
    let status = talk.wait().expect("the talk ends");
    let err = errors.join().unwrap_or_default();
    let text: Vec<&str> = arrived.iter().map(|(_, line)| line.as_str()).collect();
    assert!(status.success(), "{text:#?}\n{err}");

    let when = |what: &str, found: &dyn Fn(&str) -> bool| {
        let line = arrived.iter().find(|(_, line)| found(line));
        line.unwrap_or_else(|| panic!("no {what} in {text:#?}")).0
    };
    let first_uuid = when("first UUID", &|line| {
        let uuid = line.split_whitespace().nth(2).map(uuid::Uuid::parse_str);
        line.contains("#01") && uuid.is_some_and(|uuid| uuid.is_ok())
    });
    let summary = when("summary", &|line| line.starts_with("slide04-sync: 3/3 ok"));
    assert!(
        summary.duration_since(first_uuid) >= DELAY,
        "the first UUID came {:?} before the summary: {text:#?}",
        summary.duration_since(first_uuid)
    );
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn a_quick_start_runs_the_first_slide_from_the_debug_build_and_goes_on_without_release() {
    let out = support::scratch("quick-start-out");
    // No workspace here, and a target directory with no release build in it: cargo's release
    // build fails at once, so the debug build's first slide and server are all there is.
    let here = support::scratch("quick-start");
    fs::create_dir_all(here.join("target/debug")).expect("scratch");
    // Copies, not links: lab finds the release build beside the file it runs from.
    for name in ["lab", "httpbin-lite", "slide04-sync"] {
        let to = here.join("target/debug").join(name);
        fs::copy(support::bin(name), to).expect("copy");
    }
    let output = std::process::Command::new(here.join("target/debug/lab"))
        .args([
            "talk",
            "--build-rest-after",
            "lab,httpbin-lite,slide04-sync",
        ])
        .args([
            "--first-in-debug",
            "--quick",
            "--only",
            "4,6",
            "--requests",
            "5",
        ])
        .arg("--out")
        .arg(&out)
        .current_dir(&here)
        .stdin(Stdio::null())
        .output()
        .expect("lab runs");
    let (text, err) = (support::stdout(&output), support::stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{text}\n{err}");
    assert!(
        text.contains("==> a quick start: slide 4 runs from the debug build"),
        "{text}"
    );
    let banner = text
        .lines()
        .find(|line| line.contains("slide04-sync --url"));
    assert!(
        banner.is_some_and(|line| line.contains("target/debug/slide04-sync")),
        "slide 4 runs from the debug build:\n{text}"
    );
    assert!(text.contains("slide04-sync: 5/5 ok"), "{text}");
    assert!(
        err.contains("httpbin-lite did not build") && err.contains("the debug one serves on"),
        "{err}"
    );
    assert!(
        err.contains("slide 6: slide06-threads did not build"),
        "{err}"
    );
    assert!(here.join("target/release/run-all-build.log").is_file());
    let _ = fs::remove_dir_all(&here);
}
