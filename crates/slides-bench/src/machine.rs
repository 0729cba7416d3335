//! The machine the figures come from, and whether anything else was running on it.

use std::fs;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::resource::{Resource, getrlimit};

use crate::procfs;

/// What the report says about the machine.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
    pub rustc: String,
    pub wrk: Option<String>,
    pub redis: Option<String>,
    pub commit: String,
    /// The soft and hard limits on open files this benchmark (and every slide) ran with.
    pub nofile: (u64, u64),
    pub somaxconn: String,
    pub port_range: String,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let cores = cpuinfo
            .lines()
            .filter(|line| line.starts_with("processor"))
            .count()
            .max(1);
        let memory_kib: f64 = fs::read_to_string("/proc/meminfo")
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        let nofile = getrlimit(Resource::RLIMIT_NOFILE).unwrap_or((0, 0));
        Machine {
            cpu,
            cores,
            memory_gib: memory_kib / (1024.0 * 1024.0),
            kernel: read_trimmed("/proc/sys/kernel/osrelease"),
            rustc: first_line_of("rustc", &["--version"]).unwrap_or_else(|| "unknown".into()),
            wrk: first_line_of("wrk", &["--version"]).map(|line| {
                // "wrk 4.1.0 [epoll] Copyright (C) 2012 Will Glozer": the first two words.
                line.split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            redis: first_line_of("redis-server", &["--version"]).map(|line| {
                line.split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            commit: commit(),
            nofile,
            somaxconn: read_trimmed("/proc/sys/net/core/somaxconn"),
            port_range: read_trimmed("/proc/sys/net/ipv4/ip_local_port_range")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("–"),
        }
    }
}

fn read_trimmed(path: &str) -> String {
    fs::read_to_string(path).map_or_else(|_| "unknown".into(), |text| text.trim().to_owned())
}

/// The first line a program prints (on stdout or stderr), if it runs at all.
fn first_line_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    let text = [output.stdout, output.stderr].concat();
    let text = String::from_utf8_lossy(&text);
    text.lines()
        .find(|line| !line.trim().is_empty())
        .map(|line| line.trim().to_owned())
}

/// The commit measured, and whether the tree had changes on top of it.
fn commit() -> String {
    let Some(head) = first_line_of("git", &["rev-parse", "--short", "HEAD"]) else {
        return "unknown (not a git checkout)".into();
    };
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .is_ok_and(|output| !output.stdout.is_empty());
    if dirty {
        format!("{head} with uncommitted changes")
    } else {
        head
    }
}

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
    pub fn summary(&self) -> String {
        if !self.checked {
            return "did not wait for a quiet machine".into();
        }
        let state = format!(
            "{:.0}% of the CPUs busy{}",
            self.busy * 100.0,
            if self.others.is_empty() {
                ", no compiler, test or other server running".to_owned()
            } else {
                format!(", running: {}", self.others.join(", "))
            }
        );
        if self.quiet {
            format!(
                "the machine was quiet for {} s before the start ({state}; waited {:.0} s)",
                QUIET_FOR.as_secs(),
                self.waited.as_secs_f64()
            )
        } else {
            format!(
                "the machine was NOT quiet: gave up waiting after {:.0} s ({state})",
                self.waited.as_secs_f64()
            )
        }
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

impl Quiet {
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

/// Watches, while a scenario runs, for programs that are someone else's work.
pub struct Monitor {
    stop: Arc<AtomicBool>,
    sampler: thread::JoinHandle<Interference>,
}

/// What the monitor saw.
#[derive(Debug, Clone, Default)]
pub struct Interference {
    pub samples: usize,
    /// Samples in which another program was running.
    pub busy: usize,
    pub names: Vec<String>,
}

impl Interference {
    pub fn summary(&self) -> String {
        if self.busy == 0 {
            format!(
                "Nothing else ran while this scenario ran (no compiler, test or other server in \
                 {} looks, one every {} s).",
                self.samples,
                MONITOR_EVERY.as_secs()
            )
        } else {
            format!(
                "**Not alone**: other programs ({}) were running in {} of {} looks (one every \
                 {} s) while this scenario ran; its figures may be slower than on a quiet \
                 machine.",
                self.names.join(", "),
                self.busy,
                self.samples,
                MONITOR_EVERY.as_secs()
            )
        }
    }
}

const MONITOR_EVERY: Duration = Duration::from_secs(2);

impl Monitor {
    pub fn start() -> Monitor {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let sampler = thread::spawn(move || {
            let mut seen = Interference::default();
            let mut next = Instant::now();
            // Bounded: ends when the scenario does.
            while !stopped.load(Ordering::Relaxed) {
                if Instant::now() >= next {
                    next += MONITOR_EVERY;
                    let names = others();
                    seen.samples += 1;
                    if !names.is_empty() {
                        seen.busy += 1;
                        seen.names.extend(names);
                        seen.names.sort();
                        seen.names.dedup();
                    }
                }
                thread::sleep(Duration::from_millis(100));
            }
            seen
        });
        Monitor { stop, sampler }
    }

    pub fn finish(self) -> Interference {
        self.stop.store(true, Ordering::Relaxed);
        self.sampler.join().unwrap_or_default()
    }
}

/// The names of running programs that are someone else's work: not this process, the ones that
/// started it (`cargo run`, say), or the ones it started (its servers, the measured slides).
fn others() -> Vec<String> {
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
