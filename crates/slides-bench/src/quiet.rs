//! Whether the machine is quiet: no compiler, test or other server running, and little of its
//! CPU in use. Checked before the benchmark starts, and watched while each scenario runs.

use std::thread;
use std::time::{Duration, Instant};

use crate::notes::note;
use crate::system;

/// Programs whose presence means someone else is compiling, testing or benchmarking.
const BUSY_NAMES: &[&str] = &[
    "rustc",
    "cargo",
    "cc1",
    "ld",
    "collect2",
    "clippy-driver",
    "rustdoc",
    "build-script",
    "slide0",
    "slides-report",
    "httpbin-lite",
    "redis-server",
    "wrk",
];

/// How long the machine must have been quiet before we start.
const QUIET_FOR: Duration = Duration::from_secs(30);

/// One look at the machine.
const WINDOW: Duration = Duration::from_secs(5);

/// A window is quiet below this share of all CPUs busy.
const QUIET_BUSY: f64 = 0.15;

/// How often the watch over a scenario looks.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// Waits up to `limit` until the machine has been quiet for [`QUIET_FOR`]: none of
/// [`BUSY_NAMES`] running and under [`QUIET_BUSY`] of the CPUs busy. Gives one line for the
/// report and the terminal: quiet or not, and what was running.
pub fn wait_until_quiet(limit: Duration) -> String {
    if limit.is_zero() {
        return note("quiet.unchecked").text();
    }
    let started = Instant::now();
    let (mut quiet_since, mut said) = (None::<Instant>, Instant::now());
    let (mut quiet, mut busy, mut others) = (false, 0.0, Vec::new());
    println!(
        "==> waiting (up to {:.0} s) for {} s without compilers, tests or servers",
        limit.as_secs_f64(),
        QUIET_FOR.as_secs()
    );
    // Bounded by `limit`.
    while started.elapsed() < limit {
        let before = system::machine_cpu_ticks();
        thread::sleep(WINDOW);
        busy = match (before, system::machine_cpu_ticks()) {
            (Some((b0, t0)), Some((b1, t1))) if t1 > t0 => (b1 - b0) as f64 / (t1 - t0) as f64,
            _ => 1.0,
        };
        others = system::others_named(BUSY_NAMES);
        if others.is_empty() && busy < QUIET_BUSY {
            let since = *quiet_since.get_or_insert(Instant::now() - WINDOW);
            if since.elapsed() >= QUIET_FOR {
                quiet = true;
                break;
            }
        } else {
            quiet_since = None;
        }
        if said.elapsed() >= Duration::from_secs(60) {
            said = Instant::now();
            let running = match others.as_slice() {
                [] => "nothing of note".into(),
                others => others.join(", "),
            };
            println!(
                "    still waiting: {:.0}% busy, running: {running}",
                busy * 100.0
            );
        }
    }
    let state = match others.as_slice() {
        [] => note("quiet.alone"),
        others => note("quiet.others").with("others", others.join(", ")),
    };
    let summary = match quiet {
        true => note("quiet.quiet").with("quiet_for", QUIET_FOR.as_secs()),
        false => note("quiet.not-quiet"),
    };
    summary
        .with(
            "state",
            state.with("busy", format!("{:.0}", busy * 100.0)).text(),
        )
        .with("waited", format!("{:.0}", started.elapsed().as_secs_f64()))
        .text()
}

#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub looks: usize,
    /// Looks in which another program was running.
    pub busy: usize,
    pub names: Vec<String>,
}

impl Seen {
    /// A note for the scenario's section: whether it ran alone.
    pub fn summary(&self) -> String {
        let summary = if self.busy == 0 {
            note("watch.alone")
        } else {
            note("watch.not-alone")
                .with("names", self.names.join(", "))
                .with("busy", self.busy)
        };
        summary
            .with("looks", self.looks)
            .with("every", WATCH_EVERY.as_secs())
            .text()
    }
}

/// Runs `work` on a thread of its own, and looks every [`WATCH_EVERY`] meanwhile for programs
/// that are someone else's work. `None` if `work` panicked.
pub fn watch<T: Send>(work: impl FnOnce() -> T + Send) -> (Option<T>, Seen) {
    thread::scope(|scope| {
        let working = scope.spawn(work);
        let mut seen = Seen::default();
        let mut next = Instant::now();
        // Bounded: ends when the work does.
        while !working.is_finished() {
            if Instant::now() >= next {
                next += WATCH_EVERY;
                let names = system::others_named(BUSY_NAMES);
                seen.looks += 1;
                seen.busy += usize::from(!names.is_empty());
                seen.names.extend(names);
                seen.names.sort();
                seen.names.dedup();
            }
            thread::sleep(Duration::from_millis(100));
        }
        (working.join().ok(), seen)
    })
}
