//! What every slide shares but is not the lesson: the flags ([`Flags`]), each HTTP client's
//! settings ([`ureq_config`], [`reqwest_builder`]), reading the `{"uuid": …}` body
//! ([`read_body`], [`read_body_blocking`], [`parse_uuid`]), why a request failed
//! ([`FetchError`]), trying it again ([`retry`]), the CPU work `--work` asks for
//! ([`spend_cpu`]), timing it ([`Clock`]), printing each result and the summary ([`Report`],
//! [`Summary`]) and the timeline, and hearing Ctrl-C ([`spawn_exit_on_signal`],
//! [`first_signal_exit_on_second`], [`SignalFlag`]).
//!
//! Each name says what it does. Whatever changes a slide's control flow — retrying, stopping
//! on Ctrl-C, exiting — is a call the slide makes itself, where a reader sees it, and a function
//! that can end the process says so in its name (or, for `usage_error`, in its `!`).

mod body;
mod clients;
mod clock;
mod cpu;
mod error;
mod flags;
mod limits;
mod quote;
mod report;
pub mod retry;
mod signal;
mod signals;
mod summary;
mod timeline;
// Its test, which builds a reqwest client, runs with or without the feature.
#[cfg(any(feature = "reqwest", test))]
mod tls;

#[cfg(feature = "reqwest")]
pub use body::read_body;
#[cfg(feature = "ureq")]
pub use body::read_body_blocking;
pub use body::{MAX_BODY, parse_uuid};
#[cfg(feature = "reqwest")]
pub use clients::reqwest_builder;
#[cfg(feature = "ureq")]
pub use clients::ureq_config;
pub use clock::{Clock, Fetched};
pub use cpu::{process_cpu, spend_cpu};
pub use error::{FetchError, HOST_NOT_FOUND};
pub use flags::{
    Flags, MAX_WORK, cannot, parse_duration, parse_flags, usage_error, width, without_password,
};
pub use limits::raise_open_file_limit;
pub use quote::{QUOTE_MAX, quote};
pub use report::Report;
pub use signal::Signal;
#[cfg(feature = "tokio")]
pub use signals::first_signal_exit_on_second;
pub use signals::{SignalFlag, spawn_exit_on_signal};
pub use summary::{Span, Summary, brief};
#[cfg(feature = "reqwest")]
pub use tls::use_ring_for_tls;
