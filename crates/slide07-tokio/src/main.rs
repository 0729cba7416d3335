//! Slide 7 — tokio. One thread, one event loop, C futures polled together: at each `.await` a
//! future waits, and `join_all` polls another whose answer has come in. 50 take ~1 s.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use common::{FetchError, Flags, Report, parse_uuid, retry};
use futures::future;
use reqwest::Client;
use tokio::time::sleep;
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
    let client = match common::reqwest_builder(flags.timeout).build() {
        Ok(client) => client,
        Err(err) => return common::cannot("build the HTTP client", err),
    };
    let report = Report::start("slide07-tokio", "tokio", &flags, futures);
    // Ctrl-C is one more event for the loop: whichever comes first ends the run.
    let stopped = tokio::select! {
        () = fetch_all(&client, &flags, futures, &report) => None,
        signal = common::first_signal_exit_on_second() => Some(signal),
    };
    report.finish(stopped)
}

/// The lesson: C futures, each taking the next request number until none is left.
async fn fetch_all(client: &Client, flags: &Flags, futures: usize, report: &Report) {
    let clock = report.clock();
    let next = AtomicUsize::new(1);
    let take_next = || Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i <= flags.requests);
    let worker = async || {
        while let Some(index) = take_next() {
            let fetch = retry::non_blocking(flags.retries, || fetch_one(client, flags), sleep);
            report.record(clock.time_async(index, fetch).await);
        }
    };
    // All at once on this one thread: while one waits at an `.await`, `join_all` polls the others.
    future::join_all((0..futures).map(|_| worker())).await;
}

/// One GET and its body; then the CPU work of handling the answer.
async fn fetch_one(client: &Client, flags: &Flags) -> Result<Uuid, FetchError> {
    let response = client.get(flags.url.clone()).send().await?;
    let uuid = parse_uuid(&common::read_body(response).await?)?;
    common::spend_cpu(&uuid, flags.work); // --work: handling the answer holds this thread
    Ok(uuid)
}
