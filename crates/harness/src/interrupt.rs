//! Ctrl-C, SIGTERM and SIGHUP: stop at once, say what got done, and exit as the signal would
//! have (128 + its number: 130, 143, 129). A second signal exits at once, whatever is going on.
//!
//! Who hears the signal depends on what waits for the requests ([`Waiter`]). Threads and child
//! processes are blocked in their requests and cannot notice anything, so a thread of the
//! harness waits for the signal, runs the slide's clean-up hooks (slide 5 stops and reaps its
//! children), prints the partial summary and exits. An event loop hears a signal as one more
//! event ([`until_signal`] for tokio; slide 7a's executor asks [`interrupted`]) and simply stops;
//! `Run::finish` then sees the signal and prints the partial summary. No thread is added there:
//! those slides' lesson is that one thread does all the work.

use std::process;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::run::Report;
use crate::slide::Waiter;

const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Something a slide must do before the process exits on a signal; it gets the signal's name.
type Hook = Box<dyn FnOnce(&str) + Send>;

/// The signal that ended the run (its number; 0: none yet). Set from the signal handler.
fn signal() -> &'static Arc<AtomicUsize> {
    static SIGNAL: OnceLock<Arc<AtomicUsize>> = OnceLock::new();
    SIGNAL.get_or_init(Arc::default)
}

fn hooks() -> MutexGuard<'static, Vec<Hook>> {
    static HOOKS: Mutex<Vec<Hook>> = Mutex::new(Vec::new());
    HOOKS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The run in progress, for the thread that prints its partial summary.
fn current() -> MutexGuard<'static, Option<Arc<Mutex<Report>>>> {
    static CURRENT: Mutex<Option<Arc<Mutex<Report>>>> = Mutex::new(None);
    CURRENT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts listening, once the flags are parsed. If the OS will not let us, the signals keep
/// their default effect (the process dies at once): worse manners, but no hang.
pub(crate) fn listen(name: &'static str, waiter: Waiter) {
    let armed = Arc::new(AtomicBool::new(false));
    for sig in SIGNALS {
        // The order matters: the first handler exits only if the second has already run once,
        // that is on the second signal; the second records the signal for `interrupted`.
        let _ = signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, armed.clone());
        let _ = signal_hook::flag::register(sig, armed.clone());
        let _ = signal_hook::flag::register_usize(sig, signal().clone(), sig as usize);
    }
    if waiter == Waiter::Task {
        return; // the event loop listens itself
    }
    let Ok(mut signals) = Signals::new(SIGNALS) else {
        return;
    };
    let _ = thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                stop(name, sig)
            }
        });
}

/// The watching thread's answer to a signal: clean up, sum up, exit.
fn stop(name: &str, sig: i32) -> ! {
    signal().store(sig as usize, Ordering::SeqCst);
    run_hooks();
    let run = current().clone();
    match run {
        Some(report) => {
            // Whatever the run's threads are doing, the lock is only ever held for a print.
            let mut report = report.lock().unwrap_or_else(PoisonError::into_inner);
            report.summarize();
        }
        None => eprintln!(
            "{name}: {}: stopped before the run started",
            signal_name(sig)
        ),
    }
    process::exit(128 + sig)
}

/// Registers what must happen before the process exits on a signal.
pub(crate) fn on_interrupt(hook: impl FnOnce(&str) + Send + 'static) {
    hooks().push(Box::new(hook));
}

/// Runs the clean-up hooks, each once, in the order they were registered. The lock is held
/// while they run: when the watching thread and `Run::finish` both get here, the second waits
/// until the first is done, and so never exits while the children are still being reaped.
pub(crate) fn run_hooks() {
    let name = interrupted_by().map_or("a signal", signal_name);
    let mut hooks = hooks();
    for hook in hooks.drain(..) {
        hook(name);
    }
}

/// Makes `report` the one whose partial summary a signal prints.
pub(crate) fn watch(report: Arc<Mutex<Report>>) {
    *current() = Some(report);
}

/// The signal that ended the run, if one did.
pub(crate) fn interrupted_by() -> Option<i32> {
    match signal().load(Ordering::SeqCst) {
        0 => None,
        sig => i32::try_from(sig).ok(),
    }
}

/// True once Ctrl-C, SIGTERM or SIGHUP has come: an event loop that sees it stops, and lets
/// `Run::finish` sum up what got done.
pub fn interrupted() -> bool {
    interrupted_by().is_some()
}

/// `SIGINT`, `SIGTERM`, …
pub(crate) fn signal_name(sig: i32) -> &'static str {
    signal_hook::low_level::signal_name(sig).unwrap_or("a signal")
}

/// Runs `work` on a tokio event loop until it is done or a signal comes, whichever is first.
/// The signal is one more event the loop waits for: no thread is added. After a signal the
/// unfinished tasks are dropped, and `Run::finish` prints what got done and exits 130 or 143.
#[cfg(feature = "tokio")]
pub async fn until_signal(work: impl std::future::Future<Output = ()>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        // The flags still record a signal for `Run::finish`; only promptness is lost.
        return work.await;
    };
    // A signal that came before we listened (while the runtime started) counts too.
    if interrupted() {
        return;
    }
    tokio::select! {
        () = work => {}
        _ = int.recv() => {}
        _ = term.recv() => {}
        _ = hup.recv() => {}
    }
}
