//! slides-report: the comparison at the end of the talk.
//!
//! `lab talk` (which `scripts/run-all.sh` runs) runs every slide with `--json` and hands their
//! summary lines to `slides-report compare`, which prints one table — measured here, beside the
//! physical floor and beside what the talk said (`lab::talk`) — and writes `results.json` and a
//! self-contained `report.html`.

mod html;
mod table;
mod text;

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::{parse_duration, parse_flags_or_exit};

use crate::table::{Comparison, Summary};

/// The comparison at the end of the talk
#[derive(Debug, Parser)]
#[command(version)]
enum Command {
    /// Compare slide runs: print the table, write results.json and report.html.
    Compare {
        /// The delay httpbin-lite added to each request; the floor is ⌈N/C⌉ × delay, and with
        /// `--work` it counts the CPU work and this machine's cores too.
        /// Leave it out (e.g. against the real httpbin.org) and no floor is claimed.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        delay: Option<Duration>,

        /// Where to write results.json and report.html.
        #[arg(long, value_name = "DIR", default_value = "target/slides")]
        out: PathBuf,

        /// Keep the rows in the order the files are given (the race's finishing order), not
        /// in the talk's.
        #[arg(long)]
        as_given: bool,

        /// Files holding one slide's `--json` summary each (the last line counts).
        #[arg(required = true, value_name = "SUMMARY")]
        summaries: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let result = match parse_flags_or_exit::<Command>() {
        Command::Compare {
            delay,
            out,
            as_given,
            summaries,
        } => compare(delay, &out, as_given, &summaries),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("slides-report: {message}");
            ExitCode::FAILURE
        }
    }
}

fn compare(
    delay: Option<Duration>,
    out: &PathBuf,
    as_given: bool,
    files: &[PathBuf],
) -> Result<(), String> {
    let mut summaries = Vec::new();
    for file in files {
        let text = fs::read_to_string(file)
            .map_err(|err| format!("cannot read {}: {err}", file.display()))?;
        let summary =
            Summary::from_output(&text).map_err(|err| format!("{}: {err}", file.display()))?;
        summaries.push(summary);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let comparison = match as_given {
        true => Comparison::as_given(summaries, delay, cores),
        false => Comparison::new(summaries, delay, cores),
    };
    print!("{}", comparison.text_table());

    fs::create_dir_all(out).map_err(|err| format!("cannot create {}: {err}", out.display()))?;
    let json = serde_json::to_string_pretty(&comparison.to_json())
        .map_err(|err| format!("cannot write results: {err}"))?;
    let results = out.join("results.json");
    fs::write(&results, json + "\n")
        .map_err(|err| format!("cannot write {}: {err}", results.display()))?;
    let report = out.join("report.html");
    fs::write(&report, html::render(&comparison))
        .map_err(|err| format!("cannot write {}: {err}", report.display()))?;
    println!("\nwrote {} and {}", results.display(), report.display());
    Ok(())
}
