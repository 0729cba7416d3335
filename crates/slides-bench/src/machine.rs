//! The machine the figures come from: its CPU, memory, kernel, tools and limits.

use std::fs;
use std::process::Command;

use nix::sys::resource::{Resource, getrlimit};

/// What the report says about the machine.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
    pub rustc: String,
    pub wrk: Option<String>,
    pub h2load: Option<String>,
    pub valgrind: Option<String>,
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
            // "h2load nghttp2/1.52.0"
            h2load: first_line_of("h2load", &["--version"]),
            valgrind: first_line_of("valgrind", &["--version"]),
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
