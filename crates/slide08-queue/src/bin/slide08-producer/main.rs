//! Slide 8 — a task queue (Celery and Redis in the talk). The producer puts N jobs on a Redis
//! stream and is free at once; workers, here or on other machines, run them (`fetch_one` is in
//! the worker) and send each result back. The talk timed the enqueueing; we also time the results.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::pin;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use common::{Fetched, Flags, Report, Signal, cannot, parse_duration, parse_flags, usage_error};
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisError};
use slide08_queue::connect::create_group;
use slide08_queue::job::{FIELD, to_json};
use slide08_queue::{Job, JobResult, RedisFlag, Target, keys};
use uuid::Uuid;

const NAME: &str = "slide08-producer";

/// Slide 8: put N fetch jobs on a Redis queue for slide08-worker, then collect the results.
#[derive(Debug, Parser)]
#[command(name = NAME, version)]
struct Cli {
    #[command(flatten)]
    flags: Flags,

    #[command(flatten)]
    redis: RedisFlag,

    /// Enqueue the jobs and exit without waiting for results, as the talk's producer did.
    #[arg(long)]
    no_wait: bool,

    /// Stop waiting once no result has come for this long; jobs still out count as missing.
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration)]
    give_up_after: Duration,

    /// Hidden, and refused: how many jobs run at once is up to the workers.
    #[arg(short = 'c', long, hide = true)]
    concurrency: Option<String>,
}

/// Redis commands get this long to answer. BLPOP waits at most 1 s of it on the server.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// With no result for this long, the producer says what the likely cause is.
const HINT_AFTER: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = parse_flags();
    if cli.concurrency.is_some() {
        usage_error(
            "--concurrency does not apply: the jobs wait on a queue, and each worker's own \
             --concurrency decides how many run at once",
        );
    }
    let target = cli.redis.target().unwrap_or_else(|err| usage_error(&err));
    let mut redis = match target.connect(Some(COMMAND_TIMEOUT)).await {
        Ok(redis) => redis,
        Err(err) => return cannot("connect to Redis", err),
    };
    if let Err(err) = create_group(&mut redis).await {
        return cannot("create the job queue", target.explain(&err));
    }

    // How many jobs run at once is the workers' doing: the summary says it at the end.
    let report = Report::start(NAME, "queue", &cli.flags, 0);
    let shutdown = common::shutdown_signal();
    let queue = match fetch_all(&mut redis, &target, &cli, &report, shutdown).await {
        Ok(queue) => queue,
        Err(err) => return cannot("enqueue", target.explain(&err)),
    };
    if let Some(signal) = queue.stopped {
        eprintln!(
            "{NAME}: {}: stopped waiting; the jobs not finished stay queued on Redis, a worker \
             will still run them, and their results are kept for an hour",
            signal.name()
        );
    }
    report.finish_with(queue.stopped, |summary| {
        summary.enqueue_s = queue.enqueued.map(|took| took.as_secs_f64());
        if cli.no_wait {
            // Nothing was waited for, so nothing failed or is missing: the talk's figure is all.
            summary.failed = 0;
            summary.missing = 0;
            summary.failures.clear();
            return;
        }
        summary.workers = Some(queue.workers.len());
        summary.duplicates = Some(queue.duplicates);
        // Each worker runs its own --concurrency jobs at once: added up, the run's width.
        let width: usize = queue.workers.values().sum();
        summary.concurrency = width.min(cli.flags.requests);
    })
}

/// The lesson: enqueueing is one quick round trip; the work happens elsewhere, as wide as the
/// workers are, and the producer only waits for the answers (or not, with `--no-wait`).
async fn fetch_all(
    redis: &mut ConnectionManager,
    target: &Target,
    cli: &Cli,
    report: &Report,
    shutdown: impl Future<Output = Signal>,
) -> Result<Queue, RedisError> {
    let mut shutdown = pin!(shutdown);
    let mut queue = Queue::default();
    let clock = report.clock();
    let run = Uuid::new_v4();
    // `biased`: the shutdown future is polled first, so Ctrl-C is ours before any job goes out.
    let jobs = tokio::select! {
        biased;
        signal = &mut shutdown => {
            queue.stopped = Some(signal);
            return Ok(queue);
        }
        jobs = enqueue(redis, run, &cli.flags) => jobs?,
    };
    let enqueued = clock.elapsed();
    queue.enqueued = Some(enqueued);
    if cli.no_wait {
        return Ok(queue);
    }
    if !cli.flags.quiet {
        let (n, ms) = (jobs.len(), enqueued.as_secs_f64() * 1e3);
        println!("enqueued {n} jobs in {ms:.2} ms; waiting for the workers");
    }

    let list = keys::results(run);
    let mut done = HashSet::with_capacity(jobs.len());
    let mut last_news = Instant::now();
    let mut hinted = false;
    while done.len() < jobs.len() && last_news.elapsed() < cli.give_up_after {
        let answer = tokio::select! {
            signal = &mut shutdown => {
                queue.stopped = Some(signal);
                break;
            }
            answer = next_result(redis, target, &list) => answer,
        };
        let Some(answer) = answer else {
            if !hinted && last_news.elapsed() >= HINT_AFTER {
                hinted = true;
                eprintln!(
                    "{NAME}: no result for 5 s — is a worker running? Start one: \
                     slide08-worker --redis {}",
                    target.shown
                );
            }
            continue;
        };
        // Only this run's jobs answer on this run's list; anything else is skipped.
        let Some(&index) = jobs.get(&answer.id) else {
            continue;
        };
        last_news = Instant::now();
        queue.workers.insert(answer.worker, answer.slots);
        // A job may run twice (its worker seemed dead, but was only slow): count it once.
        if !done.insert(answer.id) {
            queue.duplicates += 1;
            continue;
        }
        report.record(Fetched {
            index,
            started: enqueued,
            finished: clock.elapsed(),
            result: answer.result,
            retried: answer.retried,
        });
    }
    Ok(queue)
}

/// What the producer learned besides the results, which the report holds.
#[derive(Debug, Default)]
struct Queue {
    /// How long putting every job on the queue took (the talk's figure), if it got that far.
    enqueued: Option<Duration>,
    /// Each worker that answered, with how many jobs it runs at once.
    workers: HashMap<String, usize>,
    /// Answers for a job that had one already (a worker that seemed dead was only slow).
    duplicates: usize,
    /// The signal that stopped the waiting, if one did.
    stopped: Option<Signal>,
}

/// Adds one job per request to the stream: the `XADD`s go out pipelined, a thousand per round
/// trip, rather than one round trip each. Gives each job's number (1 to N) by its id.
async fn enqueue(
    redis: &mut ConnectionManager,
    run: Uuid,
    flags: &Flags,
) -> Result<HashMap<Uuid, usize>, RedisError> {
    let jobs: Vec<Job> = (0..flags.requests)
        .map(|_| Job::new(run, &flags.url, flags.timeout, flags.retries))
        .collect();
    for chunk in jobs.chunks(1000) {
        let mut pipe = redis::pipe();
        for job in chunk {
            pipe.xadd(keys::JOBS, "*", &[(FIELD, to_json(job))])
                .ignore();
        }
        pipe.query_async::<()>(redis).await?;
    }
    Ok(jobs.iter().zip(1..).map(|(job, n)| (job.id, n)).collect())
}

/// The next result on the run's list: `BLPOP` waits up to 1 s for one. `None` if none came, or
/// Redis is away (which it says once a second: the connection reconnects by itself).
async fn next_result(
    redis: &mut ConnectionManager,
    target: &Target,
    list: &str,
) -> Option<JobResult> {
    match redis.blpop::<_, Option<(String, String)>>(list, 1.0).await {
        Ok(popped) => match JobResult::parse(&popped?.1) {
            Ok(answer) => Some(answer),
            Err(err) => {
                eprintln!("{NAME}: ignored a result: {err}");
                None
            }
        },
        Err(err) => {
            eprintln!("{NAME}: {}; trying again", target.explain(&err));
            tokio::time::sleep(Duration::from_secs(1)).await;
            None
        }
    }
}
