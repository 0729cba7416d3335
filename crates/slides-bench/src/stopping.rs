//! Stopping everything the benchmark started, at once, on Ctrl-C or SIGTERM. The servers and
//! workers come from `lab`, whose handles stop their process when dropped (one program alone
//! stops with `lab::stop`); but a signal ends this program without dropping anything, so the
//! signal thread stops every process below this one itself.

use std::process;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::system;

/// Set once a signal asked the benchmark to stop: no new run starts after it.
static STOPPING: AtomicBool = AtomicBool::new(false);

pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

/// Sends `signal` to one process; a process already gone is not an error.
pub fn signal(pid: u32, signal: Signal) {
    if let Ok(pid) = i32::try_from(pid) {
        let _ = kill(Pid::from_raw(pid), signal);
    }
}

/// On SIGINT, SIGTERM or SIGHUP: stop every process below this one (the servers, the measure
/// wrappers, the slides under them and their own children), then exit as the signal would have.
pub fn stop_all_on_signal() -> Result<(), String> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])
        .map_err(|err| format!("cannot watch for Ctrl-C: {err}"))?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(number) = signals.forever().next() {
                STOPPING.store(true, Ordering::SeqCst);
                let everyone = system::descendants(process::id());
                for &pid in &everyone {
                    signal(pid, Signal::SIGTERM);
                }
                thread::sleep(Duration::from_millis(500));
                for &pid in &everyone {
                    signal(pid, Signal::SIGKILL);
                }
                eprintln!("slides-bench: interrupted; stopped every process it had started");
                process::exit(128 + number);
            }
        })
        .map(drop)
        .map_err(|err| format!("cannot watch for Ctrl-C: {err}"))
}
