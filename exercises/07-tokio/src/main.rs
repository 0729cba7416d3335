//! Slide 7 — tokio. One thread, one event loop, a task per request: at each `.await` a task waits
//! and the loop runs another whose answer has come in, so 50 requests take ~1 s on one thread.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use common::{FetchError, Flags, Report, parse_uuid, read_body, retry};
use futures::future;
use reqwest::Client;
use tokio::time::sleep;
use uuid::Uuid;

/// Slide 7: fetch the UUID endpoint N times, all at once, on tokio's event loop
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// How many tasks make requests [default: one per request, as asyncio.gather]
    #[arg(short, long, value_parser = common::width)]
    concurrency: Option<usize>,
    /// Speak HTTP/2: every request a stream on one connection, not a connection each
    #[arg(long)]
    http2: bool,
}

#[tokio::main(flavor = "current_thread")] // one thread runs every task, as asyncio's loop does
async fn main() -> ExitCode {
    common::use_ring_for_tls(); // rustls is told its provider: ring, the one the workspace builds
    let Cli {
        flags,
        concurrency,
        http2,
    } = common::parse_flags();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    let tasks = flags.at_once(concurrency.unwrap_or(flags.requests), usize::MAX, "tasks");
    // One client for the whole run: it keeps connections open for the next request.
    let mut builder = Client::builder().timeout(flags.timeout);
    if http2 {
        // From the first byte: plain http:// has no handshake in which to agree on it.
        builder = builder.http2_prior_knowledge();
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(err) => return common::cannot("build the HTTP client", err),
    };
    let report = Report::start("slide07-tokio", "tokio", &flags, tasks);
    // Ctrl-C is one more event for the loop: whichever comes first ends the run.
    let stopped = tokio::select! {
        () = fetch_all(&client, &flags, tasks, &report) => None,
        signal = common::shutdown_signal() => Some(signal),
    };
    report.finish(stopped)
}

/// The lesson: C tasks, each taking the next request number until none is left.
async fn fetch_all(client: &Client, flags: &Flags, tasks: usize, report: &Report) {
    // ✎ Your turn: write the lesson from here to the closing ✎ line, in place of the todo!().
    // Run `tasks` tasks at once, all on this one thread. Each takes the next request number
    // (1, 2, … up to flags.requests) until none is left, fetches it and records it:
    //     let fetch = retry::non_blocking(flags.retries, || fetch_one(client, flags), sleep);
    //     report.record(clock.time_async(index, fetch).await); // `report.clock()` first
    // Hints: an `async` closure or block is one task's work; future::join_all runs many at
    // once and waits for them all. No threads: the event loop is the concurrency.
    todo!("fetch_all: run the tasks")
    // ✎ Then run `scripts/exercise.sh check tokio`: it tells you what works and what not.
}

/// One GET. At each `.await` the task gives the thread back to the loop until its answer comes.
async fn fetch_one(client: &Client, flags: &Flags) -> Result<Uuid, FetchError> {
    let url = flags.url.clone(); // parsed once, with the flags: reqwest need not parse it again
    let response = client.get(url).send().await?.error_for_status()?;
    let uuid = parse_uuid(&read_body(response).await?)?;
    common::spend_cpu(&uuid, flags.work); // --work: no `.await` in it, so no other task runs
    Ok(uuid)
}
