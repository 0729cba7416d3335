//! One job, start to end: run it (unless it must not run), then settle it in Redis.

use harness::FetchError;
use slide08_queue::job::{FIELD, VERSION, to_json};
use slide08_queue::{Job, JobResult, Target, keys};
use tokio::sync::OwnedSemaphorePermit;
use uuid::Uuid;

use crate::NAME;
use crate::fetch::Fetcher;
use crate::queue::{Entry, Settlement, Settler};

/// What every job task needs; shared by all of them.
pub struct Context {
    pub worker: String,
    /// The worker's `--concurrency`, which each result reports.
    pub slots: usize,
    pub fetcher: Fetcher,
    pub settler: Settler,
    pub target: Target,
    pub max_deliveries: usize,
}

/// How a job ended, for the worker's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Ok,
    Failed,
    DeadLettered,
    /// Another worker settled it first: this run of it was a duplicate, and is dropped.
    AlreadySettled,
    /// Redis stayed away; another worker will run it again.
    Unsettled,
}

/// Runs one entry's job, holding one of the worker's `--concurrency` slots until it is settled.
pub async fn run(entry: Entry, context: &Context, _slot: OwnedSemaphorePermit) -> Done {
    let job = match entry.payload.as_deref().map(Job::parse) {
        Some(Ok(job)) => job,
        Some(Err(why)) => return dead_letter(&entry, context, why, None).await,
        None => {
            let why = format!("no {FIELD:?} field");
            return dead_letter(&entry, context, why, None).await;
        }
    };
    if entry.deliveries > context.max_deliveries {
        let why = format!(
            "delivered {} times, more than --max-deliveries {}",
            entry.deliveries, context.max_deliveries
        );
        // The producer still hears of it, rather than waiting for a result that never comes.
        let result = Err(FetchError::Rejected(format!("dead-lettered: {why}")));
        return dead_letter(&entry, context, why, Some((&job, result))).await;
    }
    let (result, retried) = context.fetcher.fetch(&job).await;
    let done = if result.is_ok() {
        Done::Ok
    } else {
        Done::Failed
    };
    let settlement = Settlement {
        result: Some(answer(context, &job, result, retried)),
        dead_letter: None,
    };
    settle(&entry, context, &settlement, done).await
}

async fn dead_letter(
    entry: &Entry,
    context: &Context,
    why: String,
    result: Option<(&Job, Result<Uuid, FetchError>)>,
) -> Done {
    eprintln!("{NAME}: entry {} goes to {}: {why}", entry.id, keys::DEAD);
    let payload = entry.payload.clone().unwrap_or_default();
    let settlement = Settlement {
        result: result.map(|(job, result)| answer(context, job, result, Vec::new())),
        dead_letter: Some((why, payload)),
    };
    settle(entry, context, &settlement, Done::DeadLettered).await
}

async fn settle(entry: &Entry, context: &Context, settlement: &Settlement, done: Done) -> Done {
    match context.settler.settle(&entry.id, settlement).await {
        Ok(true) => done,
        Ok(false) => {
            println!(
                "{NAME}: entry {} was settled by another worker first; this result is dropped",
                entry.id
            );
            Done::AlreadySettled
        }
        Err(err) => {
            eprintln!(
                "{NAME}: cannot settle entry {}: {}; another worker will run it again after \
                 --reclaim-after",
                entry.id,
                context.target.explain(&err)
            );
            Done::Unsettled
        }
    }
}

/// The result as it goes to the run's list.
fn answer(
    context: &Context,
    job: &Job,
    result: Result<Uuid, FetchError>,
    retried: Vec<FetchError>,
) -> (Uuid, String) {
    let answer = JobResult {
        v: VERSION,
        id: job.id,
        worker: context.worker.clone(),
        slots: context.slots,
        result,
        retried,
    };
    (job.run, to_json(&answer))
}
