//! Slide 7a's library with your executor in it. This package's program is the slide's own
//! `main.rs` (see Cargo.toml), which takes its executor from the library `slide07a_coroutines`:
//! in this package, that is this file. So `src/executor.rs` is yours, and the reactor and the
//! HTTP client are the slide's.

// As in the slide's library: `Executor::new` is how main makes its one executor.
#![allow(clippy::new_without_default)]

pub mod executor;

pub use slide::{http, reactor, response};
