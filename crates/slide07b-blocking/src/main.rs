//! Slide 7b — blocking the event loop: slide 7 with slide 4's blocking call in its futures.
//! No `.await` gives the thread back, so the loop runs one request at a time: 50 take ~50 s.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use common::{FetchError, Flags, Report, parse_uuid, retry};
use futures::future;
use tokio::time::sleep;
use ureq::Agent;
use uuid::Uuid;

#[derive(Parser)]
#[command(version, about)] // about: the description in Cargo.toml
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// How many futures make requests [default: one per request, as asyncio.gather]
    #[arg(short, long, value_parser = common::width)]
    concurrency: Option<usize>,
}

#[tokio::main(flavor = "current_thread")] // one thread runs the loop, as asyncio's does
async fn main() -> ExitCode {
    let Cli { flags, concurrency } = common::parse_flags_or_exit();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    let futures = flags.at_once_or_exit(concurrency, usize::MAX, "futures"); // cost little
    // One client for the whole run: it keeps connections open for the next requests.
    let client = Agent::new_with_config(common::ureq_config(flags.timeout).build());
    let report = Report::start("slide07b-blocking", "blocking", &flags, futures);
    // Ctrl-C is one more event for the loop: whichever comes first ends the run.
    common::spawn_exit_on_signal(&report, |_| {}); // but a blocked loop never looks: a thread does
    let stopped = tokio::select! {
        () = fetch_all(&client, &flags, futures, &report) => None,
        signal = common::first_signal_exit_on_second() => Some(signal),
    };
    report.finish(stopped)
}

/// The lesson: C futures, each taking the next request number until none is left.
async fn fetch_all(client: &Agent, flags: &Flags, futures: usize, report: &Report) {
    let clock = report.clock();
    let next = AtomicUsize::new(1);
    let take_next = || Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i <= flags.requests);
    let worker = async || {
        while let Some(index) = take_next() {
            let fetch = retry::non_blocking(flags.retries, || fetch_one(client, flags), sleep);
            report.record(clock.time_async(index, fetch).await);
        }
    };
    // `join_all` polls the first, whose requests block rather than wait at an `.await`: the
    // others wait for it.
    future::join_all((0..futures).map(|_| worker())).await;
}

/// One GET and its body; then the CPU work of handling the answer.
async fn fetch_one(client: &Agent, flags: &Flags) -> Result<Uuid, FetchError> {
    let response = client.get(flags.url.as_str()).call()?; // the mistake: it blocks the thread
    let uuid = parse_uuid(&common::read_body_blocking(response)?)?;
    common::spend_cpu(&uuid, flags.work); // --work: handling the answer holds this thread
    Ok(uuid)
}
