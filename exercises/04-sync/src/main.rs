//! Slide 4 — synchronous. One request, wait for its answer, then the next: each one spends ~1 s
//! waiting on the network, so 50 take ~50 s. The baseline every other slide improves on.

use std::process::ExitCode;

use clap::Parser;
use common::{FetchError, Flags, Report, parse_uuid, retry};
use ureq::Agent;
use uuid::Uuid;

#[derive(Parser)]
#[command(version, about)] // about: the description in Cargo.toml
struct Cli {
    #[command(flatten)]
    flags: Flags,
}

fn main() -> ExitCode {
    let Cli { flags } = common::parse_flags_or_exit();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    let report = Report::start("slide04-sync", "sync", &flags, 1);
    // Ctrl-C would end the process without a word: a thread hears it and sums up first.
    common::spawn_exit_on_signal(&report, |_| {});
    fetch_all(&flags, &report);
    report.finish(None)
}

/// The lesson: a plain loop. Request i+1 is not even sent until request i has its answer.
fn fetch_all(flags: &Flags, report: &Report) {
    // ✎ Your turn: write the lesson from here to the closing ✎ line, in place of the todo!().
    // Make a client, then fetch request number 1, then 2, … up to flags.requests, one after
    // another, and record each answer:
    //     let client = Agent::new_with_config(common::ureq_config(flags.timeout).build());
    //     let fetch = || retry::blocking(flags.retries, || fetch_one(&client, flags));
    //     report.record(clock.time(index, fetch)); // `let clock = report.clock();` first
    // Hint: a plain `for` loop. Every other model starts from this one.
    todo!("fetch_all: one request after another")
    // ✎ Then run `scripts/exercise.sh check sync`: it tells you what works and what not.
}

/// One GET and its body; then the CPU work of handling the answer.
fn fetch_one(client: &Agent, flags: &Flags) -> Result<Uuid, FetchError> {
    let response = client.get(flags.url.as_str()).call()?;
    let uuid = parse_uuid(&common::read_body_blocking(response)?)?;
    common::spend_cpu(&uuid, flags.work); // --work: handling the answer holds this thread
    Ok(uuid)
}
