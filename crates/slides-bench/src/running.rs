//! Running a program under the `slides-bench measure` wrapper, stopping it if it runs too long,
//! and reading what it cost and what it said: its usage, its `--json` summary, its last line of
//! error.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::Summary;
use nix::sys::signal::Signal;

use crate::measure::Usage;
use crate::{stopping, system};

/// A finished program: its usage, its own report, and where its output is.
#[derive(Debug, Clone)]
pub struct Measured {
    pub usage: Usage,
    /// Peak of the sampled summed RSS of the tree below the wrapper, KiB (if sampled).
    pub tree_peak_kib: Option<u64>,
    /// The slide's `--json` summary: the last stdout line that is a JSON object.
    pub summary: Option<Summary>,
    pub stdout: PathBuf,
    /// The last line it wrote on stderr, if any: the slides say what went wrong in one line.
    pub last_error: Option<String>,
    /// Stopped by the benchmark because it ran past its time limit.
    pub timed_out: bool,
}

impl Measured {
    pub fn peak_rss_kib(&self) -> u64 {
        self.tree_peak_kib.unwrap_or(0).max(self.usage.max_rss_kib)
    }
}

/// Runs `program` with `args` under the measure wrapper, writing its output to the `work`
/// directory as `LABEL.out`, `LABEL.err` and `LABEL.usage.json`, and waits for it to end by
/// itself; past `limit`, SIGTERM stops it, and 10 s later SIGKILL stops it and everything below
/// it. With `sample_tree` (a program that starts processes), the summed RSS of its whole tree
/// is sampled too.
pub fn run(
    label: &str,
    program: &Path,
    args: &[String],
    sample_tree: bool,
    work: &Path,
    limit: Duration,
) -> Result<Measured, String> {
    if stopping::stopping() {
        return Err("interrupted".into());
    }
    let file = |ending: &str| work.join(format!("{label}.{ending}"));
    let (stdout, stderr, usage_file) = (file("out"), file("err"), file("usage.json"));
    let _ = fs::remove_file(&usage_file);
    let open = |path: &Path| {
        File::create(path).map_err(|err| format!("cannot create {}: {err}", path.display()))
    };
    let mut child = Command::new(this_program()?)
        .arg("measure")
        .arg("--out")
        .arg(&usage_file)
        .arg("--")
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(open(&stdout)?)
        .stderr(open(&stderr)?)
        .spawn()
        .map_err(|err| format!("cannot start {label}: {err}"))?;
    let deadline = Instant::now() + limit;
    let (mut tree_peak_kib, mut sampled) = (sample_tree.then_some(0), Instant::now());
    // Bounded: ends by the deadline at the latest.
    let ended = loop {
        // Every 50 ms, the summed RSS of the tree below the wrapper, if it is sampled.
        let due = sampled.elapsed() >= Duration::from_millis(50);
        if let Some(peak) = tree_peak_kib.as_mut().filter(|_| due) {
            *peak = (*peak).max(system::tree_rss_kib(child.id()));
            sampled = Instant::now();
        }
        match child.try_wait() {
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(status) => break Ok(status.is_some()),
            Err(err) => break Err(format!("cannot wait for {label}: {err}")),
        }
    };
    let timed_out = !matches!(ended, Ok(true));
    if timed_out {
        let tree = system::descendants(child.id());
        // Reaped whatever happens; a wait that fails leaves nothing more to do here.
        let _ = lab::stop(&mut child, Duration::from_secs(10));
        for pid in tree {
            stopping::signal(pid, Signal::SIGKILL);
        }
    }
    let _ = child.wait();
    ended?;
    let errors = fs::read_to_string(&stderr).unwrap_or_default();
    let last_error = errors
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty());
    let last_error = last_error.map(str::to_owned);
    let usage = fs::read_to_string(&usage_file).map_err(|err| {
        let said = last_error.as_deref().unwrap_or("(empty)");
        format!("{label} was not measured ({err}); its stderr: {said}")
    })?;
    let usage: Usage = serde_json::from_str(&usage)
        .map_err(|err| format!("{label}: unreadable measurement: {err}"))?;
    // A program that printed no summary (it crashed, or it is not a slide) has none.
    let output = fs::read_to_string(&stdout).ok();
    Ok(Measured {
        usage,
        tree_peak_kib,
        summary: output.and_then(|text| Summary::from_output(&text).ok()),
        stdout,
        last_error,
        timed_out,
    })
}

/// This program, to run as the measure wrapper. On Linux, /proc/self/exe: it still runs this
/// very binary after a build elsewhere replaces the file it was started from, where the path
/// `current_exe` gives then names a deleted file and cannot be started.
fn this_program() -> Result<PathBuf, String> {
    let proc_self = Path::new("/proc/self/exe");
    if proc_self.exists() {
        return Ok(proc_self.into());
    }
    std::env::current_exe().map_err(|err| format!("cannot find this program's path: {err}"))
}
