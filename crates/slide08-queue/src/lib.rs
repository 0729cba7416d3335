//! What slide 8's producer and worker share: where the queue lives in Redis ([`keys`]), what
//! travels through it ([`job`]), and how to reach it ([`connect`]).

pub mod connect;
pub mod job;
pub mod keys;

pub use connect::{RedisFlag, Target};
pub use job::{Job, JobResult};
