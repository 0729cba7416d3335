//! A worker: what its jobs need, and each step of its loop but the loop, which is the slide's.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use common::{FetchError, MAX_WORK, retry, retry::MAX_RETRIES};
use reqwest::{Client, Url, redirect};
use tokio::time::sleep;
use uuid::Uuid;

use crate::job::{Job, JobResult, Taken, lost, to_json};
use crate::queue::{DEAD, Queue, Settled};
use crate::{allow, connect::Target, flags::WorkerFlags};

const NAME: &str = "slide08-worker";

/// What every job needs, shared by the worker's tasks.
pub struct Worker {
    pub flags: WorkerFlags,
    /// Its name in the group, `host:pid:random`: unique, and says where it runs.
    pub name: String,
    /// One HTTP client for every job: they share its connections.
    client: Client,
    pub queue: Queue,
    /// The entries it holds, each with its job's run: it renews its claims on them.
    held: Mutex<HashMap<String, Uuid>>,
    takes: AtomicU64,
}

/// What running an entry came to: its job's run, whether it succeeded, its result's JSON (nil
/// and `""` if it held no job), and why the entry goes to the dead letters (`""` if it does not).
pub struct Outcome(Uuid, bool, String, String);

impl Worker {
    /// Connects to the queue and sets up the HTTP client; or says which failed, and why.
    pub async fn start(flags: WorkerFlags, target: &Target) -> Result<Worker, (&str, String)> {
        let queue = Queue::connect(target).await;
        let queue = queue.map_err(|err| ("connect to Redis", err))?;
        // A redirect could lead to a host not in --allow-host: follow none.
        let client = Client::builder().redirect(redirect::Policy::none()).build();
        let client = client.map_err(|err| ("set up the HTTP client", err.to_string()))?;
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        let random = &Uuid::new_v4().simple().to_string()[..6];
        let name = format!("{host}:{}:{random}", std::process::id());
        Ok(Worker {
            flags,
            name,
            client,
            queue,
            held: Mutex::default(),
            takes: AtomicU64::new(0),
        })
    }

    /// Up to `n` jobs; or, if Redis does not answer (a dropped connection was tried again
    /// already), how long to wait: 0.25 s, then twice the last wait (`away`), up to 5 s.
    pub async fn take(
        &self,
        n: usize,
        away: &mut Option<Duration>,
    ) -> Result<Vec<Taken>, Duration> {
        let after = self.flags.reclaim_after;
        // Numbered by how many came back: sent again, a take gets the same entries.
        let me = (self.name.as_str(), self.takes.load(Relaxed));
        let jobs = match self.queue.take(me, n, after).await {
            Ok(jobs) => jobs,
            Err(err) => {
                let wait = away.map_or(Duration::from_millis(250), |last| last * 2);
                let wait = *away.insert(wait.min(Duration::from_secs(5)));
                let why = self.queue.target.explain(&err);
                eprintln!("{NAME}: {why}; trying again in {:.1} s", wait.as_secs_f64());
                return Err(wait);
            }
        };
        self.takes.fetch_add(1, Relaxed);
        if away.take().is_some() {
            println!("{NAME}: Redis answers again");
        }
        if let n @ 1.. = jobs.iter().filter(|job| job.deliveries > 1).count() {
            let why = "their worker stopped or crashed";
            println!("{NAME}: took over {n} jobs left unsettled for more than {after:?} ({why})");
        }
        Ok(jobs)
    }

    /// Runs an entry's job with `fetch_one`, and its `--retries`; unless the entry holds no
    /// job, was delivered too often, or is for a host not on `--allow-host`.
    pub async fn run<F, R>(&self, taken: &Taken, fetch_one: F) -> Outcome
    where
        F: Fn(Client, Url, Duration) -> R,
        R: Future<Output = Result<Uuid, FetchError>>,
    {
        let job = match taken.text.clone().and_then(|text| Job::parse(&text)) {
            Ok(job) => job,
            // No run waits for it: it only goes to the dead letters.
            Err(why) => return Outcome(Uuid::nil(), false, String::new(), why),
        };
        self.held().insert(taken.id.clone(), job.run);
        let (n, most) = (taken.deliveries, self.flags.max_deliveries);
        let mut dead = String::new();
        let checked = if n > most as usize {
            dead = format!("delivered {n} times, more than --max-deliveries {most}");
            // Its producer hears of it, rather than wait for a result that never comes.
            Err(FetchError::Rejected(format!("dead-lettered: {dead}")))
        } else {
            allow::check(&self.flags.allow_hosts, &job, &self.queue).await
        };
        let (result, retried) = match checked {
            Ok(url) => {
                let fetch = || fetch_one(self.client.clone(), url.clone(), job.timeout);
                let tried = retry::non_blocking(job.retries.min(MAX_RETRIES), fetch, sleep).await;
                (tried.result, tried.retried)
            }
            Err(err) => (Err(err), vec![]),
        };
        // `--work` runs on tokio's blocking pool (slide 7b shows why); its join fails only at shutdown.
        let work = job.work.min(MAX_WORK);
        let computed = match result {
            Ok(uuid) => tokio::task::spawn_blocking(move || common::spend_cpu(&uuid, work)).await,
            Err(_) => Ok(Duration::ZERO),
        };
        if !self.flags.quiet {
            // A line per job, as the slides print one per response: the worker is working.
            let said = match &result {
                Ok(uuid) => uuid.to_string(),
                Err(err) => format!("failed: {err}"),
            };
            println!("  run {}…  {said}", &job.run.simple().to_string()[..8]);
        }
        let answer = JobResult {
            id: job.id,
            worker: self.name.clone(),
            slots: self.flags.concurrency as usize,
            result,
            retried,
            cpu_s: computed.unwrap_or_default().as_secs_f64(),
        };
        Outcome(job.run, answer.result.is_ok(), to_json(&answer), dead)
    }

    /// Stores the job's result for its producer and acknowledges its entry, in one step. True
    /// if the job succeeded and this was the settling that counted.
    pub async fn store_and_acknowledge(&self, taken: &Taken, outcome: Outcome) -> bool {
        let (id, Outcome(run, ok, result, dead)) = (&taken.id, outcome);
        if !dead.is_empty() {
            eprintln!("{NAME}: entry {id} goes to {DEAD}: {dead}");
        }
        let job = taken.text.as_deref().unwrap_or_default();
        let texts = (result.as_str(), dead.as_str(), job);
        // Tried again until --reclaim-after, when another worker may take the job over anyway.
        let patience = self.flags.reclaim_after;
        let settled = self.queue.settle((id, run), texts, patience).await;
        let counted = match settled {
            Ok(Settled::Done) => ok,
            Ok(Settled::ByAnother) => {
                println!("{NAME}: entry {id} was settled by another worker first; result dropped");
                false
            }
            Ok(Settled::RunLost) => {
                // The first of the run's jobs to find out forgets them all, and says how many.
                if let n @ 1.. = self.held().extract_if(|_, of| *of == run).count() {
                    let gone = "jobs of it this worker held are gone, results and all";
                    eprintln!("{NAME}: {}", lost(run, &format!("the {n} {gone}")));
                }
                false
            }
            Err(err) => {
                let why = self.queue.target.explain(&err);
                eprintln!("{NAME}: cannot settle entry {id}: {why}; another worker will run it");
                false
            }
        };
        self.held().remove(id);
        counted
    }

    /// A heartbeat, never ending: every third of `--reclaim-after`, renews its claims on its jobs
    /// (and says it is alive): a crashed worker's jobs move on, a running job takes its time.
    pub async fn keep_claims(self: Arc<Self>) {
        loop {
            sleep(self.flags.reclaim_after / 3).await;
            let ids: Vec<String> = self.held().keys().cloned().collect();
            // Redis away: the next beat tries again. Away past --reclaim-after, another worker may
            // take the jobs over: they run twice, and only the first result is stored.
            if let Err(err) = self.queue.renew(&self.name, &ids).await
                && !ids.is_empty()
            {
                let (n, why) = (ids.len(), self.queue.target.explain(&err));
                eprintln!("{NAME}: cannot renew its claims on {n} jobs: {why}");
            }
        }
    }

    /// The entries it holds. A task that panicked leaves them at worst one off: go on with them.
    fn held(&self) -> MutexGuard<'_, HashMap<String, Uuid>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
