//! The talk end to end: `scripts/run-all.sh` runs every slide and ends with the comparison,
//! `scripts/diff.sh` finds every slide by its short name or number, and `lab list` names them
//! in the talk's order.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use support::root;

fn script(name: &str, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(root().join("scripts").join(name))
        .args(args)
        .env_remove("SLIDES_URL")
        .env_remove("REDIS_URL")
        .output()
        .expect("bash runs the script")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("async-slides-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_whole_talk_runs_and_ends_with_one_table() {
    // The debug build, which the other tests have built already: the point is the script.
    support::bin("httpbin-lite");
    let out = scratch("run-all");
    let out_arg = out.to_string_lossy().into_owned();
    let output = script(
        "run-all.sh",
        &[
            "--quick",
            "--requests",
            "10",
            "--work",
            "5ms",
            "--debug",
            "--out",
            &out_arg,
        ],
    );
    let text = support::stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{text}\n{}",
        support::stderr(&output)
    );

    // One banner per slide, in the talk's order, each with its command.
    let banners: Vec<&str> = text.lines().filter(|l| l.starts_with(" Slide ")).collect();
    let numbers: Vec<&str> = banners
        .iter()
        .filter_map(|l| l.split([' ', ':']).nth(2))
        .collect();
    assert_eq!(numbers, ["4", "5", "6", "7a", "7", "7b", "8"], "{text}");

    // One table row per slide, and two for the queue: enqueue and end to end.
    let table = text
        .split("==> the comparison")
        .nth(1)
        .expect("the table is printed");
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| w.starts_with(['4', '5', '6', '7', '8']))
        })
        .collect();
    assert_eq!(rows.len(), 8, "{table}");
    // With --work, every slide computed too: the table counts the cores, the floor the work.
    assert!(
        table.contains("cores") && table.contains("work w = 5ms"),
        "{table}"
    );
    assert!(
        rows.iter().any(|r| r.contains("queue: enqueue only")),
        "{table}"
    );
    assert!(
        rows.iter().any(|r| r.contains("queue: end to end")),
        "{table}"
    );
    assert!(
        rows.iter().all(|r| r.contains("10/10")),
        "every request answered:\n{table}"
    );

    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("results.json")).expect("results.json"),
    )
    .expect("results.json is JSON");
    assert_eq!(results["rows"].as_array().map(Vec::len), Some(8));
    assert_eq!(
        (&results["delay_s"], &results["work_s"]),
        (&0.1.into(), &0.005.into())
    );
    for run in results["runs"].as_array().expect("runs") {
        assert_eq!(
            run["timeline"].as_array().map(Vec::len),
            Some(10),
            "{}",
            run["slide"]
        );
    }

    let report = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert_eq!(report.matches("<svg").count(), 7, "one timeline per slide");
    // Self-contained: nothing to fetch, no script to run.
    assert!(
        !report.contains("<script") && !report.contains("src=\"http"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn run_all_refuses_what_it_does_not_know() {
    // The script builds before lab reads the options: --debug makes that the debug build the
    // tests have made already.
    support::bin("lab");
    let output = script("run-all.sh", &["--debug", "--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(support::stderr(&output).contains("--frobnicate"));

    let output = script("run-all.sh", &["--debug", "--only", "6,9"]);
    assert_eq!(output.status.code(), Some(2));
    let err = support::stderr(&output);
    // Only lab's own lines: a build may warn about code that is not ours to judge here.
    let said: Vec<&str> = err.lines().filter(|l| l.starts_with("lab:")).collect();
    assert_eq!(said.len(), 1, "one line: {err}");
    assert!(
        said[0].contains("no slide 9") && said[0].contains("4, 5, 6, 7a, 7, 7b, 8"),
        "{err}"
    );
}

#[test]
fn lab_lists_the_talks_slides_in_order() {
    let output = support::run("lab", &["list"]);
    assert_eq!(output.status.code(), Some(0));
    let text = support::stdout(&output);
    let numbers: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(numbers, ["4", "5", "6", "7a", "7", "7b", "8"], "{text}");
    assert!(text.contains("slide08-producer"), "{text}");
}

#[test]
fn diff_sh_knows_every_slide_by_name_and_number() {
    let names = [
        ("sync", "slide04-sync/src/main.rs"),
        ("4", "slide04-sync/src/main.rs"),
        ("processes", "slide05-multiprocess/src/main.rs"),
        ("threads", "slide06-threads/src/main.rs"),
        ("6", "slide06-threads/src/main.rs"),
        ("coroutines", "slide07a-coroutines/src/main.rs"),
        ("7a", "slide07a-coroutines/src/main.rs"),
        ("tokio", "slide07-tokio/src/main.rs"),
        ("7", "slide07-tokio/src/main.rs"),
        ("producer", "bin/slide08-producer/main.rs"),
        ("8", "bin/slide08-producer/main.rs"),
        ("worker", "bin/slide08-worker/main.rs"),
    ];
    for (name, file) in names {
        let output = script("diff.sh", &["sync", name]);
        assert!(
            matches!(output.status.code(), Some(0)),
            "{name}: {}",
            support::stderr(&output)
        );
        let text = support::stdout(&output);
        if name != "sync" && name != "4" {
            assert!(
                text.contains(file),
                "diff.sh sync {name} should show {file}:\n{text}"
            );
        }
    }
    let unknown = script("diff.sh", &["sync", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(support::stderr(&unknown).contains("nope"));
}
