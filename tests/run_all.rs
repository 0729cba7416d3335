//! The talk end to end: `scripts/run-all.sh` runs every slide and ends with the comparison,
//! refusing a bad option in one line before any slide runs; `scripts/diff.sh` finds every slide by its
//! short name or number; and `lab list` names them in the talk's order. What run-all does when
//! a slide fails, when two run at once and through a pipe: tests/run_all_robust.rs.

mod support;

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

#[test]
fn the_whole_talk_runs_and_ends_with_one_table() {
    // The debug build, which the other tests have built already: the point is the script.
    support::bin("httpbin-lite");
    let out = support::scratch("run-all");
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
    let err = support::stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{err}");
    // The build says what it does (here, that it is done): a first build never looks hung.
    assert!(err.contains("Finished"), "{err}");

    // One banner per slide, in the talk's order, each with its command.
    let banners: Vec<&str> = text.lines().filter(|l| l.starts_with(" Slide ")).collect();
    let numbers: Vec<&str> = banners
        .iter()
        .filter_map(|l| l.split([' ', ':']).nth(2))
        .collect();
    assert_eq!(
        numbers,
        ["4", "5", "6", "7a", "7", "7b", "7c", "8"],
        "{text}"
    );

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
    assert_eq!(rows.len(), 9, "{table}");
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
    assert_eq!(results["rows"].as_array().map(Vec::len), Some(9));
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
    // A timeline per slide, and whatever charts the report draws beside them.
    let charts = report.matches("<svg").count();
    assert!(charts >= 8, "{charts} charts for 8 slides");
    // Self-contained: nothing to fetch, no script to run.
    assert!(
        !report.contains("<script") && !report.contains("src=\"http"),
        "{report}"
    );
    // The talk wrote into a directory of its own, and took it away.
    let left: Vec<_> = std::fs::read_dir(&out).expect("out").flatten().collect();
    assert_eq!(left.len(), 2, "only results.json and report.html: {left:?}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn run_all_refuses_a_bad_option_in_one_line_and_runs_no_slide() {
    let numbers = lab_list_numbers().join(", ");
    let refusals: [(&[&str], &str); 6] = [
        (&["--frobnicate"], "unexpected argument '--frobnicate'"),
        (
            &["--only", "6,9"],
            &format!("no slide 9; slide numbers are {numbers}"),
        ),
        (&["--requests", "0"], "'0' for '--requests <N>'"),
        (
            &["--quick", "--requests"],
            "a value is required for '--requests <N>'",
        ),
        (
            &["--requests", "--quick"],
            "a value is required for '--requests <N>'",
        ),
        (&["--delay", "250"], "'250' for '--delay <DURATION>'"),
    ];
    for (args, says) in refusals {
        // --debug, so that the build finds what the tests have built.
        let output = script("run-all.sh", &[&["--debug"], args].concat());
        let err = support::stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        // Before it, only the build's own lines: what it builds, and cargo's.
        let refusal = err.lines().last().unwrap_or_default();
        assert!(
            refusal.starts_with("lab: ") && refusal.contains(says),
            "{args:?}: {err}"
        );
        assert_eq!(support::stdout(&output), "", "{args:?}: no slide ran");
    }
}

/// The first column of `lab list`: the talk's slide numbers, in order.
fn lab_list_numbers() -> Vec<String> {
    let text = support::stdout(&support::run("lab", &["list"]));
    let numbers = text
        .lines()
        .filter_map(|line| line.split_whitespace().next());
    numbers.map(str::to_owned).collect()
}

#[test]
fn lab_lists_the_talks_slides_in_order() {
    let output = support::run("lab", &["list"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        lab_list_numbers(),
        ["4", "5", "6", "7a", "7", "7b", "7c", "8"]
    );
    let text = support::stdout(&output);
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
        ("blocking", "slide07b-blocking/src/main.rs"),
        ("7b", "slide07b-blocking/src/main.rs"),
        ("http2", "slide07c-http2/src/main.rs"),
        ("7c", "slide07c-http2/src/main.rs"),
        ("python/threads.py", "python/threads.py"),
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

/// `scripts/diff.sh ARGS`, which must exit 0 and show the two files' first lines on one line,
/// one saying `left` and the other `right`: what it printed.
fn side_by_side(args: &[&str], left: &str, right: &str) -> String {
    let output = script("diff.sh", args);
    let err = support::stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    let text = support::stdout(&output);
    let first = text.lines().next().unwrap_or_default();
    assert!(first.contains(left) && first.contains(right), "{first}");
    text
}

#[test]
fn diff_sh_shows_a_python_original_beside_its_slide() {
    let args = ["-y", "threads", "python/threads.py"];
    let text = side_by_side(&args, "//! Slide 6", "\"\"\"Slide 6");
    // Each one's fetch_all further down.
    assert!(
        text.contains("fn fetch_all(") && text.contains("def fetch_all("),
        "{text}"
    );
}

#[test]
fn diff_sh_side_by_side_fits_160_columns() {
    let text = side_by_side(&["--side-by-side", "sync", "threads"], "Slide 4", "Slide 6");
    let widest = text.lines().map(|line| line.chars().count()).max();
    assert!(
        widest.is_some_and(|w| w <= 160),
        "{widest:?} columns:\n{text}"
    );
    let bad = script("diff.sh", &["--sideways", "sync", "threads"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(support::stderr(&bad).contains("--sideways"));
}

#[test]
fn diff_sh_says_when_two_names_are_one_file() {
    let same = script("diff.sh", &["6", "threads"]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(support::stdout(&same), "", "an empty diff");
    let err = support::stderr(&same);
    assert!(
        err.contains("6 and threads are the same file (crates/slide06-threads/src/main.rs)"),
        "{err}"
    );
}

#[test]
fn diff_sh_help_is_its_comment_and_no_code() {
    let help = support::stdout(&script("diff.sh", &["--help"]));
    assert!(help.contains("blocking (7b)"), "{help}");
    assert!(help.lines().all(|l| !l.starts_with("set ")), "{help}");
    assert!(!help.contains("#!"), "{help}");
}

#[test]
fn run_all_help_is_lab_talks_and_names_every_option_and_slide() {
    // --debug, so that the build finds what the tests have built.
    let output = script("run-all.sh", &["--debug", "--help"]);
    let help = support::stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{help}");
    assert!(help.contains(&lab_list_numbers().join(", ")), "{help}");
    for option in [
        "--quick",
        "--requests",
        "--delay",
        "--work",
        "--url",
        "--only",
        "--timeline",
        "--python",
        "--out",
        "--debug",
    ] {
        assert!(help.contains(option), "{option}: {help}");
    }
    assert!(
        help.contains("scripts/run-all.sh takes the same options"),
        "{help}"
    );
}
