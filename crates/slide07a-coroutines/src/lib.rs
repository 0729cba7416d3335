//! What slide 7a builds by hand, that tokio and reqwest give slide 7: the executor, the reactor
//! and one HTTP/1.1 exchange. A library of its own so that the workshop's exercise can run the
//! slide's own `main.rs` with the attendee's executor in place of this one.

// `Executor::new` is how main makes its one executor; a `Default` beside it, which clippy asks
// of a library's public type, would be a second way that teaches nothing.
#![allow(clippy::new_without_default)]

pub mod executor;
pub mod http;
pub mod reactor;
pub mod response;
