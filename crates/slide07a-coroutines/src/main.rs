//! Slide 7a — coroutines by hand: the abstract's "coroutines using yield", which the talk skipped.
//! One thread, no runtime: each request is a coroutine that *yields* whenever its socket would
//! block, and our own small executor runs another. Diff this file with slide07-tokio's: what
//! tokio and reqwest do for us is in this crate's `executor.rs`, `reactor.rs` and `http.rs`.
//!
//! Each coroutine is an `async fn`, not a hand-written state machine: the compiler writes the
//! Connect → Write → Read → Done machine from straight-line code (see `http.rs`), exactly as for
//! tokio's tasks. So what is left to do by hand is what tokio hides: who polls a task, and who
//! wakes it up.

mod executor;
mod http;
mod reactor;
mod response;

use std::process::ExitCode;

use harness::{Args, Concurrency, FetchError, Run, Slide, Waiter, parse_uuid, usage_error};
use uuid::Uuid;

use crate::executor::Executor;
use crate::http::Client;

const SLIDE: Slide = Slide {
    name: "slide07a-coroutines",
    model: "coroutines",
    about: "Slide 7a: fetch the UUID endpoint N times as coroutines on our own one-thread \
            scheduler (plain http:// only)",
    concurrency: Concurrency::AllAtOnce,
    waiter: Waiter::Task,
};

fn main() -> ExitCode {
    let args = SLIDE.args();
    // One client for the whole run. It speaks plain HTTP/1.1 only (TLS by hand is a talk of
    // its own), so an https:// URL is a usage error: one line, exit 2, before the clock starts.
    let client = Client::new(&args.url, args.timeout);
    let client = client.unwrap_or_else(|problem| usage_error(SLIDE.name, &problem));
    let mut run = SLIDE.start(&args);
    fetch_all(&client, &args, &mut run);
    run.finish()
}

/// The lesson: every request is a task, and one thread runs them all. The executor polls a
/// task until its socket would block, then polls another; `--concurrency` caps how many have
/// started and not yet finished.
fn fetch_all(client: &Client, args: &Args, run: &mut Run) {
    let clock = run.clock();
    let mut executor = Executor::new(args.concurrency);
    for index in 1..=args.requests {
        // Nothing runs yet: calling an async fn only builds its state machine.
        executor.spawn(clock.time_async(index, || fetch_one(client), reactor::sleep));
    }
    // Runs every task on this thread; each result is printed as soon as its task is done.
    // Ctrl-C stops it early, and finish() sums up what got done.
    executor.run(|fetched| run.record(fetched));
}

/// One GET. Inside it, each `.await` is a point where this coroutine may yield to the others.
async fn fetch_one(client: &Client) -> Result<Uuid, FetchError> {
    let body = client.get().await?;
    parse_uuid(&body)
}
