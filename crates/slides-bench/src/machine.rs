//! The machine the figures come from: its CPU, memory, kernel, tools and limits.

use std::fs;
use std::process::Command;

use nix::sys::resource::{Resource, getrlimit};
use procfs::{CpuInfo, Current, Meminfo};

/// What the report says about the machine: the commit measured, and each of the other `{key}`s
/// of the `report.machine` note with its value.
#[derive(Debug, Clone)]
pub struct Machine {
    pub commit: String,
    pub facts: Vec<(&'static str, String)>,
}

impl Machine {
    pub fn read() -> Machine {
        let cpuinfo = CpuInfo::current().ok();
        let cpu = cpuinfo.as_ref().and_then(|info| info.model_name(0));
        let cores = cpuinfo.as_ref().map_or(1, |info| info.num_cores().max(1));
        let memory = Meminfo::current().map_or(0, |info| info.mem_total);
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap_or((0, 0));
        // The first `words` words of the first line a tool prints about its version.
        let version = |program: &str, words: usize| match first_line_of(program, &["--version"]) {
            Some(line) => line
                .split_whitespace()
                .take(words)
                .collect::<Vec<_>>()
                .join(" "),
            None => "not installed".into(),
        };
        let ports = read_trimmed("/proc/sys/net/ipv4/ip_local_port_range");
        let facts = vec![
            ("cpu", cpu.unwrap_or("unknown").to_owned()),
            ("cores", cores.to_string()),
            (
                "memory",
                format!("{:.1}", memory as f64 / (1u64 << 30) as f64),
            ),
            ("kernel", read_trimmed("/proc/sys/kernel/osrelease")),
            ("rustc", version("rustc", usize::MAX)),
            // "wrk 4.1.0 [epoll] Copyright (C) 2012 Will Glozer": the first two words.
            ("wrk", version("wrk", 2)),
            // "h2load nghttp2/1.52.0"
            ("h2load", version("h2load", usize::MAX)),
            ("valgrind", version("valgrind", usize::MAX)),
            ("redis", version("redis-server", 3)),
            ("soft", soft.to_string()),
            ("hard", hard.to_string()),
            ("somaxconn", read_trimmed("/proc/sys/net/core/somaxconn")),
            (
                "ports",
                ports.split_whitespace().collect::<Vec<_>>().join("–"),
            ),
        ];
        Machine {
            commit: commit(),
            facts,
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

/// The commit measured, and whether the tree had changes on top of it: `git describe` with
/// every tag left out gives the short hash, and `--dirty` says so if tracked files changed.
fn commit() -> String {
    let describe = [
        "describe",
        "--always",
        "--exclude=*",
        "--dirty= with uncommitted changes",
    ];
    first_line_of("git", &describe).unwrap_or_else(|| "unknown (not a git checkout)".into())
}
