//! A worker: what it needs to run a job (its flags, the queue, an HTTP client, the jobs it
//! holds), and each step of its loop but the loop itself, which is the slide's: take jobs, run
//! one with the slide's `fetch_one`, store its result and acknowledge it, keep its claims.

use std::process;
use std::sync::Arc;
use std::time::Duration;

use common::FetchError;
use common::retry::{self, MAX_RETRIES, Tried};
use reqwest::{Client, Url, redirect};
use tokio::time::sleep;
use uuid::Uuid;

use crate::{DEAD, Held, Job, JobResult, Queue, Settled, Taken, Target, WorkerFlags};
use crate::{allow, lost, to_json};

/// What every job needs, shared by the worker's tasks.
pub struct Worker {
    pub flags: WorkerFlags,
    /// This worker's name in the group: `host:pid:random`, unique, and says where it runs.
    pub name: String,
    /// One HTTP client for every job: they share its connections.
    client: Client,
    pub queue: Queue,
    held: Held,
}

/// What running an entry came to: the run it belongs to (nil if it held no job), its result
/// as JSON (`""` if none), whether the job succeeded, and why the entry goes to the dead
/// letters (`""` if it does not).
pub struct Outcome {
    run: Uuid,
    result: String,
    ok: bool,
    dead: String,
}

/// The worker's name in its lines.
const NAME: &str = "slide08-worker";

impl Worker {
    /// Connects to the queue on `target` and sets up the HTTP client; or says which of the two
    /// failed, and why.
    pub async fn start(flags: WorkerFlags, target: &Target) -> Result<Worker, (&str, String)> {
        let queue = Queue::connect(target)
            .await
            .map_err(|err| ("connect to Redis", err))?;
        // A redirect could lead to a host not in --allow-host: follow none.
        let client = Client::builder().redirect(redirect::Policy::none()).build();
        let client = client.map_err(|err| ("set up the HTTP client", err.to_string()))?;
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        let random = Uuid::new_v4().simple().to_string();
        let name = format!("{host}:{}:{}", process::id(), &random[..6]);
        let held = Held::default();
        Ok(Worker {
            flags,
            name,
            client,
            queue,
            held,
        })
    }

    /// Up to `count` jobs from the queue; or, when Redis does not answer, how long to wait before
    /// asking again. A dropped connection was tried again already, so Redis is away: wait
    /// twice as long each time, up to 5 s, until it answers (`away` holds the last wait).
    pub async fn take(
        &self,
        count: usize,
        away: &mut Option<Duration>,
    ) -> Result<Vec<Taken>, Duration> {
        let after = self.flags.reclaim_after;
        match self.queue.take(&self.name, count, after).await {
            Ok(jobs) => {
                if away.take().is_some() {
                    println!("{NAME}: Redis answers again");
                }
                let taken_over = jobs.iter().filter(|job| job.deliveries > 1).count();
                if taken_over > 0 {
                    println!(
                        "{NAME}: took over {taken_over} jobs left unsettled for more than \
                         {after:?} (their worker stopped or crashed)"
                    );
                }
                Ok(jobs)
            }
            Err(err) => {
                let wait = away.map_or(Duration::from_millis(250), |last| last * 2);
                let wait = *away.insert(wait.min(Duration::from_secs(5)));
                let why = self.queue.target.explain(&err);
                eprintln!("{NAME}: {why}; trying again in {:.1} s", wait.as_secs_f64());
                Err(wait)
            }
        }
    }

    /// Runs an entry's job with `fetch_one`, unless the entry holds no job, was delivered too
    /// often, or is for a host not on `--allow-host`. The producer's `--retries` happen here,
    /// where the request is made.
    pub async fn run<F>(
        &self,
        taken: &Taken,
        fetch_one: impl Fn(Client, Url, Duration) -> F,
    ) -> Outcome
    where
        F: Future<Output = Result<Uuid, FetchError>>,
    {
        let job = match taken
            .text
            .as_deref()
            .map_err(Clone::clone)
            .and_then(Job::parse)
        {
            Ok(job) => job,
            // Not a job: no run waits for it, so it only goes to the dead letters.
            Err(dead) => {
                return Outcome {
                    run: Uuid::nil(),
                    result: String::new(),
                    ok: false,
                    dead,
                };
            }
        };
        self.held.took(&taken.id, job.run);
        let (most, deliveries) = (self.flags.max_deliveries, taken.deliveries);
        let refused = |why| Tried {
            result: Err(FetchError::Rejected(why)),
            retried: vec![],
        };
        let (tried, dead) = if deliveries > most as usize {
            let why = format!("delivered {deliveries} times, more than --max-deliveries {most}");
            // Its producer still hears of it, rather than waiting for a result that never comes.
            (refused(format!("dead-lettered: {why}")), why)
        } else {
            let tried = match allow::check(&self.flags.allow_hosts, &job, &self.queue).await {
                Ok(url) => {
                    let fetch = || fetch_one(self.client.clone(), url.clone(), job.timeout);
                    retry::non_blocking(job.retries.min(MAX_RETRIES), fetch, sleep).await
                }
                Err(err) => Tried {
                    result: Err(err),
                    retried: vec![],
                },
            };
            (tried, String::new())
        };
        let cpu = match tried.result {
            Ok(uuid) => compute(uuid, job.work).await,
            Err(_) => Duration::ZERO,
        };
        if !self.flags.quiet {
            // A line per job, as the slides print one per response: the worker is working.
            let result = tried.result.as_ref();
            let said = result.map_or_else(|err| format!("failed: {err}"), Uuid::to_string);
            println!("  run {}…  {said}", &job.run.simple().to_string()[..8]);
        }
        let ok = tried.result.is_ok();
        let answer = JobResult {
            id: job.id,
            worker: self.name.clone(),
            slots: self.flags.concurrency as usize,
            result: tried.result,
            retried: tried.retried,
            cpu_s: cpu.as_secs_f64(),
        };
        Outcome {
            run: job.run,
            result: to_json(&answer),
            ok,
            dead,
        }
    }

    /// Stores the job's result for its producer and acknowledges its entry, in one step. True
    /// if the job succeeded and this was the settling that counted.
    pub async fn store_and_acknowledge(&self, taken: &Taken, outcome: Outcome) -> bool {
        let (id, run, dead) = (&taken.id, outcome.run, &outcome.dead);
        if !dead.is_empty() {
            eprintln!("{NAME}: entry {id} goes to {DEAD}: {dead}");
        }
        let job = taken.text.as_deref().unwrap_or_default();
        let texts = (outcome.result.as_str(), dead.as_str(), job);
        // Tried again until --reclaim-after, when another worker may take the job over anyway.
        let settled = self
            .queue
            .settle((id, run), texts, self.flags.reclaim_after)
            .await;
        let counted = match settled {
            Ok(Settled::Done) => outcome.ok,
            Ok(Settled::ByAnother) => {
                println!("{NAME}: entry {id} was settled by another worker first; result dropped");
                false
            }
            Ok(Settled::RunLost) => {
                // The first of the run's jobs to find out says how many went with it, itself too.
                if let Some(n) = self.held.lost(run) {
                    let gone =
                        format!("the {n} jobs of it this worker held are gone, results and all");
                    eprintln!("{NAME}: {}", lost(run, &gone));
                }
                false
            }
            Err(err) => {
                let why = self.queue.target.explain(&err);
                eprintln!("{NAME}: cannot settle entry {id}: {why}; another worker will run it");
                false
            }
        };
        self.held.settled(id);
        counted
    }

    /// Renews, every third of `--reclaim-after`, this worker's claim on every job it holds, as
    /// reliable queues do with a heartbeat: so `--reclaim-after` can be short, and a crashed
    /// worker's jobs move on within a second, while a job takes as long as it needs. Never ends.
    pub async fn keep_claims(self: Arc<Self>) {
        loop {
            sleep(self.flags.reclaim_after / 3).await;
            let ids = self.held.entries();
            if ids.is_empty() {
                continue;
            }
            // Redis away: the jobs run on, and the next beat tries again. Away for longer than
            // --reclaim-after, another worker may take them over, which only costs a duplicate.
            if let Err(err) = self.queue.renew(&self.name, &ids).await {
                let why = self.queue.target.explain(&err);
                eprintln!(
                    "{NAME}: cannot renew the claims on {} jobs: {why}",
                    ids.len()
                );
            }
        }
    }
}

/// The job's `--work` on its answer, on a thread of tokio's blocking pool: the runtime's own
/// threads go on running this worker's other jobs meanwhile (slide 7b shows the cost of not
/// doing so). A job asks for at most [`common::MAX_WORK`], whatever its entry says. Gives the
/// CPU it took.
async fn compute(uuid: Uuid, work: Duration) -> Duration {
    let work = work.min(common::MAX_WORK);
    // The closure only computes: it cannot panic, so the join cannot fail but for shutdown.
    tokio::task::spawn_blocking(move || common::spend_cpu(&uuid, work))
        .await
        .unwrap_or_default()
}
