//! One job, start to end: check it, fetch its URL (again, if it fails and the job allows), and
//! settle it in Redis.

use std::fmt;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use common::retry::{self, MAX_RETRIES};
use common::{FetchError, parse_uuid, read_body};
use redis::Script;
use redis::aio::ConnectionManager;
use reqwest::Client;
use slide08_queue::job::{FIELD, VERSION, to_json};
use slide08_queue::keys::{self, DEAD, DEAD_MAX, GROUP, JOBS, RESULTS_TTL};
use slide08_queue::{Job, JobResult, Target};
use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinError;
use uuid::Uuid;

use crate::NAME;
use crate::allow::AllowList;
use crate::queue::Entry;

/// What every job needs, shared by all of the worker's tasks.
pub struct Worker {
    /// This worker's name in the group (`host:pid:random`), which each result gives.
    pub name: String,
    /// `--concurrency`, which each result gives too: the producer adds them up.
    pub slots: usize,
    /// One HTTP client for every job: they share its connections.
    pub client: Client,
    pub allowed: AllowList,
    /// The connection the tasks share to settle their entries.
    pub redis: ConnectionManager,
    pub target: Target,
    pub max_deliveries: usize,
    /// `--reclaim-after`: past it another worker takes the job over, so no job runs longer.
    pub reclaim_after: Duration,
}

/// How a job ended. The worker counts each kind, in this order, for its last line.
#[derive(Clone, Copy)]
pub enum Done {
    Ok,
    Failed,
    DeadLettered,
    /// Another worker settled it first: this run of it was a duplicate, and is dropped.
    AlreadySettled,
    /// Redis stayed away; another worker will run it again.
    Unsettled,
}

impl Worker {
    /// Runs one entry's job, holding one of the `--concurrency` slots until it is settled.
    pub async fn run(&self, entry: Entry, _slot: OwnedSemaphorePermit) -> Done {
        let job = match entry.payload.as_deref().map(Job::parse) {
            Some(Ok(job)) => job,
            Some(Err(why)) => return self.settle(&entry, None, Some(why)).await,
            None => {
                return self
                    .settle(&entry, None, Some(format!("no {FIELD:?} field")))
                    .await;
            }
        };
        if entry.deliveries > self.max_deliveries {
            let (times, most) = (entry.deliveries, self.max_deliveries);
            let why = format!("delivered {times} times, more than --max-deliveries {most}");
            // The producer still hears of it, rather than waiting for a result that never comes.
            let rejected = Err(FetchError::Rejected(format!("dead-lettered: {why}")));
            let answer = self.answer(&job, rejected, vec![]);
            return self.settle(&entry, Some(answer), Some(why)).await;
        }
        // The producer's --retries happen here, where the request is made; all the tries within
        // --reclaim-after, or another worker would take the job over while this one still runs.
        let retries = job.retries.min(MAX_RETRIES);
        let tries = retry::non_blocking(retries, || self.fetch_one(&job), tokio::time::sleep);
        let answer = match tokio::time::timeout(self.reclaim_after, tries).await {
            Ok(tried) => self.answer(&job, tried.result, tried.retried),
            Err(_) => self.answer(&job, Err(FetchError::Timeout), vec![]),
        };
        self.settle(&entry, Some(answer), None).await
    }

    /// One GET, async: a worker has up to `--concurrency` of these in flight.
    async fn fetch_one(&self, job: &Job) -> Result<Uuid, FetchError> {
        let url = self.allowed.check(&job.url)?;
        let request = self.client.get(url).timeout(job.timeout());
        let response = request.send().await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        parse_uuid(&read_body(response).await?)
    }

    /// The job's result, for the list of the run that asked for it.
    fn answer(
        &self,
        job: &Job,
        result: Result<Uuid, FetchError>,
        retried: Vec<FetchError>,
    ) -> Answer {
        let (id, worker, slots) = (job.id, self.name.clone(), self.slots);
        let result = JobResult {
            v: VERSION,
            id,
            worker,
            slots,
            result,
            retried,
        };
        Answer {
            run: job.run,
            result,
        }
    }

    /// Settles the entry with the SETTLE script: the result goes to its producer, the entry to
    /// the dead letters if there is a reason to, or both.
    async fn settle(&self, entry: &Entry, answer: Option<Answer>, dead: Option<String>) -> Done {
        let id = &entry.id;
        let done = match (&dead, &answer) {
            (Some(why), _) => {
                eprintln!("{NAME}: entry {id} goes to {DEAD}: {why}");
                Done::DeadLettered
            }
            (None, Some(answer)) if answer.result.result.is_ok() => Done::Ok,
            (None, _) => Done::Failed,
        };
        // With no result, the script touches no list: its key only keeps the script in one slot.
        let (run, result) = answer.map_or((Uuid::nil(), String::new()), |a| {
            (a.run, to_json(&a.result))
        });
        let payload = entry.payload.as_deref().unwrap_or("");
        let keys = [JOBS, &keys::results(run), DEAD];
        let reason = dead.unwrap_or_default();
        let args = (
            GROUP,
            id,
            result,
            RESULTS_TTL.as_secs(),
            reason,
            payload,
            DEAD_MAX,
        );
        let mut settling = SETTLE.key(&keys[..]);
        settling.arg(args);
        // While Redis is away, try again (the connection reconnects by itself), but only until
        // --reclaim-after: by then another worker may have taken the job over anyway.
        let deadline = Instant::now() + self.reclaim_after;
        let mut wait = Duration::from_millis(100);
        let settled = loop {
            match settling.invoke_async::<i64>(&mut self.redis.clone()).await {
                Err(_) if Instant::now() + wait < deadline => tokio::time::sleep(wait).await,
                settled => break settled,
            }
            wait = (wait * 2).min(Duration::from_secs(5));
        };
        match settled {
            Ok(1) => done,
            Ok(_) => {
                println!("{NAME}: entry {id} was settled by another worker first; result dropped");
                Done::AlreadySettled
            }
            Err(err) => {
                let why = self.target.explain(&err);
                eprintln!("{NAME}: cannot settle entry {id}: {why}; another worker will run it");
                Done::Unsettled
            }
        }
    }
}

/// A job's result, and the run whose list it goes to.
struct Answer {
    run: Uuid,
    result: JobResult,
}

/// Settles one entry, atomically: acknowledges it, and only if this acknowledgement is the one
/// that counted, deletes it, dead-letters it (with a reason) and publishes its result (if
/// any). A job run twice — its first worker was only slow, not dead — is thus published once.
static SETTLE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
-- KEYS: the job stream, the run's result list, the dead-letter stream
-- ARGV: group, entry id, result JSON or '', the result list's TTL in seconds,
--       dead-letter reason or '', the entry's job field, the dead-letter stream's length
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('XDEL', KEYS[1], ARGV[2])
if ARGV[5] ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*',
             'entry', ARGV[2], 'reason', ARGV[5], 'job', ARGV[6])
end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
end
return 1
",
    )
});

/// How many of the worker's jobs ended each way, in the order of [`Done`].
#[derive(Default)]
pub struct Tally([usize; 5]);

impl Tally {
    pub fn add(&mut self, done: Result<Done, JoinError>) {
        // A task that panicked settled nothing either: its job will run again elsewhere.
        self.0[done.unwrap_or(Done::Unsettled) as usize] += 1;
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [ok, failed, dead, elsewhere, unsettled] = self.0;
        write!(
            f,
            "{ok} jobs ok, {failed} failed, {dead} dead-lettered, {elsewhere} settled first by \
             another worker, {unsettled} left for others"
        )
    }
}
