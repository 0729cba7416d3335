//! Stopping what the benchmark started: one program (SIGTERM, then SIGKILL), and everything at
//! once on Ctrl-C or SIGTERM. The servers and workers come from `lab`, whose handles stop their
//! process when dropped; but a signal ends this program without dropping anything, so the
//! signal thread stops every process below this one itself.

use std::process::{self, Child};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::procfs;

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
                let everyone = procfs::descendants(process::id());
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

/// SIGTERM, up to `grace` to exit, then SIGKILL; always reaped.
pub fn stop_child(child: &mut Child, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    signal(child.id(), Signal::SIGTERM);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}
