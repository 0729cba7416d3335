//! The lab: the talk's slides, in the talk's order ([`talk`]), and what they run against —
//! httpbin-lite ([`Httpbin`]), a private redis-server ([`Redis`]) and the queue's worker
//! ([`Worker`]) — each on a free loopback port, each stopped when its handle is dropped.
//!
//! The `lab` binary, the end-to-end tests and the benchmark all start them this one way.

mod binaries;
mod error;
mod httpbin;
mod proc;
mod process;
mod redis;
mod scratch;
pub mod talk;
mod worker;

pub use binaries::Binaries;
pub use error::Error;
pub use httpbin::Httpbin;
pub use proc::{children_of, thread_count};
pub use process::{signal_then_kill, stop};
pub use redis::Redis;
pub use worker::Worker;
