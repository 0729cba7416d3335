//! Slide 8's queue, shared by its producer and its worker: [`Queue`] over a Redis stream, the
//! [`Job`] that goes on it and the [`JobResult`] that comes back; the [`Worker`]'s steps and the
//! hosts it is [`Allowed`] to fetch from; what the producer [`Heard`]; how to reach Redis.

pub mod allow;
pub mod connect;
pub mod flags;
pub mod heard;
pub mod job;
pub mod queue;
pub mod worker;

pub use allow::Allowed;
pub use connect::{Redis, RedisFlag, Target};
pub use flags::WorkerFlags;
pub use heard::Heard;
pub use job::{Job, JobResult, MAX_ENTRY, Taken, to_json};
pub use queue::{DEAD, JOBS, Queue, Settled};
pub use worker::{Outcome, Worker};

/// The one line the producer and the worker say when Redis no longer holds a run they wait on;
/// `gone` says which of its jobs went with it.
pub fn lost(run: uuid::Uuid, gone: &str) -> String {
    format!(
        "Redis restarted without persistence, or was flushed: run {run} is not on it any more, \
         and {gone}; persistence (`appendonly yes`) keeps a queue across a restart"
    )
}
