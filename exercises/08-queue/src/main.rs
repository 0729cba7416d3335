//! Slide 8's worker, the other half of the queue: takes jobs from the Redis stream, runs up to
//! `--concurrency` of them at once (each an async `fetch_one`), and sends each result to the
//! list of the producer that asked. Start as many as you like, on any machine that reaches Redis.
//!
//! Nothing is lost: an entry stays on Redis's pending list until its result is published, so
//! when a worker crashes, another takes over its jobs after `--reclaim-after`.

#[path = "../../../crates/slide08-queue/src/bin/slide08-worker/allow.rs"]
mod allow;
#[path = "../../../crates/slide08-queue/src/bin/slide08-worker/heartbeat.rs"]
mod heartbeat;
#[path = "../../../crates/slide08-queue/src/bin/slide08-worker/job.rs"]
mod job;
#[path = "../../../crates/slide08-queue/src/bin/slide08-worker/queue.rs"]
mod queue;
#[path = "../../../crates/slide08-queue/src/bin/slide08-worker/settle.rs"]
mod settle;

use std::io;
use std::process::{self, ExitCode};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use common::{Signal, cannot, parse_duration, parse_flags, usage_error};
use redis::AsyncCommands;
use reqwest::{Client, redirect};
use slide08_queue::{JOBS, RedisFlag};
use tokio::signal::unix::{self, SignalKind};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::allow::Allowed;
use crate::job::Worker;
use crate::queue::BLOCK;

const NAME: &str = "slide08-worker";

/// Runs slide 8's jobs: GET each job's URL and send the result back through Redis.
#[derive(Debug, Parser)]
#[command(name = NAME, version)]
struct Cli {
    #[command(flatten)]
    redis: RedisFlag,
    /// How many jobs may run at once.
    #[arg(short = 'c', long, value_name = "C", default_value_t = 32)]
    #[arg(value_parser = clap::value_parser!(u32).range(1..=100_000))]
    concurrency: u32,
    /// Take over jobs that another worker took and has not renewed its claim on for this long:
    /// it crashed, or was stopped at once. A worker renews its claims three times as often, so
    /// a job may run longer than this.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    reclaim_after: Duration,
    /// Send a job delivered more times than this to the dead-letter stream, not to a worker again.
    #[arg(long, value_name = "N", default_value_t = 3)]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    max_deliveries: u32,
    /// Where this worker may fetch from: HOST:PORT, or a bare HOST for its scheme's default
    /// port and the port of the producer's --url as the run declared it. Repeat for more (they
    /// replace the defaults). Jobs for anywhere else fail without a request.
    #[arg(long = "allow-host", value_name = "HOST[:PORT]", value_parser = Allowed::parse)]
    #[arg(default_values = ["127.0.0.1", "localhost", "::1", "httpbin.org"])]
    allow_hosts: Vec<Allowed>,
    /// Print only what goes wrong and the end, not a line per job.
    #[arg(short, long)]
    quiet: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = parse_flags();
    if cli.reclaim_after < Duration::from_millis(100) {
        usage_error("--reclaim-after must be at least 100ms");
    }
    let target = cli.redis.target().unwrap_or_else(|err| usage_error(&err));
    // Commands get 5 s to answer; the blocking read waits up to BLOCK on the server first.
    let timeout = Duration::from_secs(5);
    let connecting = tokio::try_join!(target.connect(timeout), target.connect(BLOCK + timeout));
    let (redis, reading) = match connecting {
        Ok(connections) => connections,
        Err(err) => return cannot("connect to Redis", err),
    };
    // A redirect could lead to a host not in --allow-host: follow none.
    let client = match Client::builder().redirect(redirect::Policy::none()).build() {
        Ok(client) => client,
        Err(err) => return cannot("set up the HTTP client", err),
    };
    let mut signals = match Signals::listen() {
        Ok(signals) => signals,
        Err(err) => return cannot("listen for signals", err),
    };
    // `host:pid:random`: unique in the group, and says where the worker runs.
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let random = Uuid::new_v4().simple().to_string();
    let name = format!("{host}:{}:{}", process::id(), &random[..6]);
    println!(
        "{NAME}: {name} waiting for jobs on {} ({JOBS}), {} at a time; Ctrl-C stops it after \
         the jobs in flight",
        target.shown, cli.concurrency
    );
    // Jobs on the queue already were put there before this worker started: it runs them too.
    if let Ok(waiting @ 1..) = redis.clone().xlen::<_, usize>(JOBS).await {
        println!(
            "{NAME}: {waiting} jobs are on the queue already, from producers that ran before \
             this worker: waiting, or held by other workers"
        );
    }
    let worker = Worker {
        cli,
        name,
        client,
        redis,
        reading,
        target,
        held: Mutex::default(),
    };
    let worker = Arc::new(worker);
    // While its jobs run, the worker renews its claims on them, beside its loop.
    let heartbeat = tokio::spawn({
        let worker = worker.clone();
        async move { worker.keep_claims().await }
    });
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

/// The worker's loop: wait for free slots, take as many entries as there are, and run each in
/// a task of its own. The first signal ends the loop and lets the jobs in flight finish; a
/// second one ends that wait too (`Err`). Gives how many jobs ended ok, of how many taken.
async fn work(worker: Arc<Worker>, signals: &mut Signals) -> Result<(usize, usize), Signal> {
    // ✎ Your turn: write the worker's loop from here to the closing ✎ line, instead of todo!().
    // Run up to worker.cli.concurrency jobs at once, each in a task of its own, until a signal
    // comes; then take no new job, let those in flight finish, and give Ok((ok, taken)). A
    // second signal while they finish gives Err(signal). What you have:
    //   - a tokio::sync::Semaphore of that many permits: a permit is a free slot;
    //   - worker.take(n).await: up to n entries from the queue, each (entry, deliveries);
    //   - worker.run(entry, deliveries).await: runs one job; true if it ended ok;
    //   - a JoinSet to spawn each job into (with its permit, freed when the job ends), and
    //     reap(&mut running), which counts the jobs that have ended ok;
    //   - signals.next().await: the next Ctrl-C or SIGTERM; tokio::select! waits for either.
    // Hint: when take fails, Redis is away: say why (worker.target.explain(&err)), wait, retry.
    todo!("work: take jobs while there are free slots")
    // ✎ Then run `scripts/exercise.sh check queue`: it tells you what works and what not.
}

/// Takes the tasks that have ended out of `running`; gives how many of their jobs ended ok.
fn reap(running: &mut JoinSet<bool>) -> usize {
    let mut ok = 0;
    while let Some(done) = running.try_join_next() {
        ok += usize::from(matches!(done, Ok(true)));
    }
    ok
}

/// SIGINT (Ctrl-C) and SIGTERM, which the worker's loop waits for like any other event. Not
/// `common::first_signal_exit_on_second`: on a second signal, that exits before we can say so.
struct Signals(unix::Signal, unix::Signal);

impl Signals {
    fn listen() -> io::Result<Signals> {
        let interrupt = unix::signal(SignalKind::interrupt())?;
        Ok(Signals(interrupt, unix::signal(SignalKind::terminate())?))
    }

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
        super::Cli::command().debug_assert();
    }
}
