//! The harness: everything a slide needs that is *not* the lesson.
//!
//! A slide's `main.rs` holds the concurrency model and nothing else. Flags ([`Args`]),
//! the clock ([`Clock`]), printing each result and the summary ([`Run`]), and reading
//! the `{"uuid": …}` body ([`parse_uuid`]) live here, the same for every slide, so that
//! two slides side by side differ only in how they run their requests.

mod body;
mod cli;
mod error;
mod run;
mod slide;
pub mod timeline;

pub use body::parse_uuid;
pub use cli::{parse_duration, parse_or_exit, usage_error};
pub use error::FetchError;
pub use run::{Clock, Fetched, Run};
pub use slide::{Args, Concurrency, MAX_REQUESTS, Slide};
