//! The docs run. Every `sh` block of README.md and slides.md is executed, command by command,
//! the way a reader pastes it: a server a block starts ("terminal 1") runs in the background on
//! a free port until the block ends, and every other command must exit 0. Every `text` block
//! that follows an `sh` block with no heading between them shows that block's last command's
//! output, and must match what it prints today, with times and UUIDs as wildcards.
//!
//! What cannot run here as written (the talk at 1 s a request, the real httpbin.org, a command
//! that waits for Ctrl-C) runs with a substitution from the one table below, [`SUBSTITUTIONS`],
//! which gives each its reason. The test prints how many commands ran as written, how many with a
//! substitution, and how many were skipped: none may be.
//!
//! Why a harness of our own rather than trycmd: the docs' commands use pipes, `&&`, `for` loops
//! and two terminals, which trycmd cannot run; and their output blocks show real times and UUIDs
//! for people to read, so the wildcards are implied by what a token is rather than written in.

mod support;

use std::process::Child;

use support::docs::{Env, is_server, matches_shown, run, start_server, stop};
use support::{closed_port, root};

/// What a command becomes before it runs here, and why: (what it contains, what that becomes,
/// the exit code it then gives, why). Applied in order, each at most once; a command that
/// matches none runs as written.
const SUBSTITUTIONS: &[(&str, &str, i32, &str)] = &[
    (
        "https://httpbin.org/uuid",
        "$SLIDES_URL",
        0,
        "no network here: the test's httpbin-lite on loopback stands in for httpbin.org",
    ),
    (
        "--delay 250ms",
        "--delay 25ms",
        0,
        "a tenth of the delay, for the suite's time: a time shown stands for any time",
    ),
    (
        "scripts/run-all.sh --quick",
        "scripts/run-all.sh --quick --debug --requests 10",
        0,
        "10 requests on the debug build the suite has made",
    ),
    (
        "scripts/run-all.sh",
        "scripts/run-all.sh --quick --debug --requests 10",
        0,
        "the talk at 1 s a request takes minutes; 10 requests at 100 ms on the debug build the \
         suite has made",
    ),
    (
        "scripts/test.sh",
        "bash -n scripts/test.sh",
        0,
        "the suite is what it runs: here it is only read, for its syntax",
    ),
    (
        "scripts/exercise.sh check threads",
        "scripts/exercise.sh check threads",
        1,
        "the exercise as committed is the blank, and its check says what is missing",
    ),
    (
        "scripts/exercise.sh watch threads",
        "timeout -s INT 10 scripts/exercise.sh watch threads",
        124,
        "it checks again on every save until Ctrl-C: here Ctrl-C comes after 10 s",
    ),
    (
        "scripts/exercise.sh solve threads",
        "scripts/exercise.sh solve threads < /dev/null",
        2,
        "it asks before it puts the answer in; with no terminal to ask on, it changes nothing",
    ),
    (
        "cargo fetch --locked",
        "cargo fetch --locked --offline --target \"$(rustc -vV | sed -n 's/^host: //p')\"",
        0,
        "no network here: this machine's dependencies are fetched already (the other platforms' \
         would need the network)",
    ),
    (
        "cargo run --release",
        RUN_BUILT,
        0,
        "the binary of the debug build the suite has made, run at once: a release build would \
         double the suite's time",
    ),
    (
        "cargo build --release --workspace --locked",
        "cargo build -q --workspace --bins --locked",
        0,
        "the debug build the suite has made, which this finds done",
    ),
    (
        "cargo build --release --workspace --bins",
        "cargo build -q --workspace --bins",
        0,
        "the debug build the suite has made, which this finds done",
    ),
    (
        "cargo build --release -p slide05-multiprocess",
        "cargo build -q --workspace --bins",
        0,
        "the debug build the suite has made, which this finds done (one package alone would be \
         built again with other features)",
    ),
    (
        "target/release/",
        "target/debug/",
        0,
        "the debug build the suite has made",
    ),
    (
        "redis-cli ping || redis-server --port 6379",
        "redis-server --port $REDIS_PORT",
        0,
        "a Redis of the test's own on a free port, not whatever listens on 6379",
    ),
    (
        "--url URL --redis REDIS_URL",
        "--url $SLIDES_URL --redis $REDIS_URL",
        0,
        "the URLs `lab up` printed",
    ),
];

/// Stands for `target/debug/BINARY ARGS` in place of `cargo run --release -p PACKAGE [--bin
/// BINARY] [-- ARGS]`.
const RUN_BUILT: &str = "target/debug/…";

/// `cargo run --release -p PACKAGE [--bin BINARY] [-- ARGS]`, up to a `&&` or the end, as the
/// binary it runs: `target/debug/BINARY ARGS`.
fn run_built(command: &str) -> String {
    let Some(start) = command.find("cargo run --release") else {
        return command.to_owned();
    };
    let rest = &command[start + "cargo run --release".len()..];
    let (this, after) = rest
        .split_once(" && ")
        .map_or((rest, None), |(a, b)| (a, Some(b)));
    let (flags, args) = this.split_once(" -- ").map_or((this, ""), |(a, b)| (a, b));
    let words: Vec<&str> = flags.split_whitespace().collect();
    let after_flag = |flag: &str| {
        words
            .iter()
            .position(|w| *w == flag)
            .and_then(|i| words.get(i + 1))
    };
    let binary = after_flag("--bin")
        .or_else(|| after_flag("-p"))
        .copied()
        .unwrap_or("");
    let mut run = format!("{}target/debug/{binary} {args}", &command[..start]);
    if let Some(after) = after {
        run = format!("{} && {}", run.trim_end(), run_built(after));
    }
    run.trim_end().to_owned()
}

#[test]
fn every_command_in_the_docs_runs_and_every_output_shown_is_printed() {
    support::binaries(); // every binary built once, before any command runs
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for file in ["README.md", "slides.md"] {
        let text = std::fs::read_to_string(root().join(file)).expect("the doc is there");
        let mut last_output = None;
        for block in blocks(&text) {
            match block.kind.as_str() {
                "sh" => last_output = Some(run_block(file, &block, &mut counts, &mut failures)),
                "text" | "console" => {
                    if let Some(Some(output)) = last_output.take().filter(|_| block.follows_sh) {
                        counts.outputs += 1;
                        if let Err(why) = matches_shown(&output, &block.lines) {
                            failures.push(format!("{file}:{}: output block: {why}", block.line));
                        }
                    }
                }
                _ => last_output = None,
            }
        }
    }
    println!(
        "docs: {} commands ran as written, {} with a substitution, {} skipped; {} output \
         blocks matched",
        counts.as_written, counts.substituted, counts.skipped, counts.outputs
    );
    assert!(
        failures.is_empty(),
        "the docs are out of date:\n{}",
        failures.join("\n")
    );
    assert_eq!(counts.skipped, 0, "every command in the docs runs");
}

#[derive(Default)]
struct Counts {
    as_written: usize,
    substituted: usize,
    skipped: usize,
    outputs: usize,
}

/// A fenced block: its language, the line its first line is on, its lines (with their numbers),
/// and whether an `sh` block came before it with no heading between.
struct Block {
    kind: String,
    line: usize,
    lines: Vec<(usize, String)>,
    follows_sh: bool,
}

fn blocks(text: &str) -> Vec<Block> {
    let (mut found, mut open, mut after_sh) = (Vec::<Block>::new(), None::<Block>, false);
    for (number, line) in text.lines().enumerate().map(|(i, line)| (i + 1, line)) {
        if let Some(fence) = line.strip_prefix("```") {
            match open.take() {
                Some(block) => {
                    after_sh = block.kind == "sh";
                    found.push(block);
                }
                None => {
                    let kind = fence.trim().to_owned();
                    open = Some(Block {
                        kind,
                        line: number + 1,
                        lines: Vec::new(),
                        follows_sh: after_sh,
                    });
                }
            }
        } else if let Some(block) = open.as_mut() {
            block.lines.push((number, line.to_owned()));
        } else if line.starts_with('#') {
            after_sh = false; // a heading: what follows is about something else
        }
    }
    found
}

/// Runs one `sh` block; gives the last command's stdout, if it ran in the foreground.
fn run_block(
    file: &str,
    block: &Block,
    counts: &mut Counts,
    failures: &mut Vec<String>,
) -> Option<String> {
    let mut env = Env::default();
    let mut servers: Vec<Child> = Vec::new();
    // Every block starts with an httpbin-lite of the test's, as the reader has one running in
    // a terminal of their own; one the block starts takes its place from then on.
    match start_server("target/debug/httpbin-lite", &mut env) {
        Ok(server) => servers.push(server),
        Err(why) => failures.push(format!(
            "{file}:{}: the test's httpbin-lite: {why}",
            block.line
        )),
    }
    env.0.insert("REDIS_PORT", closed_port().to_string());
    let mut last = None;
    for (number, line) in &block.lines {
        let written = line.split(" #").next().unwrap_or("").trim();
        if written.is_empty() || written.starts_with('#') {
            continue;
        }
        let (command, code, substituted) = substitute(written);
        if substituted {
            counts.substituted += 1;
        } else {
            counts.as_written += 1;
        }
        let place = format!("{file}:{number}: `{written}`");
        if is_server(&command) {
            last = None;
            match start_server(&command, &mut env) {
                Ok(server) => servers.push(server),
                Err(why) => failures.push(format!("{place}: {why}")),
            }
            continue;
        }
        eprintln!("{place}: running `{command}`");
        let output = run(&command, &env);
        let (got, out, err) = (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        if got != Some(code) {
            // What it said last, on stderr and then stdout: enough lines to tell why.
            let said: Vec<&str> = err.lines().chain(out.lines()).collect();
            let said = said[said.len().saturating_sub(12)..].join("\n");
            failures.push(format!(
                "{place}: exited {got:?}, not {code} (ran `{command}`): {said}"
            ));
        }
        last = Some(out);
    }
    for server in servers {
        stop(server);
    }
    last
}

/// The command as it runs here, the exit code it then gives, and whether it was substituted.
fn substitute(written: &str) -> (String, i32, bool) {
    let (mut command, mut code, mut substituted) = (written.to_owned(), 0, false);
    for (find, replace, exit, _why) in SUBSTITUTIONS {
        // An entry whose result is there already (an earlier, more precise one made it) is
        // passed over; one that changes nothing only declares the exit code.
        if command.contains(find) && (find == replace || !command.contains(replace)) {
            command = match *replace {
                RUN_BUILT => run_built(&command),
                _ => command.replacen(find, replace, 1),
            };
            code = code.max(*exit);
            substituted = true;
        }
    }
    (command, code, substituted)
}

#[test]
fn the_matcher_catches_a_changed_word_and_lets_times_vary() {
    let shown = |text: &str| -> Vec<(usize, String)> {
        text.lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_owned()))
            .collect()
    };
    let output = "  0.021s  #01  5105bcad-5cf1-44a9-823b-f447141cde4c\n  0.042s  #02  9fb73bb5-48a4-4b52-a280-38c62bc9c65e\nslide04-sync: 2/2 ok, 2 unique, 0.04 s, 47.6 req/s, concurrency 1\n";
    let doc = "  1.002s  #01  0b7e3b6a-7e44-4b6a-9d3b-2f3f8e1c5a10\n...\nslide04-sync: 2/2 ok, 2 unique, 2.01 s, 1.0 req/s, concurrency 1\n";
    assert_eq!(matches_shown(output, &shown(doc)), Ok(()));
    let changed = doc.replace("unique", "distinct");
    let err = matches_shown(output, &shown(&changed)).unwrap_err();
    assert!(err.contains("line 3") && err.contains("distinct"), "{err}");
    let counted = doc.replace("2/2 ok", "3/3 ok");
    assert!(
        matches_shown(output, &shown(&counted)).is_err(),
        "a count is not a time"
    );
}

#[test]
fn a_flag_that_does_not_exist_fails_with_its_file_line_and_command() {
    let block = Block {
        kind: "sh".into(),
        line: 1,
        lines: vec![(
            7,
            "cargo run --release -p slide06-threads -- --no-such-flag".into(),
        )],
        follows_sh: false,
    };
    let (mut counts, mut failures) = (Counts::default(), Vec::new());
    support::binaries();
    run_block("README.md", &block, &mut counts, &mut failures);
    assert_eq!(failures.len(), 1, "{failures:?}");
    let failure = &failures[0];
    assert!(
        failure.starts_with("README.md:7: `cargo run --release -p slide06-threads -- --no-such-flag`: exited Some(2)"),
        "{failure}"
    );
}

#[test]
fn cargo_run_becomes_the_built_binary() {
    let cases = [
        (
            "cargo run --release -p slide04-sync",
            "target/debug/slide04-sync",
        ),
        (
            "cargo run --release -p slide07-tokio -- --concurrency 10",
            "target/debug/slide07-tokio --concurrency 10",
        ),
        (
            "cargo run --release -p slide08-queue --bin slide08-worker",
            "target/debug/slide08-worker",
        ),
        (
            "cargo build -q && cargo run --release -p slide05-multiprocess",
            "cargo build -q && target/debug/slide05-multiprocess",
        ),
    ];
    for (written, runs) in cases {
        assert_eq!(run_built(written), runs);
    }
}
