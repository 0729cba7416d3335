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
mod compare;
mod flags;
mod own_dir;
mod python;
mod quick_start;
mod race;
mod racer;
mod slide;
mod stand_in;
mod turn;

use std::process::ExitCode;

use lab::Binaries;

use self::build::{Background, Waited};
use self::compare::compare;
pub use self::flags::Flags;
use self::own_dir::OwnDir;
use self::quick_start::{release_server, serve};
use self::turn::{Talk, Turn};
use crate::shown::NAME;
use common::{SignalFlag, usage_error};

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
    // A quick start: this lab, httpbin-lite and the first slide are the debug build, and the
    // talk is the release one beside it.
    let first = flags.first_in_debug.then(|| bins.clone());
    let release;
    let (bins, built_already) = match &first {
        Some(debug) => {
            release = Binaries::in_dir(debug.dir().with_file_name("release"));
            (&release, &[][..])
        }
        None => (bins, flags.build_rest_after.as_deref().unwrap_or_default()),
    };
    // An earlier talk's report goes first: whatever happens to this one, it never passes for
    // this one's.
    let own = match own_dir::remove_report(&flags.out).and_then(|()| OwnDir::create(&flags.out)) {
        Ok(own) => own,
        Err(err) => return failed(signals, &err),
    };
    // Started before httpbin-lite: the first slide is built already, the rest compiles meanwhile.
    let build = match &flags.build_rest_after {
        Some(_) => {
            let log = bins.dir().join("run-all-build.log");
            match Background::start(bins, &log, built_already) {
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
    let mut talk = Talk {
        flags,
        bins,
        signals,
        url: String::new(),
        dir: own.path(),
        build: build.as_ref(),
        first: first.as_ref(),
    };
    let opening = flags.slides().next();
    if let Some(slide) = opening.filter(|slide| talk.built_first(slide.binary).is_some()) {
        let number = slide.number;
        say!("==> a quick start: slide {number} runs from the debug build, the rest from the");
        say!("    release build as it is built");
    }
    // Every slide fetches from it, so it lives until the talk ends; a quick start's, from the
    // debug build, until the release build has one.
    let mut _server = None;
    let mut serving_first = false;
    let floor = match &flags.url {
        Some(url) => {
            say!("==> fetching {url} (no local server, so no floor is claimed)");
            talk.url = url.clone();
            None
        }
        None => {
            serving_first = talk.built_first("httpbin-lite").is_some();
            let from = talk.first.filter(|_| serving_first).unwrap_or(bins);
            match serve(from, &delay, &mut talk) {
                Ok(started) => _server = Some(started),
                Err(err) => return failed(signals, &err),
            }
            Some(delay.text.as_str())
        }
    };

    let mut records = Vec::new();
    let mut stand_ins = Vec::new();
    let mut failures = 0;
    for slide in flags.slides() {
        // The first slide of the release build runs against the release build's server.
        if serving_first && talk.built_first(slide.binary).is_none() {
            serving_first = false;
            match release_server(&mut talk, &delay) {
                Ok(Some(started)) => _server = Some(started),
                Ok(None) => {}
                Err(signal) => return signal.exit_code(),
            }
        }
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
