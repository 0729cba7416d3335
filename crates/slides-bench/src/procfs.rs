//! What /proc says about processes that are still running: the servers' CPU time (they run for
//! the whole scenario, so only a before/after difference is theirs), and the summed resident
//! memory of a process tree (getrusage gives only the largest single process).

use std::fs;
use std::sync::OnceLock;
use std::time::Duration;

use nix::unistd::{SysconfVar, sysconf};

/// User plus system CPU time of one running process (all its threads), or `None` once it is gone.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    cpu_times(pid).map(|(user, sys)| user + sys)
}

/// User and system CPU time of one running process (all its threads), or `None` once it is gone.
pub fn cpu_times(pid: u32) -> Option<(Duration, Duration)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, field 2, is in parentheses and may hold spaces: count from after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the whole line (utime, stime) are 12 and 13 after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let seconds = |ticks: u64| Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64);
    Some((seconds(utime), seconds(stime)))
}

/// The kernel's unit for the times in /proc/PID/stat (USER_HZ, 100 on Linux).
fn clock_ticks() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| match sysconf(SysconfVar::CLK_TCK) {
        Ok(Some(ticks)) if ticks > 0 => ticks as u64,
        _ => 100,
    })
}

/// Every process below `pid` (children, their children, …), found through each thread's
/// `children` file: a child is listed under the thread that started it.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut todo = vec![pid];
    // Bounded: a process tree here has a few hundred processes at most.
    while let Some(parent) = todo.pop() {
        if found.len() > 100_000 {
            break;
        }
        let Ok(tasks) = fs::read_dir(format!("/proc/{parent}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Ok(children) = fs::read_to_string(task.path().join("children")) else {
                continue;
            };
            for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                found.push(child);
                todo.push(child);
            }
        }
    }
    found
}

/// Resident memory of one process in KiB (`VmRSS`), or `None` once it is gone.
pub fn rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmRSS:")
}

/// The most resident memory one process has had so far in KiB (`VmHWM`), or `None` once it is
/// gone: what getrusage's ru_maxrss gives for a process after it has been reaped.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    status_kib(pid, "VmHWM:")
}

/// One `… kB` line of /proc/PID/status.
fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The summed resident memory of every process below `root`, in KiB. Pages shared between
/// them (the program's code, the C library) count once per process, as `ps` shows them.
pub fn tree_rss_kib(root: u32) -> u64 {
    descendants(root).into_iter().filter_map(rss_kib).sum()
}

/// The command name of a running process (`comm`, at most 15 bytes).
pub fn comm(pid: u32) -> Option<String> {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|name| name.trim().to_owned())
}

/// `pid` and the processes that started it, up to init.
pub fn ancestors(pid: u32) -> Vec<u32> {
    let mut chain = vec![pid];
    // Bounded: a chain of parents is short, and pid 1 has parent 0.
    while chain.len() < 1000 {
        let Some(parent) = parent(*chain.last().unwrap_or(&0)) else {
            break;
        };
        if parent == 0 {
            break;
        }
        chain.push(parent);
    }
    chain
}

/// The parent of a running process (field 4 of /proc/PID/stat).
fn parent(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Every process id on the machine.
pub fn all_pids() -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect()
}

/// Busy and total CPU time of the whole machine since boot, in ticks, from /proc/stat.
pub fn machine_cpu_ticks() -> Option<(u64, u64)> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let values: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: u64 = values.iter().sum();
    // idle and iowait are the 4th and 5th values.
    let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_readable() {
        let me = std::process::id();
        assert!(cpu_time(me).is_some());
        assert!(rss_kib(me).is_some_and(|kib| kib > 0));
        assert!(peak_rss_kib(me).is_some_and(|kib| kib > 0));
        assert!(cpu_times(me).is_some());
        assert!(comm(me).is_some());
        assert!(all_pids().contains(&me));
        assert!(ancestors(me).len() > 1);
        assert!(machine_cpu_ticks().is_some_and(|(busy, total)| busy <= total));
    }

    #[test]
    fn a_child_is_a_descendant() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let found = descendants(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(found.contains(&child.id()), "{found:?}");
    }
}
