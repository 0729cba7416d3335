//! Ctrl-C, SIGTERM and SIGHUP as a value the lab looks at between steps, instead of the
//! default of dying on the spot: dying would skip the drops that stop what the lab started.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// The last stopping signal received, if any.
pub struct Signals {
    last: Arc<AtomicUsize>,
}

impl Signals {
    /// Starts noting the signals. From here on they no longer end the process by themselves.
    pub fn listen() -> Result<Signals, String> {
        let last = Arc::new(AtomicUsize::new(0));
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            // The handler only stores the number: all the work happens in the lab's own loop.
            signal_hook::flag::register_usize(signal, Arc::clone(&last), signal as usize)
                .map_err(|err| format!("cannot listen for Ctrl-C: {err}"))?;
        }
        Ok(Signals { last })
    }

    /// The signal received (its number), if one was.
    pub fn received(&self) -> Option<i32> {
        match self.last.load(Ordering::SeqCst) {
            0 => None,
            signal => i32::try_from(signal).ok(),
        }
    }
}

/// The exit code of a program that a signal stopped: 128 + its number (130 for Ctrl-C).
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}
