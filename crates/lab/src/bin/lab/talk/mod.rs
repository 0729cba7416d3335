//! `lab talk`, which `scripts/run-all.sh` runs: the talk slide by slide, then one table.
//!
//! Starts httpbin-lite on a free port (unless `--url`), and before a queue slide a private
//! redis-server and one worker; runs each slide under a banner with `--json`, keeping its
//! output in `OUT/runs/NAME.json`; then hands those to `slides-report compare`. Everything it
//! started is stopped however it ends: each service stops when its handle is dropped.

mod flags;
mod slide;

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use lab::talk::Slide;
use lab::{Binaries, Httpbin};

pub use self::flags::Flags;
use self::flags::host_of;
use self::slide::Ended;
use crate::queue::Queue;
use crate::shown::shown;
use crate::signals::{Signals, exit_code};

/// People start the talk as scripts/run-all.sh, and its messages have always said so.
const NAME: &str = "run-all.sh";

const RULE: &str = "==================================================================";

/// Runs the talk; the exit code is 0 when every slide got every UUID, 1 when any did not, 2
/// when no slide ran, 128 + N when signal N stopped it.
pub fn talk(flags: &Flags, bins: &Binaries, signals: &Signals) -> ExitCode {
    let delay = flags.delay();
    // Declared first, so dropped last: the worker may still be fetching from it.
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
            (server.url("/uuid"), Some(&delay.text))
        }
    };

    let runs = flags.out.join("runs");
    if let Err(err) = clear(&runs) {
        return failed(signals, &err);
    }
    let mut failures = 0;
    let mut ran = 0;
    for slide in flags.slides() {
        if let Some(signal) = signals.received() {
            return ExitCode::from(exit_code(signal));
        }
        let Ok(program) = bins.path(slide.binary) else {
            continue; // not built: not a slide of this build
        };
        let mut args = vec!["--url".to_owned(), url.clone()];
        args.extend(["--requests".to_owned(), flags.requests.to_string()]);
        // Dropped at the end of this slide's turn: the worker first, then its Redis.
        let queue = match slide.queue {
            true => match start_queue(slide, bins, &url) {
                Some(Ok(queue)) => Some(queue),
                Some(Err(err)) if signals.received().is_none() => {
                    eprintln!("{NAME}: {err}");
                    failures += 1;
                    continue;
                }
                _ => continue,
            },
            false => None,
        };
        if let Some(queue) = &queue {
            args.extend(["--redis".to_owned(), queue.redis.url()]);
        }
        banner(slide, &shown(&program), &args);
        args.push("--json".to_owned());
        if flags.timeline {
            args.push("--timeline".to_owned());
        }
        let record = runs.join(format!("{}.json", slide.binary));
        match slide::run(&program, &args, &record, signals) {
            Ok(Ended::Exited(status)) if status.success() => {}
            Ok(Ended::Exited(_)) => {
                failures += 1;
                if let Some(queue) = &queue {
                    eprintln!(
                        "{NAME}: the worker said:\n{}",
                        queue.worker.output().trim_end()
                    );
                }
            }
            Ok(Ended::Interrupted(signal)) => return ExitCode::from(exit_code(signal)),
            Err(err) => {
                eprintln!("{NAME}: {}: {err}", slide.binary);
                failures += 1;
            }
        }
        ran += 1;
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
    if let Err(err) = compare(bins, floor, &flags.out, &runs) {
        eprintln!("{NAME}: {err}");
        failures += 1;
    }
    match signals.received() {
        Some(signal) => ExitCode::from(exit_code(signal)),
        None if failures > 0 => ExitCode::FAILURE,
        None => ExitCode::SUCCESS,
    }
}

/// The Redis and worker a queue slide needs, or `None` when redis-server is not installed and
/// cannot be: then the slide is skipped, loudly, and that is no failure of the talk.
fn start_queue(slide: &Slide, bins: &Binaries, url: &str) -> Option<Result<Queue, lab::Error>> {
    let skip = || {
        eprintln!(
            "{NAME}: SKIPPING SLIDE {}, {}: redis-server is not installed; see above for how \
             to install it",
            slide.number, slide.title
        );
    };
    if !install_redis_server() {
        skip();
        return None;
    }
    // The worker fetches only from hosts it allows: the one the other slides fetch from.
    match Queue::start(bins, &host_of(url)) {
        Err(err) if err.is_missing_program() => {
            eprintln!("{NAME}: {err}");
            skip();
            None
        }
        started => Some(started),
    }
}

/// Runs scripts/install-redis-server.sh, which installs redis-server if it can and says how
/// if it cannot. False when it could not. Outside the workspace there is no script: then
/// starting redis-server says whether it is there.
fn install_redis_server() -> bool {
    let script = Path::new("scripts/install-redis-server.sh");
    if !script.is_file() {
        return true;
    }
    // No stdin: it asks for a sudo password only when someone is there to type it.
    let status = Command::new("bash")
        .arg(script)
        .stdin(Stdio::null())
        .status();
    status.is_ok_and(|status| status.success())
}

fn banner(slide: &Slide, program: &str, args: &[String]) {
    println!("\n{RULE}");
    println!(
        " Slide {}: {}. The talk: {} (deck), {} (speaker notes)",
        slide.number, slide.title, slide.deck, slide.notes
    );
    if let Some(worker) = slide.companion.filter(|_| slide.queue) {
        println!(
            " One {} runs the jobs; the talk's figure timed only the enqueueing.",
            worker.binary
        );
    }
    println!(" $ {program} {}", args.join(" "));
    println!("{RULE}");
}

/// Makes `runs` exist and hold no summaries of an earlier talk.
fn clear(runs: &Path) -> Result<(), String> {
    fs::create_dir_all(runs).map_err(|err| format!("cannot create {}: {err}", runs.display()))?;
    let entries =
        fs::read_dir(runs).map_err(|err| format!("cannot read {}: {err}", runs.display()))?;
    for path in entries.flatten().map(|entry| entry.path()) {
        if path.extension().is_some_and(|ext| ext == "json") {
            fs::remove_file(&path)
                .map_err(|err| format!("cannot remove {}: {err}", path.display()))?;
        }
    }
    Ok(())
}

/// `slides-report compare [--delay D] --out OUT RUNS/*.json`: prints the table, writes the files.
fn compare(bins: &Binaries, floor: Option<&String>, out: &Path, runs: &Path) -> Result<(), String> {
    let entries =
        fs::read_dir(runs).map_err(|err| format!("cannot read {}: {err}", runs.display()))?;
    let mut summaries: Vec<_> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    summaries.sort();
    let mut command = Command::new(bins.path("slides-report").map_err(|err| err.to_string())?);
    command.arg("compare");
    if let Some(delay) = floor {
        command.args(["--delay", delay]);
    }
    command.arg("--out").arg(out).args(&summaries);
    let status = command
        .status()
        .map_err(|err| format!("cannot run slides-report: {err}"))?;
    match status.success() {
        true => Ok(()),
        false => Err(format!("slides-report compare failed ({status})")),
    }
}

/// A service did not start: say so, unless a Ctrl-C is why (then it stopped with the lab).
fn failed(signals: &Signals, message: &str) -> ExitCode {
    match signals.received() {
        Some(signal) => ExitCode::from(exit_code(signal)),
        None => {
            eprintln!("{NAME}: {message}");
            ExitCode::FAILURE
        }
    }
}
