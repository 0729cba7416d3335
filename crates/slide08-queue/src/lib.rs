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
pub use job::{Job, JobResult, MAX_ENTRY, Taken, lost, to_json};
pub use queue::{DEAD, JOBS, Queue, Settled};
pub use worker::{Outcome, Worker};
