//! Slide 6 — threads. 40 threads each make slide 4's blocking requests: while one waits on the
//! network the others wait on theirs, so 50 take ~2 s. No GIL here, and waiting needs no CPU.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use common::{FetchError, Flags, Report, parse_uuid, retry};
use ureq::Agent;
use uuid::Uuid;

#[derive(Parser)]
#[command(version, about)] // about: the description in Cargo.toml
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// How many threads make requests [default: 40, as the talk's pool]
    #[arg(short, long, value_parser = common::width)]
    concurrency: Option<usize>,
}

fn main() -> ExitCode {
    let Cli { flags, concurrency } = common::parse_flags_or_exit();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    let threads = flags.at_once_or_exit(concurrency.unwrap_or(40), 10_000, "threads");
    let report = Report::start("slide06-threads", "threads", &flags, threads);
    // Ctrl-C would end the process without a word: a thread hears it and sums up first.
    common::spawn_exit_on_signal(&report, |_| {});
    fetch_all(&flags, threads, &report);
    report.finish(None)
}

/// The lesson: C threads at once, each taking the next request number until none is left.
fn fetch_all(flags: &Flags, threads: usize, report: &Report) {
    // ✎ Your turn: write the lesson from here to the closing ✎ line, in place of the todo!().
    // Start `threads` threads that all run at the same time. Each makes its own client, as
    // slide 4 makes its one, then takes the next request number (1, 2, … up to
    // flags.requests) until none is left, fetches it and records it:
    //     let fetch = || retry::blocking(flags.retries, || fetch_one(&client, flags));
    //     report.record(clock.time(index, fetch)); // `let clock = report.clock();` first
    // Hints: `std::thread::scope` lets the threads borrow `flags` and `report`; one
    // `AtomicUsize` can hand out the numbers; start every thread before you wait for any.
    todo!("fetch_all: start the threads")
    // ✎ Then run `scripts/exercise.sh check threads`: it tells you what works and what not.
}

/// One GET and its body; then the CPU work of handling the answer.
fn fetch_one(client: &Agent, flags: &Flags) -> Result<Uuid, FetchError> {
    let response = client.get(flags.url.as_str()).call()?;
    let uuid = parse_uuid(&common::read_body_blocking(response)?)?;
    common::spend_cpu(&uuid, flags.work); // --work: handling the answer holds this thread
    Ok(uuid)
}
