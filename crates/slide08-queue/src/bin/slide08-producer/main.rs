//! Slide 8 — a task queue (Celery and Redis in the talk). The producer puts N jobs on a Redis
//! stream and is free at once; workers, here or on other machines, run them (`fetch_one` is in
//! the worker) and send each result back. The talk timed the enqueueing; we also time the results.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use common::{Fetched, Flags, Report, brief, cannot, quote};
use common::{parse_duration, parse_flags, usage_error};
use redis::aio::ConnectionManager;
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, RedisError};
use slide08_queue::{FIELD, JOBS, Job, JobResult, MAX_ENTRY, RUN_KEPT, RedisFlag, Target};
use slide08_queue::{RESULT_FIELD, lost, results, run_record, to_json};
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

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = parse_flags();
    if cli.concurrency.is_some() {
        usage_error(
            "--concurrency does not apply: the jobs wait on a queue, and each worker's own \
             --concurrency decides how many run at once",
        );
    }
    let origin = declared_origin(&cli.flags).unwrap_or_else(|err| usage_error(&err));
    let target = cli.redis.target().unwrap_or_else(|err| usage_error(&err));
    // XREAD waits up to 1 s on the server: well within the 10 s a command may take.
    let mut redis = match target.connect(Duration::from_secs(10)).await {
        Ok(redis) => redis,
        Err(err) => return cannot("connect to Redis", err),
    };

    // How many jobs run at once is the workers' doing: the summary says it at the end.
    let report = Report::start(NAME, "queue", &cli.flags, 0);
    let mut queue = Queue::default();
    // `biased`: the signals are listened for first, so Ctrl-C is ours before any job goes out.
    let stopped = tokio::select! {
        biased;
        signal = common::first_signal_exit_on_second() => Some(signal),
        done = fetch_all(&mut redis, &target, &cli, &origin, &report, &mut queue) => match done {
            Ok(()) => None,
            Err(err) => return cannot("enqueue", target.explain(&err)),
        },
    };
    if let Some(signal) = stopped {
        eprintln!(
            "{NAME}: {}: stopped waiting; the jobs not finished stay queued on Redis, a worker \
             will still run them, and their results are kept for an hour",
            signal.name()
        );
    }
    report.finish_with(stopped, |summary| {
        summary.enqueue_s = queue.enqueued.map(|took| took.as_secs_f64());
        if cli.no_wait {
            // Nothing was waited for, so nothing failed or is missing: the talk's figure is all.
            (summary.failed, summary.missing) = (0, 0);
            summary.failures.clear();
            return;
        }
        summary.workers = Some(queue.workers.len());
        summary.duplicates = Some(queue.duplicates);
        // The run's CPU: the producer's own, and what the workers computed for its answers
        // (their waiting on the network is theirs, and costs next to nothing).
        summary.cpu_s += queue.cpu_s;
        summary.cores_used = summary.cpu_s / summary.wall_s.max(f64::EPSILON);
        // Each worker runs its own --concurrency jobs at once: added up, the run's width.
        let width: usize = queue.workers.values().sum();
        summary.concurrency = width.min(cli.flags.requests);
    })
}

/// What the producer learned besides the results: how long enqueueing took (the talk's
/// figure), each worker that answered with its --concurrency, answers that came twice, and
/// the CPU the workers' `--work` took.
#[derive(Debug, Default)]
struct Queue {
    enqueued: Option<Duration>,
    workers: HashMap<String, usize>,
    duplicates: usize,
    /// The CPU the workers spent on the answers (`--work`), in seconds.
    cpu_s: f64,
}

/// The lesson: enqueueing is one quick round trip; the work happens elsewhere, as wide as the
/// workers are, and the producer only waits for the answers (or not, with `--no-wait`).
async fn fetch_all(
    redis: &mut ConnectionManager,
    target: &Target,
    cli: &Cli,
    origin: &str,
    report: &Report,
    queue: &mut Queue,
) -> Result<(), RedisError> {
    let (clock, run) = (report.clock(), Uuid::new_v4());
    let mut jobs = enqueue(redis, run, origin, &cli.flags).await?;
    let enqueued = clock.elapsed();
    queue.enqueued = Some(enqueued);
    if cli.no_wait {
        return Ok(());
    }
    if !cli.flags.quiet {
        let (n, took) = (jobs.len(), brief(enqueued.as_secs_f64()));
        println!("enqueued {n} jobs in {took}; waiting for the workers");
    }

    // The results are read by id and stay in Redis: a read whose reply a broken connection lost
    // is read again from `last`, the id of the last result that did arrive.
    let (stream, mut last) = (results(run), "0".to_owned());
    let waiting = StreamReadOptions::default().block(1000).count(100);
    let (mut last_news, mut hinted) = (Instant::now(), false);
    while !jobs.is_empty() && last_news.elapsed() < cli.give_up_after {
        let read: Result<Option<StreamReadReply>, _> =
            redis.xread_options(&[&stream], &[&last], &waiting).await;
        let entries = match read {
            Ok(Some(reply)) => reply.keys.into_iter().flat_map(|key| key.ids).collect(),
            Ok(None) => Vec::new(),
            Err(err) => {
                say_and_pause(target, &err).await;
                continue;
            }
        };
        if entries.is_empty() {
            // A second without a result: does Redis still hold the run? One that restarted
            // without its data, or was flushed, lost the jobs, and waiting for them is in vain.
            match still_holds(redis, run).await {
                Ok(true) if !hinted && last_news.elapsed() >= Duration::from_secs(5) => {
                    hinted = true;
                    let start = format!(
                        "cargo run --release -p slide08-queue --bin slide08-worker -- --redis {}",
                        target.shown
                    );
                    eprintln!(
                        "{NAME}: no result for 5 s — is a worker running? Start one: {start}"
                    );
                }
                Ok(true) => {}
                Ok(false) => {
                    let gone = format!("the {} jobs with no result yet are gone", jobs.len());
                    eprintln!("{NAME}: {}", lost(run, &gone));
                    // They count as missing: the run fails, and says how many.
                    return Ok(());
                }
                Err(err) => say_and_pause(target, &err).await,
            }
            continue;
        }
        for entry in entries {
            last = entry.id.clone();
            let text: String = entry.get(RESULT_FIELD).unwrap_or_default();
            if take_result(&text, &mut jobs, report, queue, enqueued, &clock) {
                last_news = Instant::now();
            }
        }
    }
    if jobs.is_empty() {
        // Every result is in: the stream has served its run. (If this fails, it expires.)
        let _: Result<(), _> = redis.del(&stream).await;
    }
    Ok(())
}

/// One result from the stream, recorded as its request's answer or counted as a duplicate;
/// false if it is no result at all.
fn take_result(
    text: &str,
    jobs: &mut HashMap<Uuid, usize>,
    report: &Report,
    queue: &mut Queue,
    enqueued: Duration,
    clock: &common::Clock,
) -> bool {
    let answer: JobResult = match serde_json::from_str(text) {
        Ok(answer) => answer,
        Err(err) => {
            // Anyone who can write to Redis can add one: quote at most a line of it.
            let why = quote(&err.to_string());
            eprintln!("{NAME}: ignored a result that is not one: {why}");
            return false;
        }
    };
    queue.workers.insert(answer.worker, answer.slots);
    queue.cpu_s += answer.cpu_s;
    // Only this run's jobs answer on this run's stream, so an answer for none still out is a
    // job that ran twice (its worker seemed dead, but was only slow): count it once.
    let Some(index) = jobs.remove(&answer.id) else {
        queue.duplicates += 1;
        return true;
    };
    report.record(Fetched {
        index,
        started: enqueued,
        finished: clock.elapsed(),
        result: answer.result,
        retried: answer.retried,
    });
    true
}

/// Says why Redis did not answer, and waits a second: the next command connects again.
async fn say_and_pause(target: &Target, err: &RedisError) {
    eprintln!("{NAME}: {}; trying again", target.explain(err));
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Whether Redis still holds the run: its record is there. Keeps the record for another
/// [`RUN_KEPT`] while it is, for a run that waits long.
async fn still_holds(redis: &mut ConnectionManager, run: Uuid) -> Result<bool, RedisError> {
    redis
        .expire(run_record(run), RUN_KEPT.as_secs() as i64)
        .await
}

/// The origin of `--url`, which the run declares to the workers; or why a job for it could
/// not go on the queue: a worker takes no entry over [`MAX_ENTRY`] bytes.
fn declared_origin(flags: &Flags) -> Result<String, String> {
    let job = Job {
        id: Uuid::nil(),
        run: Uuid::nil(),
        url: flags.url.to_string(),
        timeout: flags.timeout,
        retries: flags.retries,
        work: flags.work,
    };
    let size = FIELD.len() + to_json(&job).len();
    if size > MAX_ENTRY {
        return Err(format!(
            "--url is {} bytes: each job would be {size}, and a worker takes no entry over \
             {MAX_ENTRY} bytes",
            flags.url.as_str().len()
        ));
    }
    Ok(flags.url.origin().ascii_serialization())
}

/// Declares the run, then adds one job per request to the stream: the `XADD`s go out
/// pipelined, a thousand per round trip, rather than one round trip each. Gives each job's
/// number (1 to N) by its id.
async fn enqueue(
    redis: &mut ConnectionManager,
    run: Uuid,
    origin: &str,
    flags: &Flags,
) -> Result<HashMap<Uuid, usize>, RedisError> {
    // The run declares itself before its first job: see `run_record`.
    let seconds = RUN_KEPT.as_secs();
    redis
        .set_ex::<_, _, ()>(run_record(run), origin, seconds)
        .await?;
    let url = flags.url.to_string();
    let (timeout, retries, work) = (flags.timeout, flags.retries, flags.work);
    let job = |_| Job {
        id: Uuid::new_v4(),
        run,
        url: url.clone(),
        timeout,
        retries,
        work,
    };
    let jobs: Vec<Job> = (0..flags.requests).map(job).collect();
    for chunk in jobs.chunks(1000) {
        let mut pipe = redis::pipe();
        for job in chunk {
            pipe.xadd(JOBS, "*", &[(FIELD, to_json(job))]).ignore();
        }
        pipe.query_async::<()>(redis).await?;
    }
    Ok(jobs.iter().zip(1..).map(|(job, n)| (job.id, n)).collect())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn flags_are_well_formed() {
        super::Cli::command().debug_assert();
    }
}
