//! `lab talk`, which `scripts/run-all.sh` runs: the talk slide by slide, then one table.
//!
//! Starts httpbin-lite on a free port (unless `--url`), and before a queue slide a private
//! redis-server and one worker; runs each slide under a banner with `--json`, keeping its
//! output in `OUT/runs/NAME.json`; then hands those to `slides-report compare`. Everything it
//! started is stopped however it ends: each service stops when its handle is dropped.

mod flags;
mod slide;
mod turn;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use lab::{Binaries, Httpbin};

pub use self::flags::Flags;
use self::turn::{Talk, Turn};
use common::SignalFlag;

/// People start the talk as scripts/run-all.sh, and its messages have always said so.
const NAME: &str = "run-all.sh";

const RULE: &str = "==================================================================";

/// Runs the talk; the exit code is 0 when every slide got every UUID, 1 when any did not, 2
/// when no slide ran, 128 + N when signal N stopped it.
pub fn talk(flags: &Flags, bins: &Binaries, signals: &SignalFlag) -> ExitCode {
    let delay = flags.delay();
    // Every slide fetches from it, so it lives until the talk ends.
    let server;
    let (url, floor) = match &flags.url {
        Some(url) => {
            println!("==> fetching {url} (no local server, so no floor is claimed)");
            (url.clone(), None)
        }
        None => {
            server = match Httpbin::start(bins, delay.duration, &[]) {
                Ok(server) => server,
                Err(err) => return failed(signals, &format!("httpbin-lite did not start: {err}")),
            };
            println!(
                "==> httpbin-lite at {}, answering /uuid after {}",
                server.base(),
                delay.text
            );
            (server.url("/uuid"), Some(delay.text.as_str()))
        }
    };

    let runs = flags.out.join("runs");
    if let Err(err) = clear(&runs) {
        return failed(signals, &err);
    }
    let talk = Talk {
        flags,
        bins,
        signals,
        url: &url,
        runs: &runs,
    };
    let mut failures = 0;
    let mut ran = 0;
    for slide in flags.slides() {
        match talk.turn(slide) {
            Turn::Ran { ok } => {
                ran += 1;
                failures += usize::from(!ok);
            }
            Turn::Skipped => {}
            Turn::Failed => failures += 1,
            Turn::Stopped(signal) => return signal.exit_code(),
        }
        if let Some(signal) = signals.get() {
            return signal.exit_code();
        }
    }

    if ran == 0 {
        // Every name in --only is a slide (the flags are checked), so none was built or could run.
        match &flags.only {
            Some(only) => eprintln!("{NAME}: no slide of --only '{}' ran", only.text),
            None => eprintln!(
                "{NAME}: no slide ran: none is built in {}",
                bins.dir().display()
            ),
        }
        return ExitCode::from(2);
    }
    println!("\n==> the comparison: {} requests each\n", flags.requests);
    match compare(bins, floor, &flags.out, &runs) {
        Ok(true) => {}
        // slides-report has said what is wrong.
        Ok(false) => failures += 1,
        Err(err) => {
            eprintln!("{NAME}: {err}");
            failures += 1;
        }
    }
    match signals.get() {
        Some(signal) => signal.exit_code(),
        None if failures > 0 => ExitCode::FAILURE,
        None => ExitCode::SUCCESS,
    }
}

/// Makes `runs` exist and hold no summaries of an earlier talk.
fn clear(runs: &Path) -> Result<(), String> {
    fs::create_dir_all(runs).map_err(|err| format!("cannot create {}: {err}", runs.display()))?;
    for path in summaries(runs)? {
        fs::remove_file(&path).map_err(|err| format!("cannot remove {}: {err}", path.display()))?;
    }
    Ok(())
}

/// The `*.json` files in `runs`, sorted.
fn summaries(runs: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        fs::read_dir(runs).map_err(|err| format!("cannot read {}: {err}", runs.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// `slides-report compare [--delay D] --out OUT RUNS/*.json`, which prints the table and
/// writes results.json and report.html. False when it failed (it says why itself).
fn compare(bins: &Binaries, floor: Option<&str>, out: &Path, runs: &Path) -> Result<bool, String> {
    let mut command = Command::new(bins.path("slides-report").map_err(|err| err.to_string())?);
    command.arg("compare");
    if let Some(delay) = floor {
        command.args(["--delay", delay]);
    }
    command.arg("--out").arg(out).args(summaries(runs)?);
    let status = command
        .status()
        .map_err(|err| format!("cannot run slides-report: {err}"))?;
    Ok(status.success())
}

/// A service did not start: say so, unless a Ctrl-C is why (then it stopped with the lab).
fn failed(signals: &SignalFlag, message: &str) -> ExitCode {
    match signals.get() {
        Some(signal) => signal.exit_code(),
        None => {
            eprintln!("{NAME}: {message}");
            ExitCode::FAILURE
        }
    }
}
