//! Slide 7 — tokio. One thread and an event loop: every request is a task, all sent at once, and
//! the loop runs whichever task's answer has come in, so 50 requests take ~1 s instead of ~50 s.
//! No thread per request and no OS switching between them: `.await` marks where a task waits.

mod flags;

use std::process::ExitCode;
use std::sync::Arc;

use harness::{Args, Concurrency, FetchError, Run, Slide, Waiter, parse_uuid, read_body};
use reqwest::Client;
use tokio::runtime;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time;
use uuid::Uuid;

use flags::{Runtime, RuntimeFlag};

const SLIDE: Slide = Slide {
    name: "slide07-tokio",
    model: "tokio",
    about: "Slide 7: fetch the UUID endpoint N times, all at once, on tokio's event loop",
    concurrency: Concurrency::AllAtOnce,
    waiter: Waiter::Task,
};

fn main() -> ExitCode {
    let (args, flags) = SLIDE.args_with::<RuntimeFlag>();
    // One client for the whole run: every task shares its pool of connections.
    let client = Client::builder().timeout(args.timeout).build();
    let client = SLIDE.or_exit("build the HTTP client", client);
    // The event loop runs on this one thread, as asyncio's does, unless asked for one per CPU.
    let runtime = match flags.runtime {
        Runtime::CurrentThread => runtime::Builder::new_current_thread(),
        Runtime::MultiThread => runtime::Builder::new_multi_thread(),
    }
    .enable_all()
    .build();
    let runtime = SLIDE.or_exit("start the event loop", runtime);
    let mut run = SLIDE.start(&args);
    // Ctrl-C is one more event for the loop: it ends fetch_all early, and finish() sums up.
    runtime.block_on(harness::until_signal(fetch_all(&client, &args, &mut run)));
    run.finish()
}

/// The lesson: one task per request, all started at once, like `asyncio.gather`.
async fn fetch_all(client: &Client, args: &Args, run: &mut Run) {
    let clock = run.clock();
    // As many permits as requests may be in flight: all of them, unless --concurrency says less.
    let permits = Arc::new(Semaphore::new(args.concurrency));
    let mut tasks = JoinSet::new();
    for index in 1..=args.requests {
        let (client, url, permits) = (client.clone(), args.url.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let fetch = || fetch_one(&client, &url);
            clock.time_async(index, fetch, time::sleep).await
        });
    }
    // Each result is printed as soon as its task is done.
    while let Some(Ok(fetched)) = tasks.join_next().await {
        run.record(fetched);
    }
}

/// One GET. At each `.await` the task gives the thread back to the loop until its answer comes.
async fn fetch_one(client: &Client, url: &str) -> Result<Uuid, FetchError> {
    let response = client.get(url).send().await?.error_for_status()?;
    parse_uuid(&read_body(response).await?)
}
