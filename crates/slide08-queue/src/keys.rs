//! Where the queue lives in Redis.
//!
//! Every key starts with the hash tag `{slides}`. Redis Cluster stores keys with the same tag in
//! the same slot, and a Lua script may only touch keys of one slot: the worker's settle script
//! writes the job stream, a result list and the dead-letter stream at once.

use std::time::Duration;

use uuid::Uuid;

/// The stream of jobs: the producer adds to it, the workers read it.
pub const JOBS: &str = "{slides}:jobs";

/// The consumer group the workers read [`JOBS`] through. Each entry goes to one worker, and
/// Redis keeps the entries taken but not yet acknowledged (the "pending" list) with how often
/// each was delivered: what lets a worker take over the jobs of one that crashed.
pub const GROUP: &str = "workers";

/// Entries no worker could run (not a job, or delivered too often), with the reason; about
/// [`DEAD_MAX`] of them, the newest.
pub const DEAD: &str = "{slides}:dead";
pub const DEAD_MAX: usize = 10_000;

/// The list a run's results go to; the producer of that run waits on it.
pub fn results(run: Uuid) -> String {
    format!("{{slides}}:results:{run}")
}

/// A result list stays this long after its last result, then Redis drops it: a producer that
/// gave up, or ran with `--no-wait`, leaves nothing behind for good.
pub const RESULTS_TTL: Duration = Duration::from_secs(3600);
