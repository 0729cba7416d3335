//! Ctrl-C, SIGTERM and SIGHUP: stop, say what got done, and exit as the signal would have
//! (128 + its number: 130, 143, 129). A second signal exits at once, whatever is going on.
//!
//! Who hears a signal depends on the model, so each slide picks one of three, in plain sight:
//! - threads busy in their requests run no loop that could look, so the blocking slides start
//!   a thread that hears it and sums up ([`spawn_exit_on_signal`]);
//! - an event loop hears it as one more event ([`first_signal_exit_on_second`]);
//! - a loop of our own looks at a flag between steps ([`SignalFlag::listen_exit_on_second`]).

use std::process::{self, ExitCode};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::report::Report;

/// Every signal that stops a run.
const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal(i32);

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

/// Starts a thread (named `signals`) that waits for Ctrl-C, SIGTERM or SIGHUP. On the first,
/// it runs `clean_up`, prints `report`'s summary of what got done, and exits 130, 143 or 129.
pub fn spawn_exit_on_signal(report: &Report, clean_up: impl FnOnce(Signal) + Send + 'static) {
    second_signal_exits();
    // If the OS will not let us listen, a signal kills the process at once: rude, but no hang.
    let Ok(mut signals) = Signals::new(SIGNALS) else {
        return;
    };
    let report = report.clone();
    let _ = thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(number) = signals.forever().next() {
                let signal = Signal(number);
                let _ = report.finish_after(Some(signal), || clean_up(signal), |_| {});
                process::exit(128 + number)
            }
        });
}

/// Waits for the first Ctrl-C, SIGTERM or SIGHUP and says which came, for an event loop to
/// race its work against in `tokio::select!`. A second signal exits at once. No thread is added.
#[cfg(feature = "tokio")]
pub async fn first_signal_exit_on_second() -> Signal {
    use tokio::signal::unix::{SignalKind, signal};
    second_signal_exits();
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        // Cannot listen: the signals keep their default effect, and this never completes.
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => Signal::INTERRUPT,
        _ = term.recv() => Signal::TERMINATE,
        _ = hup.recv() => Signal::HANG_UP,
    }
}

/// Ctrl-C, SIGTERM or SIGHUP, recorded instead of ending the process, for a loop of our own
/// that looks between steps and stops itself (slide 7a's executor, the lab).
#[derive(Debug, Clone)]
pub struct SignalFlag(Arc<AtomicUsize>);

impl SignalFlag {
    /// From now on the first signal is recorded here; a second one exits at once. If the OS
    /// will not let us listen, a signal keeps its default effect: the process dies.
    pub fn listen_exit_on_second() -> SignalFlag {
        second_signal_exits();
        SignalFlag::listen_without_exit()
    }

    /// [`SignalFlag::listen_exit_on_second`], but no signal ever ends the process: for a
    /// program that must stop what it started however often it is told to stop (the lab).
    pub fn listen_without_exit() -> SignalFlag {
        let flag = Arc::new(AtomicUsize::new(0));
        for number in SIGNALS {
            let _ = signal_hook::flag::register_usize(number, flag.clone(), number as usize);
        }
        SignalFlag(flag)
    }

    /// The signal that came, if one has.
    pub fn get(&self) -> Option<Signal> {
        let number = i32::try_from(self.0.load(Ordering::SeqCst)).ok();
        number.filter(|&number| number != 0).map(Signal)
    }
}

/// The first signal only arms this; a second one then exits at once with 128 + its number.
fn second_signal_exits() {
    let armed = Arc::new(AtomicBool::new(false));
    for number in SIGNALS {
        // The order matters: the first handler exits only if the second has already run once.
        let _ =
            signal_hook::flag::register_conditional_shutdown(number, 128 + number, armed.clone());
        let _ = signal_hook::flag::register(number, armed.clone());
    }
}
