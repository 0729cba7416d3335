//! The machine the figures come from: its CPU, memory, kernel, tools and limits.

use std::fs;
use std::process::Command;

use nix::sys::resource::{Resource, getrlimit};
use procfs::{CpuInfo, Current, Meminfo};

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
        let cpuinfo = CpuInfo::current().ok();
        let cpu = cpuinfo.as_ref().and_then(|info| info.model_name(0));
        let memory = Meminfo::current().map_or(0, |info| info.mem_total);
        let nofile = getrlimit(Resource::RLIMIT_NOFILE).unwrap_or((0, 0));
        Machine {
            cpu: cpu.unwrap_or("unknown").to_owned(),
            cores: cpuinfo.map_or(1, |info| info.num_cores().max(1)),
            memory_gib: memory as f64 / (1u64 << 30) as f64,
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
