//! What a queue slide runs against: a private redis-server and one worker.

use lab::{Binaries, Error, Redis, Worker};

/// A redis-server and one slide08-worker reading its queue.
pub struct Queue {
    // Fields drop in order: the worker stops before the Redis it talks to.
    pub worker: Worker,
    pub redis: Redis,
}

impl Queue {
    /// Starts redis-server, then a worker that fetches only from `allow_host`.
    pub fn start(bins: &Binaries, allow_host: &str) -> Result<Queue, Error> {
        let redis = Redis::start(&[])?;
        let worker = Worker::start(bins, &redis.url(), allow_host, &[])?;
        Ok(Queue { worker, redis })
    }
}
