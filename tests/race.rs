//! `scripts/run-all.sh --race`: every slide at once, each against its own httpbin-lite. Through a
//! pipe it prints plain lines and the table in finishing order; its servers saw what each slide
//! keeps in flight alone; Ctrl-C stops it at once and leaves no process behind; in a real
//! terminal (tmux, 80 columns) each slide has a live line. Loopback only.

mod support;

use std::collections::HashSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::{LIMIT, children_of, finish_within, root, send_signal};

/// `scripts/run-all.sh --debug --race ARGS --out OUT`, once the tests' binaries are built.
fn race(out: &Path, args: &[&str]) -> Command {
    support::binaries();
    support::run_all(out, &[&["--race"], args].concat())
}

/// The slides of the talk, by number, as the race names them: `7a coroutines`.
fn labels() -> Vec<String> {
    let slides = lab::talk::SLIDES.iter();
    slides
        .map(|s| format!("{} {}", s.number, s.model))
        .collect()
}

/// The line the race printed as `label` finished: `  3rd  7 tokio: 20 answers in …`.
fn finish_line<'a>(stdout: &'a str, label: &str) -> &'a str {
    let said = format!(" {label}: ");
    let line = stdout.lines().find(|line| line.contains(&said));
    line.unwrap_or_else(|| panic!("no line for {label}:\n{stdout}"))
}

/// `at most N in flight at its server`: what the slide's own httpbin-lite saw.
fn peak(line: &str) -> usize {
    let after = line.split("at most ").nth(1).unwrap_or_default();
    let number = after.split_whitespace().next().unwrap_or_default();
    number
        .parse()
        .unwrap_or_else(|_| panic!("no peak in {line:?}"))
}

#[test]
fn through_a_pipe_the_race_prints_plain_lines_and_its_table_in_finishing_order() {
    let out = support::scratch("race-piped");
    let output = race(&out, &["--requests", "20", "--delay", "100ms"])
        .output()
        .expect("run-all.sh runs");
    let (stdout, stderr) = (support::stdout(&output), support::stderr(&output));
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stdout.contains('\x1b'), "no escape codes:\n{stdout}");
    // Each slide's own server saw what the slide keeps in flight alone.
    for label in labels() {
        let line = finish_line(&stdout, &label);
        let most = match label.as_str() {
            "4 sync" | "7b blocking" => 1,
            // The pool has a process per CPU, at most 20.
            "5 processes" => thread::available_parallelism()
                .map_or(1, usize::from)
                .min(20),
            _ => 20,
        };
        assert_eq!(peak(line), most, "{line}");
    }
    // The table's rows come in the order the racers finished.
    let places: Vec<&str> = labels()
        .iter()
        .map(|label| finish_line(&stdout, label))
        .map(|line| line.split_whitespace().next().unwrap_or_default())
        .collect();
    let mut finished: Vec<(usize, String)> = labels()
        .into_iter()
        .zip(&places)
        .map(|(label, place)| {
            (
                place
                    .trim_end_matches(char::is_alphabetic)
                    .parse()
                    .expect("a place"),
                label,
            )
        })
        .collect();
    finished.sort();
    let table = stdout
        .split("==> the comparison, in finishing order")
        .nth(1)
        .unwrap_or_else(|| panic!("no table:\n{stdout}"));
    let mut rows: Vec<&str> = table
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|first| lab::talk::SLIDES.iter().any(|slide| slide.number == *first))
        .collect();
    rows.dedup(); // the queue has two rows
    let numbers: Vec<&str> = finished
        .iter()
        .map(|(_, label)| label.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(rows, numbers, "{stdout}");
    // They ran together: the race took little more than its slowest slide alone.
    let results: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("results.json")).expect("results.json"))
            .expect("JSON");
    let rows = results["rows"].as_array().expect("rows");
    let slowest = rows
        .iter()
        .filter_map(|row| row["wall_s"].as_f64())
        .fold(0.0, f64::max);
    let took: f64 = stdout
        .split("==> the race took ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|secs| secs.parse().ok())
        .unwrap_or_else(|| panic!("no time for the race:\n{stdout}"));
    assert!(
        took <= 1.3 * slowest,
        "the race took {took} s, its slowest slide {slowest} s"
    );
    assert!(stdout.contains("shared this machine's"), "{stdout}");
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn the_race_refuses_work_url_and_timeline_in_one_line() {
    let out = support::scratch("race-refuses");
    for flag in [
        &["--work", "20ms"][..],
        &["--url", "http://127.0.0.1:9/uuid"],
        &["--timeline"],
    ] {
        let output = race(&out, flag).output().expect("run-all.sh runs");
        let err = support::stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flag:?}: {err}");
        let last = err.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("lab: --race with ") && last.contains(flag[0]),
            "{err}"
        );
    }
}

#[test]
fn ctrl_c_stops_the_race_at_once_prints_the_table_and_leaves_no_process() {
    let out = support::scratch("race-ctrl-c");
    // A process group of its own, as a terminal's foreground job: Ctrl-C reaches all of it.
    let mut child = race(&out, &["--requests", "20", "--delay", "500ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("run-all.sh starts");
    let (lines, heard) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped");
    let reader = thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = lines.send(line);
        }
        all
    });
    // The race is on once it says so and the fast slides are done: sync has 10 s to go.
    let deadline = Instant::now() + LIMIT;
    while !heard
        .recv_timeout(LIMIT)
        .is_ok_and(|line| line.contains("7 tokio:"))
    {
        assert!(Instant::now() < deadline, "the race never got going");
    }
    let everyone = descendants(child.id());
    assert!(
        everyone.len() >= 8,
        "a racer and a server each: {everyone:?}"
    );
    let signalled = Instant::now();
    send_signal(child.id(), "INT");
    let output = finish_within(child, LIMIT);
    let took = signalled.elapsed();
    let stdout = reader.join().expect("read stdout");
    let stderr = support::stderr(&output);
    assert_eq!(output.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(took < Duration::from_secs(2), "stopped after {took:?}");
    assert!(stdout.contains("stopped  4 sync"), "{stdout}");
    assert!(
        stdout.contains("==> the comparison, in finishing order"),
        "{stdout}"
    );
    let left: Vec<u32> = everyone.into_iter().filter(|&pid| alive(pid)).collect();
    assert!(left.is_empty(), "left running: {left:?}");
    let _ = fs::remove_dir_all(&out);
}

/// Every process below `pid`, however deep.
fn descendants(pid: u32) -> HashSet<u32> {
    let mut found = HashSet::new();
    let mut look = vec![pid];
    while let Some(parent) = look.pop() {
        for child in children_of(parent) {
            if found.insert(child) {
                look.push(child);
            }
        }
    }
    found
}

/// Still running: there, and not a zombie (one whose parent is gone waits for whoever adopted
/// it to reap it, and runs nothing).
fn alive(pid: u32) -> bool {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    state.is_some_and(|state| state != "Z")
}

#[test]
fn in_a_terminal_each_slide_has_a_live_line_then_the_table() {
    let out = support::scratch("race-tmux");
    support::binaries();
    let socket = format!("race-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .output()
            .expect("tmux runs (scripts/install-test-tools.sh installs it)")
    };
    let script = root().join("scripts/run-all.sh");
    let command = format!(
        "bash {} --debug --race --requests 20 --delay 250ms --out {}; sleep 60",
        script.display(),
        out.display()
    );
    let started = tmux(&["new-session", "-d", "-x", "80", "-y", "40", &command]);
    assert!(started.status.success(), "{}", support::stderr(&started));
    let screen = || support::stdout(&tmux(&["capture-pane", "-p"]));
    // Mid-race: a line for every slide, sync's still counting with one in flight.
    let deadline = Instant::now() + LIMIT;
    let mid = loop {
        let shown = screen();
        let live = labels().iter().all(|label| {
            let (number, model) = label.split_once(' ').unwrap_or_default();
            shown.lines().any(|line| {
                let mut words = line.split_whitespace();
                words.next() == Some(number) && words.next() == Some(model) && line.contains('[')
            })
        });
        if live && shown.contains("1 in flight") {
            break shown;
        }
        assert!(
            Instant::now() < deadline,
            "no live line for every slide:\n{shown}"
        );
        thread::sleep(Duration::from_millis(100));
    };
    assert!(mid.lines().all(|line| line.chars().count() <= 80), "{mid}");
    let end = loop {
        let shown = screen();
        if shown.contains("wrote ") {
            break shown;
        }
        assert!(Instant::now() < deadline, "no table:\n{shown}");
        thread::sleep(Duration::from_millis(200));
    };
    assert!(
        end.contains("==> the comparison, in finishing order"),
        "{end}"
    );
    assert!(end.contains("1st"), "{end}");
    tmux(&["kill-server"]);
    let _ = fs::remove_dir_all(&out);
}
