//! Slide 8 — a task queue: Celery and Redis in the talk. The producer puts N jobs on a Redis
//! stream and is free at once; workers, here or on other machines, run them and send each
//! result back. The talk timed only the enqueueing ("took only 0.1 seconds"); we show that,
//! and the time until every result is back. (`fetch_one` is in the worker: its fetch.rs; so
//! are the retries, which each job carries.) Ctrl-C stops the waiting, not the work: the jobs
//! not finished stay queued for the workers.

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use harness::{
    Args, Concurrency, Fetched, Run, Slide, Waiter, parse_duration, usage_error, without_password,
};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use slide08_queue::connect::create_group;
use slide08_queue::job::{FIELD, to_json};
use slide08_queue::{Job, JobResult, RedisFlag, Target, keys};
use uuid::Uuid;

const SLIDE: Slide = Slide {
    name: "slide08-producer",
    model: "queue",
    about: "Slide 8: put N fetch jobs on a Redis queue for slide08-worker, then collect the results",
    concurrency: Concurrency::Workers,
    waiter: Waiter::Job,
};

/// The producer's flags, besides the shared ones.
#[derive(Debug, clap::Args)]
struct ProducerFlags {
    #[command(flatten)]
    redis: RedisFlag,

    /// Enqueue the jobs and exit without waiting for results, as the talk's producer did.
    #[arg(long)]
    no_wait: bool,

    /// Stop waiting once no result has come for this long; jobs still out count as missing.
    #[arg(long, value_name = "DURATION", default_value = "2m", value_parser = parse_duration)]
    give_up_after: Duration,
}

/// Redis commands get this long to answer. BLPOP waits at most 1 s of it on the server.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> ExitCode {
    let (args, flags) = SLIDE.args_with::<ProducerFlags>();
    let target = flags
        .redis
        .target()
        .unwrap_or_else(|err| usage_error(SLIDE.name, &err));
    let mut redis = SLIDE.or_exit(
        "connect to Redis",
        target.connect(Some(COMMAND_TIMEOUT)).await,
    );
    let created = create_group(&mut redis)
        .await
        .map_err(|err| target.explain(&err));
    SLIDE.or_exit("create the job queue", created);

    let mut run = SLIDE.start(&args);
    if let Err(message) = fetch_all(&mut redis, &target, &args, &flags, &mut run).await {
        eprintln!("{}: {message}", SLIDE.name);
        return ExitCode::FAILURE;
    }
    if flags.no_wait {
        // Nothing to sum up: fetch_all said what was enqueued, and nothing was waited for.
        return ExitCode::SUCCESS;
    }
    run.finish()
}

/// The lesson: enqueueing is one quick round trip; the work happens elsewhere, as wide as the
/// workers are, and the producer only waits for answers (or not, with `--no-wait`).
async fn fetch_all(
    redis: &mut ConnectionManager,
    target: &Target,
    args: &Args,
    flags: &ProducerFlags,
    run: &mut Run,
) -> Result<(), String> {
    let run_id = Uuid::new_v4();
    let list = keys::results(run_id);
    SLIDE.on_interrupt(move |signal| {
        eprintln!(
            "{}: {signal}: stopped waiting; the jobs not finished stay queued on Redis, a worker \
             will still run them, and their results wait on {list} for an hour",
            SLIDE.name
        );
    });
    let jobs = enqueue(redis, run_id, args)
        .await
        .map_err(|err| format!("cannot enqueue: {}", target.explain(&err)))?;
    let enqueued = run.clock().elapsed();
    if flags.no_wait {
        report_no_wait(args, enqueued);
        return Ok(());
    }
    let shown = format!("enqueued in {}", brief(enqueued));
    run.note("enqueue_s", enqueued.as_secs_f64(), shown);
    if !args.quiet {
        println!(
            "enqueued {} jobs in {}; waiting for the workers",
            jobs.len(),
            brief(enqueued)
        );
    }
    let heard = collect(redis, target, run_id, &jobs, enqueued, flags, run).await;
    // How wide the run went is the workers' doing: their --concurrency, added up.
    run.set_concurrency(heard.workers.values().sum());
    let (workers, duplicates) = (heard.workers.len(), heard.duplicates);
    let plural = if workers == 1 { "" } else { "s" };
    run.note("workers", workers, format!("{workers} worker{plural}"));
    run.note("duplicates", duplicates, format!("{duplicates} duplicates"));
    Ok(())
}

/// Adds one job per request to the stream: the `XADD`s go out pipelined, a thousand per round
/// trip, rather than one round trip each. Gives each job's number, by job id.
async fn enqueue(
    redis: &mut ConnectionManager,
    run_id: Uuid,
    args: &Args,
) -> Result<HashMap<Uuid, usize>, redis::RedisError> {
    let jobs: Vec<Job> = (0..args.requests)
        .map(|_| Job::new(run_id, &args.url, args.timeout, args.retries))
        .collect();
    for chunk in jobs.chunks(1000) {
        let mut pipe = redis::pipe();
        for job in chunk {
            pipe.xadd(keys::JOBS, "*", &[(FIELD, to_json(job))])
                .ignore();
        }
        pipe.query_async::<()>(redis).await?;
    }
    Ok(jobs
        .iter()
        .zip(1..)
        .map(|(job, index)| (job.id, index))
        .collect())
}

/// What the producer heard besides the results.
struct Heard {
    /// Each worker that answered, with how many jobs it runs at once.
    workers: HashMap<String, usize>,
    /// Results for jobs that had one already.
    duplicates: usize,
}

/// Records each job's result as it comes back. A job may run twice (a worker that seemed dead
/// was only slow): its second result is counted, not recorded.
async fn collect(
    redis: &mut ConnectionManager,
    target: &Target,
    run_id: Uuid,
    jobs: &HashMap<Uuid, usize>,
    enqueued: Duration,
    flags: &ProducerFlags,
    run: &mut Run,
) -> Heard {
    let list = keys::results(run_id);
    let clock = run.clock();
    let mut done = HashSet::with_capacity(jobs.len());
    let mut heard = Heard {
        workers: HashMap::new(),
        duplicates: 0,
    };
    let mut last_news = Instant::now();
    let mut hinted = false;
    while done.len() < jobs.len() && last_news.elapsed() < flags.give_up_after {
        let Some(answer) = next_result(redis, target, &list).await else {
            hint_if_idle(target, last_news.elapsed(), &mut hinted);
            continue;
        };
        // Only this run's jobs answer on this run's list; anything else is skipped.
        let Some(&index) = jobs.get(&answer.id) else {
            continue;
        };
        last_news = Instant::now();
        heard.workers.insert(answer.worker, answer.slots);
        if !done.insert(answer.id) {
            heard.duplicates += 1;
            continue;
        }
        run.record(Fetched {
            index,
            started: enqueued,
            finished: clock.elapsed(),
            result: answer.result,
            retried: answer.retried,
        });
    }
    heard
}

/// The next result on the run's list: `BLPOP` waits up to 1 s for one. `None` if none came,
/// or Redis is away (which it says, after a pause rather than a spin: the connection
/// reconnects by itself).
async fn next_result(
    redis: &mut ConnectionManager,
    target: &Target,
    list: &str,
) -> Option<JobResult> {
    match redis.blpop::<_, Option<(String, String)>>(list, 1.0).await {
        Ok(popped) => {
            let (_, text) = popped?;
            JobResult::parse(&text)
                .map_err(|err| eprintln!("{}: ignored a result: {err}", SLIDE.name))
                .ok()
        }
        Err(err) => {
            eprintln!("{}: {}; trying again", SLIDE.name, target.explain(&err));
            tokio::time::sleep(Duration::from_secs(1)).await;
            None
        }
    }
}

/// After 5 s without a result, says once what is the likely cause.
fn hint_if_idle(target: &Target, idle: Duration, hinted: &mut bool) {
    if idle >= Duration::from_secs(5) && !*hinted {
        *hinted = true;
        eprintln!(
            "{}: no result for 5 s — is a worker running? Start one: slide08-worker --redis {}",
            SLIDE.name,
            target.shown()
        );
    }
}

/// What the talk measured: the time to enqueue, and nothing after it.
fn report_no_wait(args: &Args, enqueued: Duration) {
    println!(
        "{}: enqueued {} jobs in {} and did not wait for a result (--no-wait), as the \
         talk's producer did",
        SLIDE.name,
        args.requests,
        brief(enqueued)
    );
    if args.json {
        let summary = serde_json::json!({
            "slide": SLIDE.name,
            "model": SLIDE.model,
            "url": without_password(&args.url),
            "requests": args.requests,
            "enqueue_s": enqueued.as_secs_f64(),
            "waited": false,
        });
        println!("{summary}");
    }
}

/// Enqueueing takes well under a millisecond per job: "0.000 s" would hide it.
fn brief(time: Duration) -> String {
    if time < Duration::from_secs(1) {
        format!("{:.2} ms", time.as_secs_f64() * 1000.0)
    } else {
        format!("{:.2} s", time.as_secs_f64())
    }
}
