//! Keeping its claims: a worker still busy with a job tells Redis so, every third of
//! `--reclaim-after`, as reliable queues do with a heartbeat. So `--reclaim-after` can be short —
//! a crashed worker's jobs move on within a second — while a job takes as long as it needs.

use redis::Script;
use slide08_queue::{GROUP, JOBS};
use tokio::time::sleep;

use crate::job::Worker;

impl Worker {
    /// Renews, forever, this worker's claim on every entry it holds: their idle time starts
    /// again from zero, so no other worker takes over a job that is still running. A worker
    /// that crashed or was stopped renews nothing, and its jobs move on after `--reclaim-after`.
    pub async fn keep_claims(&self) {
        let script = Script::new(KEEP);
        loop {
            sleep(self.cli.reclaim_after / 3).await;
            let ids = self.held().entries();
            if ids.is_empty() {
                continue;
            }
            let mut keep = script.key(JOBS);
            keep.arg(GROUP).arg(&self.name).arg(ids);
            // Redis away: the jobs run on, and the next beat tries again. Away for longer than
            // --reclaim-after, another worker may take them over, which only costs a duplicate.
            let _: Result<i64, _> = keep.invoke_async(&mut self.redis.clone()).await;
        }
    }
}

/// `XCLAIM … 0 <id> JUSTID` resets an entry's idle time without counting a delivery, but it
/// claims the entry whoever holds it; so first `XPENDING … <id> <id> 1 <me>` checks that it is
/// still ours (another worker may have taken it over while this one was paused).
const KEEP: &str = r"
-- KEYS: the job stream
-- ARGV: group, this worker's name, then the ids of the entries it holds
local kept = 0
for i = 3, #ARGV do
  local mine = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #mine > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept = kept + 1
  end
end
return kept
";
