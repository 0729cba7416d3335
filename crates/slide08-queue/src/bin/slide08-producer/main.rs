//! Slide 8 — a task queue (Celery and Redis in the talk). The producer puts N jobs on a Redis
//! stream and is free at once; workers, here or on other machines, run them (`fetch_one` is in
//! the worker) and send each result back. The talk timed the enqueueing; we also time the results.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use common::{Flags, Report, brief, cannot, parse_duration, parse_flags_or_exit, usage_error};
use redis::RedisResult;
use slide08_queue::{Heard, Job, MAX_ENTRY, Queue, RedisFlag, to_json};
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
    let cli: Cli = parse_flags_or_exit();
    if cli.concurrency.is_some() {
        usage_error(
            "--concurrency does not apply: the jobs wait on a queue, and each worker's own \
             --concurrency decides how many run at once",
        );
    }
    // A worker takes no entry over MAX_ENTRY bytes: a job that big does not go on the queue.
    let size = "job".len() + to_json(&Job::new(Uuid::nil(), &cli.flags)).len();
    if size > MAX_ENTRY {
        let url = cli.flags.url.as_str().len();
        usage_error(&format!(
            "--url is {url} bytes: each job would be {size}, and a worker takes no entry over \
             {MAX_ENTRY} bytes"
        ));
    }
    let target = cli.redis.target().unwrap_or_else(|err| usage_error(&err));
    let queue = match Queue::connect(&target).await {
        Ok(queue) => queue,
        Err(err) => return cannot("connect to Redis", err),
    };
    // How many jobs run at once is the workers' doing: the summary says it at the end.
    let report = Report::start(NAME, "queue", &cli.flags, 0);
    let mut heard = Heard::default();
    // `biased`: the signals are listened for first, so Ctrl-C is ours before any job goes out.
    let stopped = tokio::select! {
        biased;
        signal = common::first_signal_exit_on_second() => Some(signal),
        done = fetch_all(&queue, &cli, &report, &mut heard) => match done {
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
        heard.add_to(summary, !cli.no_wait, cli.flags.requests)
    })
}

/// The lesson: enqueueing is one quick round trip; the work happens elsewhere, as wide as the
/// workers are, and the producer only waits for the answers (or not, with `--no-wait`).
async fn fetch_all(
    queue: &Queue,
    cli: &Cli,
    report: &Report,
    heard: &mut Heard,
) -> RedisResult<()> {
    let (clock, run, flags) = (report.clock(), Uuid::new_v4(), &cli.flags);
    let jobs: Vec<Job> = (0..flags.requests).map(|_| Job::new(run, flags)).collect();
    queue.enqueue(run, &flags.url, &jobs).await?;
    let enqueued = clock.elapsed();
    heard.enqueued = Some(enqueued);
    if cli.no_wait {
        return Ok(());
    }
    if !flags.quiet {
        let (n, took) = (jobs.len(), brief(enqueued.as_secs_f64()));
        println!("enqueued {n} jobs in {took}; waiting for the workers");
    }
    // Each job's request number, 1 to N, by its id: what is still out.
    let out = jobs.iter().zip(1..).map(|(job, n)| (job.id, n)).collect();
    heard.wait(queue, run, out, cli.give_up_after, report).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn flags_are_well_formed() {
        super::Cli::command().debug_assert();
    }
}
