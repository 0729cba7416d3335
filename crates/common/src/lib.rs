//! What every slide shares but is not the lesson: the flags ([`Flags`]), reading the
//! `{"uuid": …}` body ([`parse_uuid`]), why a request failed ([`FetchError`]), trying it again
//! ([`retry`]), the CPU work `--work` asks for ([`spend_cpu`]), timing it ([`Clock`]), printing each result and the summary ([`Report`],
//! [`Summary`]) and the timeline, and hearing Ctrl-C ([`spawn_exit_on_signal`], `shutdown_signal`,
//! [`SignalFlag`]).
//!
//! Each name does what it says and nothing else. Whatever changes a slide's control flow —
//! retrying, stopping on Ctrl-C, exiting — is a call the slide makes itself, where a reader sees it.

mod body;
mod clock;
mod cpu;
mod error;
mod flags;
mod limits;
mod quote;
mod report;
pub mod retry;
mod signals;
mod summary;
mod timeline;
// Its test, which builds a reqwest client, runs with or without the feature.
#[cfg(any(feature = "reqwest", test))]
mod tls;

#[cfg(feature = "reqwest")]
pub use body::read_body;
pub use body::{MAX_BODY, parse_uuid};
pub use clock::{Clock, Fetched};
pub use cpu::{process_cpu, spend_cpu};
pub use error::{FetchError, HOST_NOT_FOUND};
pub use flags::{
    Flags, MAX_WORK, cannot, parse_duration, parse_flags, usage_error, width, without_password,
};
pub use limits::raise_open_file_limit;
pub use quote::{QUOTE_MAX, quote};
pub use report::Report;
#[cfg(feature = "tokio")]
pub use signals::shutdown_signal;
pub use signals::{Signal, SignalFlag, spawn_exit_on_signal};
pub use summary::{Span, Summary, brief};
#[cfg(any(feature = "reqwest", test))]
pub use tls::use_ring_for_tls;
