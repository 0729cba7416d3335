//! Whether the machine was quiet before the benchmark started: no compiler, test or other
//! server running, and little of its CPU in use.

use std::thread;
use std::time::{Duration, Instant};

use crate::notes::note;
use crate::procfs;

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

/// Whether the machine was quiet when the benchmark started.
#[derive(Debug, Clone)]
pub struct Quiet {
    pub checked: bool,
    pub quiet: bool,
    pub waited: Duration,
    /// Share of all CPUs busy in the last window looked at, 0 to 1.
    pub busy: f64,
    /// Other programs seen in the last window looked at.
    pub others: Vec<String>,
}

impl Quiet {
    /// One line for the report and the terminal: quiet or not, and what was running.
    pub fn summary(&self) -> String {
        if !self.checked {
            return note("quiet.unchecked").text();
        }
        let busy = format!("{:.0}", self.busy * 100.0);
        let state = match self.others.as_slice() {
            [] => note("quiet.alone"),
            others => note("quiet.others").with("others", others.join(", ")),
        };
        let summary = if self.quiet {
            note("quiet.quiet").with("quiet_for", QUIET_FOR.as_secs())
        } else {
            note("quiet.not-quiet")
        };
        summary
            .with("state", state.with("busy", busy).text())
            .with("waited", format!("{:.0}", self.waited.as_secs_f64()))
            .text()
    }

    /// A line for the terminal while waiting.
    fn summary_busy(&self) -> String {
        format!(
            "{:.0}% busy, running: {}",
            self.busy * 100.0,
            if self.others.is_empty() {
                "nothing of note".into()
            } else {
                self.others.join(", ")
            }
        )
    }
}

/// Waits up to `limit` until the machine has been quiet for [`QUIET_FOR`]: none of
/// [`BUSY_NAMES`] running and under [`QUIET_BUSY`] of the CPUs busy.
pub fn wait_until_quiet(limit: Duration) -> Quiet {
    let mut quiet = Quiet {
        checked: !limit.is_zero(),
        quiet: false,
        waited: Duration::ZERO,
        busy: 0.0,
        others: Vec::new(),
    };
    if limit.is_zero() {
        return quiet;
    }
    let started = Instant::now();
    let mut quiet_since: Option<Instant> = None;
    let mut said = Instant::now();
    println!(
        "==> waiting (up to {:.0} s) for {} s without compilers, tests or servers",
        limit.as_secs_f64(),
        QUIET_FOR.as_secs()
    );
    // Bounded by `limit`.
    while started.elapsed() < limit {
        let before = procfs::machine_cpu_ticks();
        thread::sleep(WINDOW);
        let after = procfs::machine_cpu_ticks();
        quiet.busy = match (before, after) {
            (Some((b0, t0)), Some((b1, t1))) if t1 > t0 => (b1 - b0) as f64 / (t1 - t0) as f64,
            _ => 1.0,
        };
        quiet.others = others();
        if quiet.others.is_empty() && quiet.busy < QUIET_BUSY {
            let since = *quiet_since.get_or_insert(Instant::now() - WINDOW);
            if since.elapsed() >= QUIET_FOR {
                quiet.quiet = true;
                break;
            }
        } else {
            quiet_since = None;
        }
        if said.elapsed() >= Duration::from_secs(60) {
            said = Instant::now();
            println!("    still waiting: {}", quiet.summary_busy());
        }
    }
    quiet.waited = started.elapsed();
    quiet
}

/// The names of running programs that are someone else's work: not this process, the ones that
/// started it (`cargo run`, say), or the ones it started (its servers, the measured slides).
pub fn others() -> Vec<String> {
    let me = std::process::id();
    let my_ancestors = procfs::ancestors(me);
    let mut names: Vec<String> = procfs::all_pids()
        .into_iter()
        .filter(|pid| !my_ancestors.contains(pid))
        .filter_map(|pid| Some((pid, procfs::comm(pid)?)))
        .filter(|(_, name)| BUSY_NAMES.iter().any(|busy| name.starts_with(busy)))
        // Ours if this process is among its ancestors: only the few matches are looked up.
        .filter(|(pid, _)| !procfs::ancestors(*pid).contains(&me))
        .map(|(_, name)| name)
        .collect();
    names.sort();
    names.dedup();
    names
}
