//! `lab talk`, which `scripts/run-all.sh` runs: the talk slide by slide, then one table.
//!
//! Starts httpbin-lite on a free port (unless `--url`), and before a queue slide a private
//! redis-server and one worker; runs each slide under a banner with `--json`, keeping its
//! output in a directory of this talk's own (`own_dir`); then hands those records to
//! `slides-report compare` and moves the report it writes into OUT. A slide that printed no
//! summary still has a record that ends with one: a stand-in that says why (`stand_in`), so
//! the table is never lost for one slide. Everything it started is stopped however it ends:
//! each service stops when its handle is dropped.

mod build;
mod flags;
mod own_dir;
mod python;
mod race;
mod racer;
mod slide;
mod stand_in;
mod turn;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use lab::{Binaries, Httpbin};

use self::build::{Background, Waited};
pub use self::flags::Flags;
use self::own_dir::{OwnDir, REPORT};
use self::turn::{Talk, Turn};
use common::{SignalFlag, usage_error};

/// People start the talk as scripts/run-all.sh, and its messages have always said so.
const NAME: &str = "run-all.sh";

const RULE: &str = "==================================================================";

/// Runs the talk; the exit code is 0 when every slide got every UUID, 1 when any did not, 2
/// when no slide ran, 128 + N when signal N stopped it.
pub fn talk(flags: &Flags, bins: &Binaries, signals: &SignalFlag) -> ExitCode {
    if flags.debug && !bins.dir().ends_with("debug") {
        let dir = bins.dir().display();
        usage_error(&format!(
            "--debug, but this lab is the build in {dir}: run the debug one"
        ));
    }
    if let Some(why) = flags.race.then(|| race::refused(flags)).flatten() {
        usage_error(why);
    }
    // An earlier talk's report goes first: whatever happens to this one, it never passes for
    // this one's.
    let own = match own_dir::remove_report(&flags.out).and_then(|()| OwnDir::create(&flags.out)) {
        Ok(own) => own,
        Err(err) => return failed(signals, &err),
    };
    // Started before httpbin-lite: the first slide is built already, the rest compiles meanwhile.
    let build = match &flags.build_rest_after {
        Some(built) => {
            match Background::start(bins, &bins.dir().join("run-all-build.log"), built) {
                Ok(build) => Some(build),
                Err(err) => return failed(signals, &err),
            }
        }
        None => None,
    };
    let delay = flags.delay();
    if flags.race {
        return race_and_compare(flags, bins, signals, &own, build.as_ref());
    }
    // Every slide fetches from it, so it lives until the talk ends.
    let server;
    let (url, floor) = match &flags.url {
        Some(url) => {
            say!("==> fetching {url} (no local server, so no floor is claimed)");
            (url.clone(), None)
        }
        None => {
            server = match Httpbin::start(bins, delay.duration, &[]) {
                Ok(server) => server,
                Err(err) => return failed(signals, &format!("httpbin-lite did not start: {err}")),
            };
            say!(
                "==> httpbin-lite at {}, answering /uuid after {}",
                server.base(),
                delay.text
            );
            (server.url("/uuid"), Some(delay.text.as_str()))
        }
    };

    let talk = Talk {
        flags,
        bins,
        signals,
        url: &url,
        dir: own.path(),
        build: build.as_ref(),
    };
    let mut records = Vec::new();
    let mut stand_ins = Vec::new();
    let mut failures = 0;
    for slide in flags.slides() {
        match talk.turn(slide) {
            Turn::Ran { ok } => {
                records.push(talk.record(slide));
                failures += usize::from(!ok);
            }
            Turn::StandIn { why } => {
                records.push(talk.record(slide));
                stand_ins.push(format!(
                    "slide {}'s row counts no request as done: {}: {why}",
                    slide.number, slide.binary
                ));
                failures += 1;
            }
            Turn::Skipped => {}
            Turn::Failed => failures += 1,
            Turn::Stopped(signal) => return signal.exit_code(),
        }
        if let Some(signal) = signals.get() {
            return signal.exit_code();
        }
        // --python: the talk's own programs, each right after its slide.
        let python = if flags.python {
            talk.python(slide)
        } else {
            Vec::new()
        };
        for (record, turn) in python {
            match turn {
                Turn::Ran { ok } => {
                    records.push(record);
                    failures += usize::from(!ok);
                }
                Turn::Stopped(signal) => return signal.exit_code(),
                _ => failures += 1,
            }
        }
    }

    if records.is_empty() {
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
    if let Some(build) = &build {
        match build.wait_for(&["slides-report"], signals) {
            Waited::Built => {}
            Waited::Stopped(signal) => return signal.exit_code(),
            // compare says that slides-report is not built, and how to build it.
            Waited::NotBuilt(why) => eprintln!("{NAME}: {why}"),
        }
    }
    say!("\n==> the comparison: {} requests each\n", flags.requests);
    match compare(bins, floor, &flags.out, &own, &records, false) {
        Ok(true) => {}
        // slides-report has said what is wrong.
        Ok(false) => failures += 1,
        Err(err) => {
            eprintln!("{NAME}: {err}");
            failures += 1;
        }
    }
    // The table has no room for why a row counts nothing as done: say it under the table.
    for stand_in in &stand_ins {
        eprintln!("{NAME}: {stand_in}");
    }
    match signals.get() {
        Some(signal) => signal.exit_code(),
        None if failures > 0 => ExitCode::FAILURE,
        None => ExitCode::SUCCESS,
    }
}

/// `--race`: once every racer is built, the race; then the table, in finishing order.
fn race_and_compare(
    flags: &Flags,
    bins: &Binaries,
    signals: &SignalFlag,
    own: &OwnDir,
    build: Option<&Background>,
) -> ExitCode {
    if let Some(build) = build {
        // They all start at once, so all of them must be built first.
        let mut needed = vec!["slides-report"];
        for slide in flags.slides() {
            needed.push(slide.binary);
            needed.extend(slide.companion.map(|companion| companion.binary));
        }
        match build.wait_for(&needed, signals) {
            Waited::Built => {}
            Waited::Stopped(signal) => return signal.exit_code(),
            Waited::NotBuilt(why) => return failed(signals, &why),
        }
    }
    let raced = race::race(flags, bins, signals, own.path());
    if raced.records.is_empty() {
        eprintln!("{NAME}: no slide finished the race");
        return raced
            .stopped
            .map_or(ExitCode::FAILURE, |signal| signal.exit_code());
    }
    let mut failures = raced.failures;
    say!(
        "\n==> the comparison, in finishing order: {} requests each\n",
        flags.requests
    );
    let delay = flags.delay();
    match compare(
        bins,
        Some(&delay.text),
        &flags.out,
        own,
        &raced.records,
        true,
    ) {
        Ok(true) => {}
        Ok(false) => failures += 1,
        Err(err) => {
            eprintln!("{NAME}: {err}");
            failures += 1;
        }
    }
    race::share_note(&raced.records);
    match raced.stopped {
        Some(signal) => signal.exit_code(),
        None if failures > 0 => ExitCode::FAILURE,
        None => ExitCode::SUCCESS,
    }
}

/// `slides-report compare [--delay D] [--as-given] --out OWN RECORDS`, which prints the table
/// (its rows in the order of RECORDS when `as_given`, else in the talk's) and writes
/// results.json and report.html into the talk's own directory; from there they move into OUT.
/// False when it failed (it says why itself).
fn compare(
    bins: &Binaries,
    floor: Option<&str>,
    out: &Path,
    own: &OwnDir,
    records: &[PathBuf],
    as_given: bool,
) -> Result<bool, String> {
    let mut command = Command::new(bins.path("slides-report").map_err(|err| err.to_string())?);
    command.arg("compare");
    if as_given {
        command.arg("--as-given");
    }
    if let Some(delay) = floor {
        command.args(["--delay", delay]);
    }
    command.arg("--out").arg(own.path()).args(records);
    // Its stdout (the table, then where it wrote) is held until the files are where it says.
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|err| format!("cannot run slides-report: {err}"))?;
    let published = match output.status.success() {
        true => REPORT.iter().try_for_each(|name| own.publish(name, out)),
        false => Ok(()),
    };
    // It names the files where it wrote them, and they are in OUT now.
    let said = String::from_utf8_lossy(&output.stdout).replace(
        &own.path().display().to_string(),
        &out.display().to_string(),
    );
    let mut screen = io::stdout().lock();
    // A screen that went away (`| head`) is no reason to fail: the files are written.
    let _ = screen
        .write_all(said.as_bytes())
        .and_then(|()| screen.flush());
    published.map(|()| output.status.success())
}

/// What the talk needs (its directory, a service) is not there: say so, unless a Ctrl-C is why
/// (then it stopped with the lab).
fn failed(signals: &SignalFlag, message: &str) -> ExitCode {
    match signals.get() {
        Some(signal) => signal.exit_code(),
        None => {
            eprintln!("{NAME}: {message}");
            ExitCode::FAILURE
        }
    }
}
