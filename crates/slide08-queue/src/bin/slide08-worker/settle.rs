//! Settling an entry in Redis once its job is done.

use std::time::Instant;

use common::retry;
use redis::Script;
use slide08_queue::{DEAD, GROUP, JOBS, results};
use tokio::time::sleep;
use uuid::Uuid;

use crate::NAME;
use crate::job::Worker;

impl Worker {
    /// Settles the entry with the SETTLE script: the `result` (if any) goes to the run's list,
    /// the entry to the dead letters if there is a reason to (`dead`, with the entry's `job`
    /// text), or both. True if this settling counted: no other worker settled the entry first.
    pub async fn settle(&self, id: &str, run: Uuid, result: &str, dead: &str, job: &str) -> bool {
        if !dead.is_empty() {
            eprintln!("{NAME}: entry {id} goes to {DEAD}: {dead}");
        }
        // With no result, the script touches no list: its key only keeps the script in one slot.
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
            Ok(_) => {
                println!("{NAME}: entry {id} was settled by another worker first; result dropped")
            }
            Err(err) => {
                let why = self.target.explain(&err);
                eprintln!("{NAME}: cannot settle entry {id}: {why}; another worker will run it");
            }
        }
        false
    }
}

/// Settles one entry, atomically: acknowledges it, and only if this acknowledgement is the one
/// that counted, deletes it, dead-letters it (with a reason; the newest 10 000 or so are kept)
/// and publishes its result (if any), kept for an hour after the run's last one. A job run
/// twice — its first worker was only slow, not dead — is thus published once.
const SETTLE: &str = r"
-- KEYS: the job stream, the run's result list, the dead-letter stream
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
  redis.call('RPUSH', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], 3600)
end
return 1
";
