//! Settling an entry in Redis once its job is done, and telling apart the two reasons an entry
//! may not be ours to settle any more: another worker settled it first, or Redis lost it.

use std::collections::{HashMap, HashSet};
use std::sync::{MutexGuard, PoisonError};
use std::time::Instant;

use common::retry;
use redis::{AsyncCommands, RedisResult, Script};
use slide08_queue::{DEAD, GROUP, JOBS, lost, results, run_record};
use tokio::time::sleep;
use uuid::Uuid;

use crate::NAME;
use crate::job::Worker;

/// The jobs a worker holds: their entries, whose claims it renews (`heartbeat.rs`), and their
/// count by run; and the runs Redis lost while it held some, so that it says once per run, and
/// truly, how many jobs went with it.
#[derive(Debug, Default)]
pub struct Held {
    entries: HashSet<String>,
    jobs: HashMap<Uuid, usize>,
    lost: HashSet<Uuid>,
}

impl Held {
    /// Entry `id`, a job of `run`, is taken.
    pub fn took(&mut self, id: &str, run: Uuid) {
        self.entries.insert(id.to_owned());
        *self.jobs.entry(run).or_default() += 1;
    }

    /// The entries held right now.
    pub fn entries(&self) -> Vec<String> {
        self.entries.iter().cloned().collect()
    }

    /// Entry `id`, a job of `run`, is settled, or given up.
    pub fn settled(&mut self, id: &str, run: Uuid) {
        self.entries.remove(id);
        if let Some(n) = self.jobs.get_mut(&run) {
            *n -= 1;
            if *n == 0 {
                self.jobs.remove(&run);
            }
        }
    }
}

impl Worker {
    /// Settles the entry with the SETTLE script: the `result` (if any) goes to the run's results,
    /// the entry to the dead letters if there is a reason to (`dead`, with the entry's `job`
    /// text), or both. True if this settling counted: the entry was still ours to settle.
    pub async fn settle(&self, id: &str, run: Uuid, result: &str, dead: &str, job: &str) -> bool {
        if !dead.is_empty() {
            eprintln!("{NAME}: entry {id} goes to {DEAD}: {dead}");
        }
        // With no result, the script adds to no results stream: its key only keeps the script in
        // one slot.
        let script = Script::new(SETTLE);
        let mut settling = script.key(&[JOBS, &results(run), DEAD][..]);
        settling.arg((GROUP, id, result, dead, job));
        // A connection Redis dropped fails once, then connects again: try again, with pauses,
        // until --reclaim-after, when another worker may take the job over anyway.
        let (deadline, mut tries) = (Instant::now() + self.cli.reclaim_after, 0);
        let settled = loop {
            tries += 1;
            match settling.invoke_async::<i64>(&mut self.redis.clone()).await {
                Err(_) if Instant::now() < deadline => sleep(retry::backoff(tries)).await,
                settled => break settled,
            }
        };
        match settled {
            Ok(1) => return true,
            Ok(_) => match self.still_holds(run).await {
                Ok(true) => {
                    println!(
                        "{NAME}: entry {id} was settled by another worker first; result dropped"
                    )
                }
                // Redis restarted without its data, or was flushed: no worker settled it.
                Ok(false) => self.lost(run),
                Err(err) => println!(
                    "{NAME}: entry {id} was settled by another worker first, or lost with its run \
                     ({}); result dropped",
                    self.target.explain(&err)
                ),
            },
            Err(err) => {
                let why = self.target.explain(&err);
                eprintln!("{NAME}: cannot settle entry {id}: {why}; another worker will run it");
            }
        }
        false
    }

    /// Whether Redis still holds `run`: its record is there. An entry that was no job has no
    /// run (nil), and nothing to lose.
    async fn still_holds(&self, run: Uuid) -> RedisResult<bool> {
        if run.is_nil() {
            return Ok(true);
        }
        self.redis.clone().exists(run_record(run)).await
    }

    /// Says that Redis lost `run`, and how many of its jobs this worker held, the first time
    /// one of them finds it out; the others, which find it out too, say nothing.
    fn lost(&self, run: Uuid) {
        let mut held = self.held();
        if held.lost.insert(run) {
            let n = held.jobs.get(&run).copied().unwrap_or_default();
            let gone = format!("the {n} jobs of it this worker held are gone, results and all");
            eprintln!("{NAME}: {}", lost(run, &gone));
        }
    }

    pub fn held(&self) -> MutexGuard<'_, Held> {
        // A task that panicked leaves counts at worst one off: go on with them.
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Settles one entry, atomically: acknowledges it, and only if this acknowledgement is the one
/// that counted, deletes it, dead-letters it (with a reason; the newest 10 000 or so are kept)
/// and publishes its result (if any), kept for an hour after the run's last one. A job run
/// twice — its first worker was only slow, not dead — is thus published once.
const SETTLE: &str = r"
-- KEYS: the job stream, the run's results stream, the dead-letter stream
-- ARGV: group, entry id, result JSON or '', dead-letter reason or '', the entry's job text
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('XDEL', KEYS[1], ARGV[2])
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', 10000, '*',
             'entry', ARGV[2], 'reason', ARGV[4], 'job', ARGV[5])
end
if ARGV[3] ~= '' then
  redis.call('XADD', KEYS[2], '*', 'result', ARGV[3])
  redis.call('EXPIRE', KEYS[2], 3600)
end
return 1
";
