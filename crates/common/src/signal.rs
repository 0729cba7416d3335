//! The signals that stop a run: Ctrl-C (SIGINT), SIGTERM and SIGHUP.

use std::process::ExitCode;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Every signal that stops a run.
pub(crate) const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal(pub(crate) i32);

impl Signal {
    /// Ctrl-C.
    pub const INTERRUPT: Signal = Signal(SIGINT);
    pub const TERMINATE: Signal = Signal(SIGTERM);
    pub const HANG_UP: Signal = Signal(SIGHUP);

    /// Its number, to pass it on to another process.
    pub fn number(self) -> i32 {
        self.0
    }

    /// `SIGINT`, `SIGTERM`, …
    pub fn name(self) -> &'static str {
        signal_hook::low_level::signal_name(self.0).unwrap_or("a signal")
    }

    /// 128 + the signal's number, as a shell reports a process the signal ended.
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(u8::try_from(128 + self.0).unwrap_or(1))
    }
}
