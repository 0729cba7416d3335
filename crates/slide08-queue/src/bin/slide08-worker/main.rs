//! Slide 8's worker, the other half of the queue: takes jobs from the Redis stream, runs up to
//! `--concurrency` of them at once (each an async `fetch_one`), and sends each result to the
//! list of the producer that asked. Start as many as you like, on any machine that reaches Redis.
//!
//! Nothing is lost: an entry stays on Redis's pending list until its result is published, so
//! when a worker crashes, another takes over its jobs after `--reclaim-after`.

mod allow;
mod job;
mod queue;

use std::io;
use std::process::{self, ExitCode};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use common::{Signal, cannot, parse_duration, parse_flags, usage_error};
use reqwest::{Client, redirect};
use slide08_queue::connect::create_group;
use slide08_queue::keys::JOBS;
use slide08_queue::{RedisFlag, Target};
use tokio::signal::unix::{self, SignalKind};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::allow::{AllowList, DEFAULT_HOSTS};
use crate::job::{Tally, Worker};
use crate::queue::{BLOCK, Reader};

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
    /// Take over jobs that another worker took and has not settled for this long: it crashed,
    /// or was stopped at once. Also the longest one job may run here.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    reclaim_after: Duration,
    /// Send a job delivered more times than this to the dead-letter stream, not to a worker again.
    #[arg(long, value_name = "N", default_value_t = 3)]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    max_deliveries: u32,
    /// A host this worker may fetch from; repeat for more (they replace the defaults). Jobs
    /// for other hosts fail without a request.
    #[arg(long = "allow-host", value_name = "HOST", default_values = DEFAULT_HOSTS)]
    allow_hosts: Vec<String>,
}

/// Redis commands other than the blocking read get this long to answer.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = parse_flags();
    if cli.reclaim_after < Duration::from_millis(100) {
        usage_error("--reclaim-after must be at least 100ms");
    }
    let target = cli.redis.target().unwrap_or_else(|err| usage_error(&err));
    let (reader, worker) = match set_up(&cli, &target).await {
        Ok(ready) => ready,
        Err(exit_code) => return exit_code,
    };
    let mut signals = match Signals::listen() {
        Ok(signals) => signals,
        Err(err) => return cannot("listen for signals", err),
    };
    let (name, redis, slots) = (&worker.name, &target.shown, worker.slots);
    println!(
        "{NAME}: {name} waiting for jobs on {redis} ({JOBS}), {slots} at a time; Ctrl-C stops \
         it after the jobs in flight"
    );
    match work(reader, Arc::new(worker), &mut signals).await {
        Ok(tally) => {
            println!("{NAME}: stopped; {tally}");
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
/// second one ends that wait too (`Err`).
async fn work(
    mut reader: Reader,
    worker: Arc<Worker>,
    signals: &mut Signals,
) -> Result<Tally, Signal> {
    let slots = Arc::new(Semaphore::new(worker.slots));
    let mut running = JoinSet::new();
    let mut tally = Tally::default();
    let mut backoff: Option<Duration> = None;
    loop {
        // `biased`: a signal that came wins over a free slot, so no job is taken after it.
        let first = tokio::select! {
            biased;
            _ = signals.next() => break,
            slot = slots.clone().acquire_owned() => slot,
        };
        // Our semaphore is never closed, so this is always a slot.
        let Ok(first) = first else { break };
        let mut free = vec![first];
        free.extend(std::iter::from_fn(|| {
            slots.clone().try_acquire_owned().ok()
        }));
        match reader.take(free.len()).await {
            Ok(entries) => {
                if backoff.take().is_some() {
                    println!("{NAME}: Redis answers again");
                }
                // Redis gives at most as many entries as asked for: one per free slot.
                for (entry, slot) in entries.into_iter().zip(free) {
                    let worker = worker.clone();
                    running.spawn(async move { worker.run(entry, slot).await });
                }
            }
            Err(err) => {
                // Redis is away: say so, and wait longer each time rather than spin.
                let wait = backoff.map_or(Duration::from_millis(250), |last| last * 2);
                let wait = *backoff.insert(wait.min(Duration::from_secs(5)));
                let why = worker.target.explain(&err);
                eprintln!("{NAME}: {why}; trying again in {:.1} s", wait.as_secs_f64());
                tokio::select! {
                    biased;
                    _ = signals.next() => break,
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
        while let Some(done) = running.try_join_next() {
            tally.add(done);
        }
    }
    let n = running.len();
    println!(
        "{NAME}: stopping: finishing {n} jobs in flight, taking no new ones (a second Ctrl-C quits now)"
    );
    loop {
        tokio::select! {
            signal = signals.next() => return Err(signal),
            done = running.join_next() => match done {
                Some(done) => tally.add(done),
                None => return Ok(tally),
            },
        }
    }
}

/// What the worker must have before it takes a job: two connections to Redis, the job queue,
/// an HTTP client. Without one, it says so in one line and ends with exit code 1.
async fn set_up(cli: &Cli, target: &Target) -> Result<(Reader, Worker), ExitCode> {
    let cannot_connect = |err: String| cannot("connect to Redis", err);
    let mut redis = target
        .connect(Some(COMMAND_TIMEOUT))
        .await
        .map_err(cannot_connect)?;
    // The blocking read waits up to BLOCK on the server: its answer may take that much longer.
    let reading = target
        .connect(Some(BLOCK + COMMAND_TIMEOUT))
        .await
        .map_err(cannot_connect)?;
    if let Err(err) = create_group(&mut redis).await {
        return Err(cannot("create the job queue", target.explain(&err)));
    }
    // A redirect could lead to a host not in --allow-host: follow none.
    let client = Client::builder().redirect(redirect::Policy::none()).build();
    let client = client.map_err(|err| cannot("set up the HTTP client", err))?;
    let worker = Worker {
        name: consumer_name(),
        slots: cli.concurrency as usize,
        client,
        allowed: AllowList::new(&cli.allow_hosts),
        redis,
        target: target.clone(),
        max_deliveries: cli.max_deliveries as usize,
        reclaim_after: cli.reclaim_after,
    };
    Ok((
        Reader::new(reading, &worker.name, cli.reclaim_after),
        worker,
    ))
}

/// SIGINT (Ctrl-C) and SIGTERM, which the worker's loop waits for like any other event.
struct Signals {
    interrupt: unix::Signal,
    terminate: unix::Signal,
}

impl Signals {
    fn listen() -> io::Result<Signals> {
        let interrupt = unix::signal(SignalKind::interrupt())?;
        let terminate = unix::signal(SignalKind::terminate())?;
        Ok(Signals {
            interrupt,
            terminate,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.interrupt.recv() => Signal::INTERRUPT,
            _ = self.terminate.recv() => Signal::TERMINATE,
        }
    }
}

/// `host:pid:random`: unique in the group, and says where the worker runs.
fn consumer_name() -> String {
    let host = gethostname::gethostname();
    let random = &Uuid::new_v4().simple().to_string()[..6];
    format!("{}:{}:{random}", host.to_string_lossy(), process::id())
}
