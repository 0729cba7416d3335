//! slides-bench: how each concurrency model's cost grows as the work grows.
//!
//! With the talk's 50 requests every concurrent slide reaches the same floor, one round trip, so
//! the talk's table says little about cost. This runs the slides at larger sizes — 10 000
//! requests, 10 000 in flight, no delay at all — and measures each run from outside: the wall
//! time, the CPU time and the peak memory of the whole process tree, as the kernel counts them
//! (`getrusage(RUSAGE_CHILDREN)` in a small wrapper process, see `measure.rs`), never from the
//! slide's own report. Then it writes BENCHMARKS.md: the machine, the commands, one table per
//! scenario, and each goal marked met or not, with the figure that says why. The slides it runs
//! are the talk's, from `lab::talk`; the words around the figures are in `notes.md`.
//!
//! `scripts/bench.sh` builds the binaries and calls `slides-bench run`; `--smoke` runs every
//! scenario at a tiny size, so CI proves the benchmark still works without timing anything.

mod bench;
mod callgrind;
mod case;
mod clients;
mod judge;
mod machine;
mod massif;
mod measure;
mod merge;
mod notes;
mod outcome;
mod quiet;
mod report;
mod rounds;
mod run_result;
mod running;
mod scenarios;
mod section;
mod stopping;
mod system;
mod tools;
mod units;
mod yardsticks;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::{parse_duration, parse_flags_or_exit};
use lab::Binaries;

use crate::bench::Bench;
use crate::scenarios::Scenario;

/// Benchmarks: each model's cost against the floor and against wrk (scripts/bench.sh runs it)
#[derive(Debug, Parser)]
#[command(version)]
enum Command {
    /// Run the scenarios and write the report.
    Run(RunFlags),
    /// Run COMMAND, then write its wall time and its process tree's CPU time and peak RSS (as
    /// getrusage counts them) to FILE as JSON. `run` starts every measured program this way.
    Measure {
        /// Where to write the measurement.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The program and its arguments.
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<OsString>,
    },
}

#[derive(Debug, clap::Args)]
struct RunFlags {
    /// Where the built binaries are (httpbin-lite, the slides); default: next to this program.
    #[arg(long, value_name = "DIR")]
    bin: Option<PathBuf>,

    /// The report to write.
    #[arg(long, value_name = "FILE", default_value = "BENCHMARKS.md")]
    out: PathBuf,

    /// Where each run's output and measurement, and each queue worker's log, go.
    #[arg(long, value_name = "DIR", default_value = "target/bench")]
    work: PathBuf,

    /// Every scenario at a tiny size (N≈20, 10 ms): proves the benchmark runs, times nothing.
    #[arg(long)]
    smoke: bool,

    /// Runs per case; the report gives the median. Cases that should take 10 s or more get at
    /// most 3. Default: 5, or 1 with --smoke.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    runs: Option<u32>,

    /// Only these scenarios, comma-separated: talk, scale, overhead, memory, enqueue, cpu,
    /// instructions. Unless
    /// --smoke, they replace their own sections of the report already in --out (and their rows
    /// of its goals), leaving the others as they were measured.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = scenarios::named)]
    only: Vec<Scenario>,

    /// Before starting, wait up to this long for the machine to be quiet (no compiler, no other
    /// slide or server running, little CPU in use for 30 s); 0 starts at once. At most 2h.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = quiet_wait)]
    quiet_wait: Duration,

    /// The command line to print in the report as the one that produced it.
    #[arg(long, value_name = "TEXT")]
    command: Option<String>,
}

/// The longest `--quiet-wait`: on a machine that is never quiet, the wait must end.
const MOST_QUIET_WAIT: Duration = Duration::from_secs(2 * 3600);

fn quiet_wait(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        wait if wait > MOST_QUIET_WAIT => Err("at most 2h; give e.g. 20m".into()),
        wait => Ok(wait),
    }
}

fn main() -> ExitCode {
    match parse_flags_or_exit::<Command>() {
        Command::Measure { out, command } => measure::wrapper(&out, &command),
        Command::Run(flags) => match run(flags) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("slides-bench: {message}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run(flags: RunFlags) -> Result<(), String> {
    stopping::stop_all_on_signal()?;
    let bins = match flags.bin {
        Some(dir) => Binaries::in_dir(dir),
        None => Binaries::beside_this_program().map_err(|err| err.to_string())?,
    };
    let runs = flags
        .runs
        .map_or(if flags.smoke { 1 } else { 5 }, |n| n as usize);
    let bench = Bench {
        bins,
        work: flags.work,
        smoke: flags.smoke,
        runs,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let scenarios = match flags.only.is_empty() {
        true => scenarios::ALL.to_vec(),
        false => flags.only,
    };
    let args = || std::env::args().collect::<Vec<_>>().join(" ");
    let command = flags.command.unwrap_or_else(args);
    let quiet = quiet::wait_until_quiet(flags.quiet_wait);
    println!("==> {quiet}");
    let machine = machine::Machine::read();
    let sections = scenarios::run_all(&bench, &scenarios)?;
    let report = report::Report {
        command: &command,
        machine: &machine,
        quiet: &quiet,
        bench: &bench,
        sections: &sections,
    };
    // Some scenarios only, measured for real: they replace their own sections of the report
    // already there, and leave the others as they were measured.
    let some = scenarios.len() < scenarios::ALL.len() && !bench.smoke;
    let ran: Vec<&str> = scenarios.iter().filter(|_| some).map(|s| s.name).collect();
    report::write(&flags.out, &report, &ran)?;
    for goal in sections.iter().flat_map(|section| &section.goals) {
        match (bench.smoke, goal.met) {
            // A smoke run judges no goal, but shows that each one was computed.
            (true, _) => println!("==> goal (not judged): {}", goal.what),
            (false, false) => println!("==> goal missed: {}", goal.what),
            (false, true) => {}
        }
    }
    let failures: Vec<&String> = sections.iter().flat_map(|s| &s.failures).collect();
    for failure in &failures {
        println!("==> FAILED: {failure}");
    }
    // A smoke run exists to prove that every slide still runs under the benchmark.
    if bench.smoke && !failures.is_empty() {
        let (failed, work) = (failures.len(), bench.work.display());
        return Err(format!(
            "{failed} smoke runs had failed requests (see above and {work})"
        ));
    }
    Ok(())
}
