//! One job, start to end: read it from its entry, check it, fetch its URL (again, if it fails
//! and the job allows), and settle it in Redis (`settle.rs`).

use std::sync::Mutex;
use std::time::Duration;

use common::retry::{self, MAX_RETRIES};
use common::{FetchError, MAX_WORK, parse_uuid, read_body};
use redis::Value;
use redis::aio::ConnectionManager;
use redis::streams::StreamId;
use reqwest::{Client, Url};
use slide08_queue::{FIELD, Job, JobResult, MAX_ENTRY, Target, to_json};
use tokio::time::sleep;
use uuid::Uuid;

use crate::Cli;
use crate::queue::OVERSIZED;
use crate::settle::Held;

/// What every job needs, shared by all of the worker's tasks.
pub struct Worker {
    pub cli: Cli,
    /// This worker's name in the group.
    pub name: String,
    /// One HTTP client for every job: they share its connections.
    pub client: Client,
    /// Two connections: the tasks share one to settle their entries; the blocking read of new
    /// ones has the other, since it holds its connection until it returns.
    pub redis: ConnectionManager,
    pub reading: ConnectionManager,
    pub target: Target,
    /// The jobs this worker holds, by run: what it says went with a run Redis lost.
    pub held: Mutex<Held>,
}

/// How a job ended: its result, why each earlier try failed, and why it goes to the dead
/// letters (`""` if it does not).
type Outcome = (Result<Uuid, FetchError>, Vec<FetchError>, String);

impl Worker {
    /// Runs one entry's job and settles it. True if the job succeeded and its result counted.
    pub async fn run(&self, entry: StreamId, deliveries: usize) -> bool {
        let (text, job) = match job_text(&entry) {
            Ok(text) => {
                let job = Job::parse(&text);
                (text, job)
            }
            Err(why) => (String::new(), Err(why)),
        };
        // The entry may have been megabytes: only its id is kept while the job runs.
        let StreamId { id, .. } = entry;
        let job = match job {
            Ok(job) => job,
            // Not a job: no run waits for it, so it only goes to the dead letters.
            Err(why) => {
                self.settle(&id, Uuid::nil(), "", &why, &text).await;
                return false;
            }
        };
        self.held().took(&id, job.run);
        let (result, retried, dead) = self.outcome(&job, deliveries).await;
        let ok = result.is_ok();
        let cpu = match &result {
            Ok(uuid) => compute(*uuid, job.work).await,
            Err(_) => Duration::ZERO,
        };
        let answer = JobResult {
            id: job.id,
            worker: self.name.clone(),
            slots: self.cli.concurrency as usize,
            result,
            retried,
            cpu_s: cpu.as_secs_f64(),
        };
        let counted = self
            .settle(&id, job.run, &to_json(&answer), &dead, &text)
            .await;
        if !self.cli.quiet {
            // A line per job, as the slides print one per response: the worker is working.
            let run = job.run.simple().to_string();
            let outcome = match &answer.result {
                Ok(uuid) => uuid.to_string(),
                Err(err) => format!("failed: {err}"),
            };
            println!("  run {}…  {outcome}", &run[..8]);
        }
        self.held().settled(&id, job.run);
        counted && ok
    }

    /// Runs the job, unless it was delivered too often or may not be fetched (`allow.rs`).
    async fn outcome(&self, job: &Job, deliveries: usize) -> Outcome {
        let most = self.cli.max_deliveries;
        if deliveries > most as usize {
            let why = format!("delivered {deliveries} times, more than --max-deliveries {most}");
            // Its producer still hears of it, rather than waiting for a result that never comes.
            let rejected = FetchError::Rejected(format!("dead-lettered: {why}"));
            return (Err(rejected), vec![], why);
        }
        let url = match self.check(job).await {
            Ok(url) => url,
            Err(refused) => return (Err(refused), vec![], String::new()),
        };
        // The producer's --retries happen here, where the request is made. However long they
        // take, the heartbeat keeps the job ours.
        let retries = job.retries.min(MAX_RETRIES);
        let tried = retry::non_blocking(retries, || self.fetch_one(&url, job), sleep).await;
        (tried.result, tried.retried, String::new())
    }

    /// One GET, async: a worker has up to `--concurrency` of these in flight.
    async fn fetch_one(&self, url: &Url, job: &Job) -> Result<Uuid, FetchError> {
        let response = self.client.get(url.clone()).timeout(job.timeout);
        let response = response.send().await?;
        parse_uuid(&read_body(response).await?) // an error status is FetchError::Status
    }
}

/// The job's `--work` on its answer, on a thread of tokio's blocking pool: the runtime's own
/// threads go on running this worker's other jobs meanwhile, where computing in the task would
/// hold one of them (slide 7b shows the cost). A job asks for at most [`MAX_WORK`], whatever
/// its entry says. Gives the CPU it took.
async fn compute(uuid: Uuid, work: Duration) -> Duration {
    let work = work.min(MAX_WORK);
    // The closure only computes: it cannot panic, so the join cannot fail but for shutdown.
    tokio::task::spawn_blocking(move || common::spend_cpu(&uuid, work))
        .await
        .unwrap_or_default()
}

/// The text of an entry's `job` field, lossily (anyone can put anything in it), or why it has
/// none. An entry over [`MAX_ENTRY`] is not parsed, nor quoted: its size is all we say of it.
fn job_text(entry: &StreamId) -> Result<String, String> {
    let fields = entry.map.iter();
    let measured: usize = fields
        .map(|(field, value)| field.len() + bytes_in(value))
        .sum();
    // The TAKE script sends an entry over the cap as its size alone. (Anyone may write an
    // `oversized` field too, hence the larger of the two.)
    let size = entry.get::<usize>(OVERSIZED).unwrap_or(0).max(measured);
    if size > MAX_ENTRY {
        return Err(format!(
            "the entry is {size} bytes, more than the {MAX_ENTRY} a job may be; not parsed"
        ));
    }
    match entry.get::<Vec<u8>>(FIELD) {
        Some(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        None => Err(format!("no {FIELD:?} field")),
    }
}

/// The bytes a stream entry's value holds: Redis sends each one as a bulk string.
fn bytes_in(value: &Value) -> usize {
    match value {
        Value::BulkString(bytes) => bytes.len(),
        _ => 0,
    }
}
