//! Slide 7b — blocking the event loop: slide 7 with a blocking call (slide 4's ureq) in the task.
//! No `.await` gives the thread back, so the loop runs one request at a time: 50 take ~50 s.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use common::{FetchError, Flags, MAX_BODY, Report, parse_uuid, retry};
use futures::future;
use tokio::time::sleep;
use ureq::Agent;
use uuid::Uuid;

/// Slide 7b: slide 7 with a blocking call in each task, so one request runs at a time
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// How many tasks make requests [default: one per request, as asyncio.gather]
    #[arg(short, long, value_parser = common::width)]
    concurrency: Option<usize>,
}

#[tokio::main(flavor = "current_thread")] // one thread runs every task, as asyncio's loop does
async fn main() -> ExitCode {
    let Cli { flags, concurrency } = common::parse_flags();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    let tasks = flags.at_once(concurrency.unwrap_or(flags.requests), usize::MAX, "tasks");
    // One client for the whole run: it keeps connections open for the next request.
    let config = Agent::config_builder().timeout_global(Some(flags.timeout));
    let client = Agent::new_with_config(config.build());
    let report = Report::start("slide07b-blocking", "blocking", &flags, tasks);
    // A loop stuck in a blocking call cannot hear Ctrl-C either: a thread listens, as in slide 4.
    common::spawn_exit_on_signal(&report, |_| {});
    fetch_all(&client, &flags, tasks, &report).await;
    report.finish(None)
}

/// The lesson: C tasks, each taking the next request number until none is left.
async fn fetch_all(client: &Agent, flags: &Flags, tasks: usize, report: &Report) {
    let clock = report.clock();
    let next = AtomicUsize::new(1);
    let take_next = || Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i <= flags.requests);
    let worker = async || {
        while let Some(index) = take_next() {
            let fetch = retry::non_blocking(flags.retries, || fetch_one(client, flags), sleep);
            report.record(clock.time_async(index, fetch).await);
        }
    };
    // All C run at once, on this one thread: at each `.await` one task lets the others go on.
    future::join_all((0..tasks).map(|_| worker())).await;
}

/// One GET — the mistake: `call()` blocks the loop's one thread, and every other task with it.
async fn fetch_one(client: &Agent, flags: &Flags) -> Result<Uuid, FetchError> {
    let mut response = client.get(flags.url.as_str()).call()?;
    let body = response.body_mut().with_config().limit(MAX_BODY);
    let uuid = parse_uuid(&body.read_to_string()?)?;
    common::spend_cpu(&uuid, flags.work); // --work: no `.await` in it, so no other task runs
    Ok(uuid)
}
