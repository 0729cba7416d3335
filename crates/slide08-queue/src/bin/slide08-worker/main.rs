//! Slide 8's worker, the other half of the queue: takes jobs from the Redis stream, runs up to
//! `--concurrency` at once (each an async `fetch_one`), and stores each result for its producer.
//! A job stays pending on Redis until then: if its worker crashes, another takes it over.

use std::iter;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use common::{FetchError, Signal, cannot, parse_flags_or_exit, parse_uuid, read_body, usage_error};
use reqwest::{Client, Url};
use slide08_queue::{JOBS, Worker, WorkerFlags};
use tokio::signal::unix::{self, SignalKind, signal};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::sleep;
use uuid::Uuid;

const NAME: &str = "slide08-worker";

#[tokio::main]
async fn main() -> ExitCode {
    let flags: WorkerFlags = parse_flags_or_exit();
    if flags.reclaim_after < Duration::from_millis(100) {
        usage_error("--reclaim-after must be at least 100ms");
    }
    let target = flags.redis.target().unwrap_or_else(|err| usage_error(&err));
    let worker = match Worker::start(flags, &target).await {
        Ok(worker) => Arc::new(worker),
        Err((doing, err)) => return cannot(doing, err),
    };
    let mut signals = match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(interrupt), Ok(terminate)) => Signals(interrupt, terminate),
        (Err(err), _) | (_, Err(err)) => return cannot("listen for signals", err),
    };
    let (name, at_once, shown) = (&worker.name, worker.flags.concurrency, &target.shown);
    println!(
        "{NAME}: {name} waiting for jobs on {shown} ({JOBS}), {at_once} at a time; Ctrl-C stops \
         it after the jobs in flight"
    );
    if let Ok(waiting @ 1..) = worker.queue.len().await {
        println!(
            "{NAME}: {waiting} jobs are on the queue already, from producers that ran before \
             this worker: waiting, or held by other workers"
        );
    }
    // While its jobs run, the worker renews its claims on them, beside its loop.
    let heartbeat = tokio::spawn(worker.clone().keep_claims());
    let worked = work(worker, &mut signals).await;
    heartbeat.abort();
    match worked {
        Ok((ok, taken)) => {
            let others = taken - ok;
            println!("{NAME}: stopped; {ok} jobs ok, {others} failed or left to other workers");
            ExitCode::SUCCESS
        }
        Err(signal) => {
            eprintln!(
                "{NAME}: second signal, exiting now; other workers take over its jobs after \
                 their --reclaim-after"
            );
            signal.exit_code()
        }
    }
}

/// The lesson: the worker's loop. Wait for free slots, take as many jobs as there are, and run
/// each in a task of its own: `fetch_one`, then store its result and acknowledge it. The first
/// signal ends the loop and lets the jobs in flight finish; a second one ends that wait too
/// (`Err`). Gives how many jobs ended ok, of how many taken.
async fn work(worker: Arc<Worker>, signals: &mut Signals) -> Result<(usize, usize), Signal> {
    let slots = Arc::new(Semaphore::new(worker.flags.concurrency as usize));
    let (mut running, mut ok, mut taken, mut away) = (JoinSet::new(), 0, 0, None);
    loop {
        // `biased`: a signal that came wins over a free slot, so no job is taken after it.
        let first = tokio::select! {
            biased;
            _ = signals.next() => break,
            slot = slots.clone().acquire_owned() => slot,
        };
        // Our semaphore is never closed, so this is always a slot; then the other free ones.
        let Ok(first) = first else { break };
        let mut free = vec![first];
        free.extend(iter::from_fn(|| slots.clone().try_acquire_owned().ok()));
        let jobs = match worker.take(free.len(), &mut away).await {
            Ok(jobs) => jobs,
            // Redis is away: wait, longer each time, rather than spin.
            Err(wait) => tokio::select! {
                biased;
                _ = signals.next() => break,
                () = sleep(wait) => continue,
            },
        };
        taken += jobs.len();
        // Redis gives at most as many jobs as asked for: one per free slot.
        for (job, slot) in jobs.into_iter().zip(free) {
            let worker = worker.clone();
            running.spawn(async move {
                let outcome = worker.run(&job, fetch_one).await;
                let stored = worker.store_and_acknowledge(&job, outcome).await;
                drop(slot); // settled: the slot is free for the next job
                stored
            });
        }
        ok += reap(&mut running);
    }
    finish(running, ok, taken, signals).await
}

/// One GET, async: a worker has up to `--concurrency` of these in flight.
async fn fetch_one(client: Client, url: Url, timeout: Duration) -> Result<Uuid, FetchError> {
    let response = client.get(url).timeout(timeout).send().await?;
    parse_uuid(&read_body(response).await?) // an error status is FetchError::Status
}

/// After the first signal: takes no new job, and waits for the ones in flight, unless a second
/// signal comes (`Err`). Gives how many jobs ended ok, of how many taken.
async fn finish(
    mut running: JoinSet<bool>,
    mut ok: usize,
    taken: usize,
    signals: &mut Signals,
) -> Result<(usize, usize), Signal> {
    // Jobs that ended while we waited (for Redis, say) are not in flight: count them first.
    ok += reap(&mut running);
    let n = running.len();
    println!(
        "{NAME}: stopping: finishing {n} jobs in flight, taking no new ones (a second Ctrl-C \
         quits now)"
    );
    while let Some(done) = tokio::select! {
        signal = signals.next() => return Err(signal),
        done = running.join_next() => done,
    } {
        ok += usize::from(matches!(done, Ok(true)));
    }
    Ok((ok, taken))
}

/// Takes the tasks that have ended out of `running`; gives how many of their jobs ended ok (a
/// task that panicked did not: its job runs again).
fn reap(running: &mut JoinSet<bool>) -> usize {
    let ok = iter::from_fn(|| running.try_join_next()).filter(|done| matches!(done, Ok(true)));
    ok.count()
}

/// SIGINT (Ctrl-C) and SIGTERM, which the worker's loop waits for like any other event (not
/// `common::first_signal_exit_on_second`, which on a second signal exits before we say so).
struct Signals(unix::Signal, unix::Signal);

impl Signals {
    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.0.recv() => Signal::INTERRUPT,
            _ = self.1.recv() => Signal::TERMINATE,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn flags_are_well_formed() {
        slide08_queue::WorkerFlags::command().debug_assert();
    }
}
