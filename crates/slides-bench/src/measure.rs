//! Measuring a program from outside, as the kernel counts it.
//!
//! `getrusage(RUSAGE_CHILDREN)` gives the CPU time of every descendant a process has waited
//! for, and the peak RSS of the largest one. To get exactly one program's tree, each measured
//! program runs under a fresh `slides-bench measure` wrapper that starts it, waits for it, and
//! writes what getrusage then says. (The benchmark itself starts many programs in turn; its own
//! RUSAGE_CHILDREN would mix them up, and ru_maxrss never goes down.)
//!
//! ru_maxrss is per process, so for slide 5's pool — a parent and its children — the benchmark
//! also samples the tree's summed RSS every 50 ms from /proc.
use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::thread;
use std::time::Instant;

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::signal::Signal;
use nix::sys::time::TimeVal;
use serde::{Deserialize, Serialize};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::stopping;

/// What a finished program's process tree cost, as the kernel counted it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Usage {
    /// From just before the program started to just after it was reaped.
    pub wall_s: f64,
    pub user_s: f64,
    pub sys_s: f64,
    /// The peak resident set of the largest single process of the tree (ru_maxrss), in KiB.
    pub max_rss_kib: u64,
    /// The exit code; `None` if a signal ended it.
    pub code: Option<i32>,
}

impl Usage {
    pub fn cpu_s(&self) -> f64 {
        self.user_s + self.sys_s
    }
}

/// `slides-bench measure --out FILE -- COMMAND…`: runs COMMAND (stdin, stdout and stderr are
/// ours), passes SIGINT and SIGTERM on to it, and writes its [`Usage`] to FILE. Exits with
/// COMMAND's exit code, or 125 if it could not be measured.
pub fn wrapper(out: &Path, command: &[OsString]) -> ExitCode {
    let measured = measure_child(command).and_then(|usage| {
        let json = serde_json::to_string(&usage).map_err(|err| err.to_string())?;
        fs::write(out, json).map_err(|err| format!("cannot write {}: {err}", out.display()))?;
        Ok(usage)
    });
    match measured {
        Ok(usage) => ExitCode::from(usage.code.map_or(1, |code| u8::try_from(code).unwrap_or(1))),
        Err(message) => {
            eprintln!("slides-bench measure: {message}");
            ExitCode::from(125)
        }
    }
}

fn measure_child(command: &[OsString]) -> Result<Usage, String> {
    let (program, args) = command.split_first().ok_or("no command to measure")?;
    let shown = program.to_string_lossy();
    // Set up before the program starts, so no signal can fall between the two.
    let mut signals =
        Signals::new([SIGINT, SIGTERM]).map_err(|err| format!("cannot watch signals: {err}"))?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .spawn()
        .map_err(|err| format!("cannot run {shown}: {err}"))?;
    let pid = child.id();
    let handle = signals.handle();
    // Stopping the wrapper means stopping the program: it decides how to end (slide 5 reaps
    // its children, a queue worker finishes the jobs in flight).
    let forwarder = thread::spawn(move || {
        for number in signals.forever() {
            if let Ok(signal) = Signal::try_from(number) {
                stopping::signal(pid, signal);
            }
        }
    });
    let status = child
        .wait()
        .map_err(|err| format!("cannot wait for {shown}: {err}"))?;
    let wall = started.elapsed();
    handle.close();
    let _ = forwarder.join();
    let usage =
        getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|err| format!("getrusage failed: {err}"))?;
    Ok(Usage {
        wall_s: wall.as_secs_f64(),
        user_s: seconds(usage.user_time()),
        sys_s: seconds(usage.system_time()),
        // Linux gives ru_maxrss in KiB.
        max_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
        code: status.code(),
    })
}

fn seconds(time: TimeVal) -> f64 {
    time.tv_sec() as f64 + time.tv_usec() as f64 / 1e6
}
