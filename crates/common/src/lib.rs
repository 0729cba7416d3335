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
mod report;
pub mod retry;
mod signals;
mod summary;
mod timeline;

pub use body::*;
pub use clients::*;
pub use clock::*;
pub use cpu::*;
pub use error::*;
pub use flags::*;
pub use report::*;
pub use signals::*;
pub use summary::*;
