//! What a producer hears back from the workers: each job's answer, recorded as its request's,
//! and what comes with them: who answered, answers that came twice, the CPU the answers took.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{Fetched, Report, Summary, quote};
use redis::RedisError;
use uuid::Uuid;

use crate::job::{JobResult, lost};
use crate::queue::Queue;

const NAME: &str = "slide08-producer";
/// How long without a result before the producer says what Redis knows of the workers.
const HINT_AFTER: Duration = Duration::from_secs(5);

/// What the producer heard back besides the answers: the time to enqueue (the talk's figure),
/// each worker with its `--concurrency`, answers that came twice, and their CPU seconds.
#[derive(Debug, Default)]
pub struct Heard {
    pub enqueued: Option<Duration>,
    pub workers: HashMap<String, usize>,
    pub duplicates: usize,
    pub cpu_s: f64,
}

impl Heard {
    /// Waits for the results of `run`'s jobs (`out`: each one's request number by its id) and
    /// records each in `report`, until none is out or none has come for `give_up_after`.
    pub async fn wait(
        &mut self,
        queue: &Queue,
        run: Uuid,
        mut out: HashMap<Uuid, usize>,
        give_up_after: Duration,
        report: &Report,
    ) {
        let (mut last, mut last_news, mut hinted) = ("0".to_owned(), Instant::now(), false);
        while !out.is_empty() && last_news.elapsed() < give_up_after {
            let texts = queue.results(run, &mut last).await;
            for text in texts.iter().flatten() {
                if self.record(text, &mut out, report) {
                    last_news = Instant::now();
                }
            }
            // A wait without a result: does Redis still hold the run, or did it lose the jobs?
            let held = match texts {
                Ok(texts) if texts.is_empty() => queue.holds(run).await,
                other => other.map(|_| true),
            };
            match held {
                Ok(true) if !hinted && last_news.elapsed() >= HINT_AFTER => {
                    hinted = true;
                    hint(queue).await;
                }
                Ok(true) => {}
                Ok(false) => {
                    let gone = format!("the {} jobs with no result yet are gone", out.len());
                    // They count as missing: the run fails, and says how many.
                    return eprintln!("{NAME}: {}", lost(run, &gone));
                }
                Err(err) => say_and_pause(queue, &err).await,
            }
        }
        if out.is_empty() {
            queue.forget(run).await;
        }
    }

    /// Adds to the run's summary the time to enqueue and, if the producer `waited`, the workers,
    /// their width (the sum of their --concurrency), the duplicates and the answers' CPU.
    pub fn add_to(&self, summary: &mut Summary, waited: bool, requests: usize) {
        summary.enqueue_s = self.enqueued.map(|took| took.as_secs_f64());
        if !waited {
            // Nothing was waited for, so nothing failed or is missing: the talk's figure is all.
            (summary.failed, summary.missing) = (0, 0);
            summary.failures.clear();
            return;
        }
        summary.workers = Some(self.workers.len());
        summary.duplicates = Some(self.duplicates);
        // The producer's own CPU, and what the workers computed for its answers.
        summary.cpu_s += self.cpu_s;
        summary.cores_used = summary.cpu_s / summary.wall_s.max(f64::EPSILON);
        summary.concurrency = self.workers.values().sum::<usize>().min(requests);
    }

    /// One result, recorded as its request's answer or as a duplicate; false if it is none.
    fn record(&mut self, text: &str, out: &mut HashMap<Uuid, usize>, report: &Report) -> bool {
        // Anyone who can write to Redis can add one: quote at most a line of it.
        let answer: JobResult = match serde_json::from_str(text) {
            Ok(answer) => answer,
            Err(err) => {
                let why = quote(&err.to_string());
                eprintln!("{NAME}: ignored a result that is not one: {why}");
                return false;
            }
        };
        self.workers.insert(answer.worker, answer.slots);
        self.cpu_s += answer.cpu_s;
        // Only this run's jobs answer on this run's stream, so an answer for none still out is
        // a job that ran twice (its worker seemed dead, but was only slow): count it once.
        let Some(index) = out.remove(&answer.id) else {
            self.duplicates += 1;
            return true;
        };
        report.record(Fetched {
            index,
            started: self.enqueued.unwrap_or_default(),
            finished: report.clock().elapsed(),
            result: answer.result,
            retried: answer.retried,
        });
        true
    }
}

/// Says what Redis knows of the workers when no result has come for a while: which hold jobs
/// but have gone quiet (they wait to be taken over), and whether any worker asks for jobs.
async fn hint(queue: &Queue) {
    let workers = match queue.workers().await {
        Ok(workers) => workers,
        Err(err) => return say_and_pause(queue, &err).await,
    };
    let (mut asking, mut holding) = (0, 0);
    for (name, n, ago) in workers {
        if ago.is_some_and(|ago| ago < HINT_AFTER.as_secs()) {
            (asking, holding) = (asking + 1, holding + n);
        } else if n > 0 {
            let ago = ago.map_or("ever".into(), |ago| format!("{ago} s"));
            eprintln!(
                "{NAME}: no result for 5 s; worker {name} holds {n} jobs and has not asked for \
                 jobs or renewed its claims for {ago}: if it stopped, a running worker takes \
                 them over once they are idle for its --reclaim-after (60 s by default)"
            );
        }
    }
    let shown = &queue.target.shown;
    match asking {
        0 => eprintln!(
            "{NAME}: no result for 5 s, and no worker has asked for jobs in that time: start \
             one: cargo run --release -p slide08-queue --bin slide08-worker -- --redis {shown}"
        ),
        _ => eprintln!(
            "{NAME}: no result for 5 s; {asking} workers asked for jobs in that time, and hold \
             {holding} jobs"
        ),
    }
}

/// Says why Redis did not answer, and waits a second: the next command connects again.
async fn say_and_pause(queue: &Queue, err: &RedisError) {
    eprintln!("{NAME}: {}; trying again", queue.target.explain(err));
    tokio::time::sleep(Duration::from_secs(1)).await;
}
