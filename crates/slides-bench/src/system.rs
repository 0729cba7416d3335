//! What /proc says about running processes and the machine, read with the procfs crate: a
//! server's CPU time (it runs for a whole scenario, so only a before/after difference is a
//! run's), a process tree's summed memory (getrusage gives only its largest process), and which
//! programs are running.

use std::collections::HashMap;
use std::time::Duration;

use procfs::process::{Process, all_processes};
use procfs::{CurrentSI, KernelStats, ticks_per_second};

fn process(pid: u32) -> Option<Process> {
    Process::new(i32::try_from(pid).ok()?).ok()
}

/// User and system CPU time of one running process (all its threads); `None` once it is gone.
pub fn cpu_times(pid: u32) -> Option<(Duration, Duration)> {
    let stat = process(pid)?.stat().ok()?;
    let seconds = |ticks: u64| Duration::from_secs_f64(ticks as f64 / ticks_per_second() as f64);
    Some((seconds(stat.utime), seconds(stat.stime)))
}

/// User plus system CPU time of one running process; `None` once it is gone.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    cpu_times(pid).map(|(user, sys)| user + sys)
}

/// The most resident memory one process has had so far, in KiB (`VmHWM`): what getrusage's
/// ru_maxrss gives for it once it has been reaped.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    process(pid)?.status().ok()?.vmhwm
}

/// Every process below `pid` (children, their children, …), found through each thread's
/// `children` file: a child is listed under the thread that started it.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut todo = vec![pid];
    // Bounded: a process tree here has a few hundred processes at most.
    while let Some(parent) = todo.pop().filter(|_| found.len() < 100_000) {
        let tasks = process(parent).and_then(|parent| parent.tasks().ok());
        for task in tasks.into_iter().flatten().flatten() {
            let children = task.children().unwrap_or_default();
            found.extend(&children);
            todo.extend(children);
        }
    }
    found
}

/// The summed resident memory (`VmRSS`) of every process below `root`, in KiB. Pages shared
/// between them (the program's code, the C library) count once per process, as `ps` shows them.
pub fn tree_rss_kib(root: u32) -> u64 {
    let rss = |pid| process(pid)?.status().ok()?.vmrss;
    descendants(root).into_iter().filter_map(rss).sum()
}

/// Busy and total CPU time of the whole machine since boot, in ticks.
pub fn machine_cpu_ticks() -> Option<(u64, u64)> {
    let cpu = KernelStats::current().ok()?.total;
    let idle = cpu.idle + cpu.iowait.unwrap_or(0);
    let busy = [cpu.irq, cpu.softirq, cpu.steal]
        .into_iter()
        .flatten()
        .sum::<u64>()
        + cpu.user
        + cpu.nice
        + cpu.system;
    Some((busy, busy + idle))
}

/// The names of running programs that start with one of `names`, leaving out this process, the
/// ones that started it (`cargo run`, say) and the ones it started (its servers, the slides).
pub fn others_named(names: &[&str]) -> Vec<String> {
    let stats: Vec<_> = all_processes()
        .into_iter()
        .flatten()
        .filter_map(|process| process.ok()?.stat().ok())
        .collect();
    let parents: HashMap<i32, i32> = stats.iter().map(|stat| (stat.pid, stat.ppid)).collect();
    // A process and its parents up to init; bounded, as a chain of parents is short.
    let line = |pid: i32| {
        std::iter::successors(Some(pid), |pid| {
            parents.get(pid).copied().filter(|&p| p > 0)
        })
        .take(1000)
    };
    let me = std::process::id() as i32;
    let mine: Vec<i32> = line(me).collect();
    let mut found: Vec<String> = stats
        .iter()
        .filter(|stat| names.iter().any(|name| stat.comm.starts_with(name)))
        .filter(|stat| !mine.contains(&stat.pid) && !line(stat.pid).any(|pid| pid == me))
        .map(|stat| stat.comm.clone())
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_readable() {
        let me = std::process::id();
        assert!(cpu_time(me).is_some());
        assert!(peak_rss_kib(me).is_some_and(|kib| kib > 0));
        assert!(machine_cpu_ticks().is_some_and(|(busy, total)| busy <= total));
        assert!(others_named(&["slides_bench"]).is_empty());
    }

    #[test]
    fn a_child_is_a_descendant() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let found = descendants(std::process::id());
        let tree_kib = tree_rss_kib(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(found.contains(&child.id()), "{found:?}");
        assert!(tree_kib > 0);
    }
}
