//! `lab talk --race`: every slide of the talk starts at the same instant, each against an
//! httpbin-lite of its own, so that one slide's load cannot slow another's server; slide 8 with
//! its Redis and worker, and with `--python` the talk's own programs too (`racer.rs`). On a
//! terminal, a live line per racer: its answers so far, what its server has in flight now, its
//! time, and its place once it is done. Through a pipe, a plain line as each one finishes. Then
//! the usual table, in finishing order, and results.json and report.html as after the talk.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use common::{Signal, SignalFlag, Summary};
use indicatif::{MultiProgress, ProgressDrawTarget};
use lab::Binaries;
use lab::talk;
use nix::sys::signal::{Signal as Kill, kill, killpg};
use nix::unistd::Pid;

use super::flags::Flags;
use super::racer::{Racer, Ready, failed};
use crate::shown::NAME;

/// How often the live lines are brought up to date (each asks its server what is in flight).
const TICK: Duration = Duration::from_millis(100);

/// How often to look for racers that have finished: their places come from it.
const LOOK: Duration = Duration::from_millis(5);

/// After Ctrl-C, how long a racer has to print what it got done before it is killed.
const GRACE: Duration = Duration::from_millis(1500);

/// What the race came to: each record in finishing order, the racers that did not get every
/// UUID, and the signal that stopped it, if one did.
pub struct Raced {
    pub records: Vec<PathBuf>,
    pub failures: usize,
    pub stopped: Option<Signal>,
}

/// Starts every slide of `flags` at once and follows them to the end (or to a signal).
pub fn race(flags: &Flags, bins: &Binaries, signals: &SignalFlag, dir: &Path) -> Raced {
    let live = io::stdout().is_terminal();
    let screen = match live {
        true => MultiProgress::with_draw_target(ProgressDrawTarget::stdout_with_hz(10)),
        false => MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
    };
    let delay = flags.delay();
    // Every server first (and Redis and the worker), so that the racers start together.
    let mut ready = Vec::new();
    let mut failures = 0;
    for slide in flags.slides() {
        let mut entrants = vec![(slide.binary, None)];
        if flags.python {
            let originals = talk::python_originals(slide);
            entrants.extend(originals.map(|python| (python.file, Some(python.program))));
        }
        for (name, python) in entrants {
            match Ready::prepare(slide, python, flags, bins, dir) {
                Ok(one) => ready.push(one),
                Err(why) => {
                    eprintln!("{NAME}: {name} does not race: {why}");
                    failures += 1;
                }
            }
        }
    }
    say!(
        "==> the race: {} at once, each against its own httpbin-lite answering after {}",
        ready.len(),
        delay.text
    );
    let start = Instant::now();
    let mut racers = Vec::new();
    for one in ready {
        match one.go(start, &screen, flags.requests) {
            Ok(racer) => racers.push(racer),
            Err(why) => {
                eprintln!("{NAME}: {why}");
                failures += 1;
            }
        }
    }
    let mut finished = Vec::new();
    let mut stopped = None;
    let mut shown = Instant::now();
    while finished.len() < racers.len() {
        if let Some(signal) = signals.get() {
            stop_all(&mut racers, &mut finished, live);
            stopped = Some(signal);
            break;
        }
        for (index, racer) in racers.iter_mut().enumerate() {
            if racer.ended.is_none() && racer.poll() {
                finished.push(index);
                racer.show_end(&ordinal(finished.len()), live);
            }
        }
        if shown.elapsed() >= TICK {
            racers
                .iter()
                .filter(|racer| racer.ended.is_none())
                .for_each(Racer::show_progress);
            shown = Instant::now();
        }
        thread::sleep(LOOK);
    }
    // From the start to the last finish: how long they took together.
    let took = racers
        .iter()
        .filter_map(|racer| racer.ended)
        .map(|(_, wall)| wall)
        .max();
    say!(
        "==> the race took {:.2} s, from the start to the last finish",
        took.unwrap_or_default().as_secs_f64()
    );
    let mut records = Vec::new();
    for index in finished {
        let racer = &mut racers[index];
        let (ok, record) = racer.settle(flags);
        failures += usize::from(!ok);
        records.extend(record);
    }
    Raced {
        records,
        failures,
        stopped,
    }
}

/// Ctrl-C: every racer still running gets it once, and has [`GRACE`] to print what it got
/// done; then it and whatever it started are killed. Each is `finished`, in the order it ended.
fn stop_all(racers: &mut [Racer], finished: &mut Vec<usize>, live: bool) {
    for racer in racers.iter().filter(|racer| racer.ended.is_none()) {
        let pid = Pid::from_raw(racer.child.id() as i32);
        // A slide hears it and sums up; Python's bash passes it to no one, so its group hears it.
        let _ = match racer.it.python {
            true => killpg(pid, Kill::SIGINT),
            false => kill(pid, Kill::SIGINT),
        };
    }
    let deadline = Instant::now() + GRACE;
    loop {
        for (index, racer) in racers.iter_mut().enumerate() {
            if racer.ended.is_none() && racer.poll() {
                finished.push(index);
                racer.show_stopped("stopped", live);
            }
        }
        if finished.len() == racers.len() || Instant::now() >= deadline {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    for (index, racer) in racers.iter_mut().enumerate() {
        // Its group too: a pool's children, Python's worker.
        let _ = killpg(Pid::from_raw(racer.child.id() as i32), Kill::SIGKILL);
        if racer.ended.is_none() {
            let status = racer.child.wait().unwrap_or_else(|_| failed());
            racer.ended = Some((status, racer.start.elapsed()));
            finished.push(index);
            racer.show_stopped("killed", live);
        }
    }
}

/// After the table: the racers shared this machine's cores, and the CPU each used, in lines
/// of at most 80 columns.
pub fn share_note(records: &[PathBuf]) {
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let summaries = records
        .iter()
        .filter_map(|record| std::fs::read_to_string(record).ok())
        .filter_map(|text| Summary::from_output(&text).ok());
    let used: Vec<String> = summaries
        .map(|summary| {
            // A Python original's summary names its file; a slide's, its binary.
            let name = match summary.slide.ends_with(".py") {
                true => summary.slide,
                false => summary.model,
            };
            format!("{name} {:.2} s", summary.cpu_s)
        })
        .collect();
    let mut line = format!("The racers shared this machine's {cores} cores; the CPU each used:");
    for (n, part) in used.iter().enumerate() {
        let part = match n + 1 == used.len() {
            true => format!(" {part}."),
            false => format!(" {part},"),
        };
        if line.chars().count() + part.chars().count() > 80 {
            say!("{line}");
            line = "   ".to_owned();
        }
        line.push_str(&part);
    }
    say!("{line}");
}

/// Why `--race` does not go with a flag given with it, if one does.
pub fn refused(flags: &Flags) -> Option<&'static str> {
    if flags.work.is_some() {
        Some(
            "--race with --work: the racers share this machine's cores, and CPU-bound slides would slow each other; give --work without --race",
        )
    } else if flags.url.is_some() {
        Some(
            "--race with --url: each racer gets an httpbin-lite of its own; give --url without --race",
        )
    } else if flags.timeline {
        Some(
            "--race with --timeline: the race has no \"after each slide\" for a chart; report.html draws each racer's timeline",
        )
    } else {
        None
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_as_people_say_them() {
        let said: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal).to_vec();
        assert_eq!(
            said,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
    }
}
