//! Slide 8's worker, the other half of the queue: takes jobs from the Redis stream, runs up to
//! `--concurrency` of them at once (each an async `fetch_one`), and sends each result to the
//! list of the producer that asked. Start as many as you like, on any machine that reaches Redis.
//!
//! Nothing is lost: an entry stays on Redis's pending list until its result is published, so
//! when a worker crashes, another takes over its jobs after `--reclaim-after`.

mod fetch;
mod job;
mod queue;
mod signals;

use std::fmt::Display;
use std::process::{self, ExitCode};
use std::sync::Arc;
use std::time::Duration;

use clap::{CommandFactory, Parser};
use harness::{parse_duration, parse_or_exit, usage_error};
use slide08_queue::RedisFlag;
use slide08_queue::connect::create_group;
use slide08_queue::keys::JOBS;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::fetch::{DEFAULT_HOSTS, Fetcher};
use crate::job::{Context, Done};
use crate::queue::{BLOCK, Reader, Settler};
use crate::signals::Stop;

const NAME: &str = "slide08-worker";

/// Runs slide 8's jobs: GET each job's URL and send the result back through Redis.
#[derive(Debug, Parser)]
#[command(name = NAME, version)]
struct Flags {
    #[command(flatten)]
    redis: RedisFlag,

    /// How many jobs may run at once.
    #[arg(
        short = 'c',
        long,
        value_name = "C",
        default_value_t = 32,
        value_parser = clap::value_parser!(u32).range(1..=100_000)
    )]
    concurrency: u32,

    /// Take over jobs that another worker took and has not settled for this long: it crashed,
    /// or was stopped at once. Also the longest one job may run here.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    reclaim_after: Duration,

    /// Send a job delivered more times than this to the dead-letter stream, not to a worker again.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 3,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
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
    let flags: Flags = parse_or_exit(Flags::command());
    if flags.reclaim_after < Duration::from_millis(100) {
        usage_error(NAME, "--reclaim-after must be at least 100ms");
    }
    let target = flags
        .redis
        .target()
        .unwrap_or_else(|err| usage_error(NAME, &err));
    let stop = or_exit("listen for signals", signals::listen());
    let mut redis = or_exit(
        "connect to Redis",
        target.connect(Some(COMMAND_TIMEOUT)).await,
    );
    // The blocking read waits up to BLOCK on the server: its answer may take that much longer.
    let reader = or_exit(
        "connect to Redis",
        target.connect(Some(BLOCK + COMMAND_TIMEOUT)).await,
    );
    let created = create_group(&mut redis).await;
    or_exit(
        "create the job queue",
        created.map_err(|err| target.explain(&err)),
    );

    let worker = consumer_name();
    let context = Arc::new(Context {
        worker: worker.clone(),
        slots: flags.concurrency as usize,
        fetcher: or_exit(
            "start",
            Fetcher::new(&flags.allow_hosts, flags.reclaim_after),
        ),
        settler: Settler::new(redis, flags.reclaim_after),
        target: target.clone(),
        max_deliveries: flags.max_deliveries as usize,
    });
    let reader = Reader::new(reader, &worker, flags.reclaim_after);
    println!(
        "{NAME}: {worker} waiting for jobs on {} ({JOBS}), {} at a time; Ctrl-C stops it \
         after the jobs in flight",
        target.shown(),
        flags.concurrency
    );
    let tally = work(reader, context, flags.concurrency as usize, stop).await;
    println!("{NAME}: stopped; {tally}");
    ExitCode::SUCCESS
}

/// The worker's loop: wait for a free slot, take as many entries as there are free slots, and
/// run each in a task of its own. On a stop, take nothing more and wait for the tasks.
async fn work(
    mut reader: Reader,
    context: Arc<Context>,
    concurrency: usize,
    mut stop: Stop,
) -> Tally {
    let slots = Arc::new(Semaphore::new(concurrency));
    let mut running = JoinSet::new();
    let mut tally = Tally::default();
    let mut backoff: Option<Duration> = None;
    loop {
        let first = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = stop.wait() => break,
        };
        let Ok(first) = first else { break };
        let mut free = vec![first];
        while let Ok(slot) = slots.clone().try_acquire_owned() {
            free.push(slot);
        }
        match reader.take(free.len()).await {
            Ok(entries) => {
                if backoff.take().is_some() {
                    println!("{NAME}: Redis answers again");
                }
                // Redis gives at most as many entries as asked for: one per free slot.
                for (entry, slot) in entries.into_iter().zip(free) {
                    let context = context.clone();
                    running.spawn(async move { job::run(entry, &context, slot).await });
                }
            }
            Err(err) => {
                // Redis is away: say so, and wait longer each time rather than spin.
                let wait = backoff.map_or(Duration::from_millis(250), |last| {
                    (last * 2).min(Duration::from_secs(5))
                });
                backoff = Some(wait);
                eprintln!(
                    "{NAME}: {}; trying again in {:.1} s",
                    context.target.explain(&err),
                    wait.as_secs_f64()
                );
                drop(free);
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = stop.wait() => break,
                }
            }
        }
        while let Some(done) = running.try_join_next() {
            tally.add(done);
        }
        if stop.requested() {
            break;
        }
    }
    println!(
        "{NAME}: stopping: finishing {} jobs in flight, taking no new ones (a second Ctrl-C \
         quits now)",
        running.len()
    );
    while let Some(done) = running.join_next().await {
        tally.add(done);
    }
    tally
}

/// How the worker's jobs ended.
#[derive(Debug, Default)]
struct Tally {
    ok: usize,
    failed: usize,
    dead_lettered: usize,
    already_settled: usize,
    unsettled: usize,
}

impl Tally {
    fn add(&mut self, done: Result<Done, tokio::task::JoinError>) {
        match done {
            Ok(Done::Ok) => self.ok += 1,
            Ok(Done::Failed) => self.failed += 1,
            Ok(Done::DeadLettered) => self.dead_lettered += 1,
            Ok(Done::AlreadySettled) => self.already_settled += 1,
            // A task that panicked settled nothing either: its job will run again elsewhere.
            Ok(Done::Unsettled) | Err(_) => self.unsettled += 1,
        }
    }
}

impl Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} jobs ok, {} failed, {} dead-lettered, {} settled first by another worker, {} \
             left for others",
            self.ok, self.failed, self.dead_lettered, self.already_settled, self.unsettled
        )
    }
}

/// `host:pid:random`: unique in the group, and says where the worker runs.
fn consumer_name() -> String {
    let host = gethostname::gethostname();
    let random = Uuid::new_v4().simple().to_string();
    format!(
        "{}:{}:{}",
        host.to_string_lossy(),
        process::id(),
        &random[..6]
    )
}

/// The value, or one line on stderr, `slide08-worker: cannot DOING: ERROR`, and exit code 1.
fn or_exit<T, E: Display>(doing: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|err| {
        eprintln!("{NAME}: cannot {doing}: {err}");
        process::exit(1)
    })
}
