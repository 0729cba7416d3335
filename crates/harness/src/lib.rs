//! The harness: everything a slide needs that is *not* the lesson.
//!
//! A slide's `main.rs` holds the concurrency model and nothing else. Flags ([`Args`]),
//! the clock ([`Clock`]), printing each result and the summary ([`Run`]), and reading
//! the `{"uuid": …}` body ([`parse_uuid`]) live here, the same for every slide, so that
//! two slides side by side differ only in how they run their requests.
//!
//! So does what happens when things go wrong: `--retries` ([`retry`]), and Ctrl-C or SIGTERM
//! (`interrupt.rs`), which stops the run at once and sums up what got done.

#[cfg(feature = "ureq")]
mod agent;
mod body;
mod cli;
pub mod error;
mod interrupt;
pub mod retry;
mod run;
mod slide;
pub mod timeline;

#[cfg(feature = "ureq")]
pub use agent::agent;
#[cfg(feature = "reqwest")]
pub use body::read_body;
pub use body::{MAX_BODY, parse_uuid};
pub use cli::{parse_duration, parse_or_exit, usage_error};
pub use error::FetchError;
pub use interrupt::interrupted;
#[cfg(feature = "tokio")]
pub use interrupt::until_signal;
pub use run::{Clock, Fetched, Run, without_password};
pub use slide::{Args, Concurrency, MAX_PROCESSES, MAX_REQUESTS, MAX_THREADS, Slide, Waiter};
