//! Slide 7a — coroutines by hand: the abstract's "coroutines using yield", which the talk skipped.
//! Slide 7 without tokio: each request is a coroutine that *yields* whenever its socket would
//! block, and our own small executor runs another. Diff this file with slide07-tokio's: what
//! tokio and reqwest do for us is in this crate's `executor.rs`, `reactor.rs` and `http.rs`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use common::{FetchError, Flags, Report, Signal, SignalFlag, parse_uuid, retry};
use uuid::Uuid;

use slide07a_coroutines::executor::Executor;
use slide07a_coroutines::http::Client;
use slide07a_coroutines::reactor::sleep;

#[derive(Parser)]
#[command(version, about)] // about: the description in Cargo.toml
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// How many tasks make requests [default: one per request, as asyncio.gather]
    #[arg(short, long, value_parser = common::width)]
    concurrency: Option<usize>,
}

fn main() -> ExitCode {
    let Cli { flags, concurrency } = common::parse_flags_or_exit();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    let tasks = flags.at_once_or_exit(concurrency, usize::MAX, "tasks");
    // One client for the whole run: a connection a request, plain http:// only (encryption by
    // hand would be a talk of its own).
    let client = match Client::new(flags.url.as_str(), flags.timeout) {
        Ok(client) => client,
        Err(err) => common::usage_error(&err), // an https:// URL: one line, and exit 2
    };
    let report = Report::start("slide07a-coroutines", "coroutines", &flags, tasks);
    let stopped = fetch_all(&client, &flags, tasks, &report);
    report.finish(stopped)
}

/// The lesson: C tasks, each taking the next request number until none is left.
fn fetch_all(client: &Client, flags: &Flags, tasks: usize, report: &Report) -> Option<Signal> {
    let clock = report.clock();
    let next = AtomicUsize::new(1);
    let take_next = || Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i <= flags.requests);
    let worker = async || {
        while let Some(index) = take_next() {
            let fetch = retry::non_blocking(flags.retries, || fetch_one(client, flags), sleep);
            report.record(clock.time_async(index, fetch).await);
        }
    };
    // Nothing runs yet: calling an async fn only builds its state machine. The executor polls
    // one task until its socket would block, then another, all on this one thread.
    let mut executor = Executor::new();
    for _ in 0..tasks {
        executor.spawn(worker());
    }
    // Ctrl-C sets a flag that the executor looks at between steps: then it ends the run.
    executor.run(&SignalFlag::listen_exit_on_second())
}

/// One GET and its body; then the CPU work of handling the answer.
async fn fetch_one(client: &Client, flags: &Flags) -> Result<Uuid, FetchError> {
    let uuid = parse_uuid(&client.get().await?)?;
    common::spend_cpu(&uuid, flags.work); // --work: handling the answer holds this thread
    Ok(uuid)
}
