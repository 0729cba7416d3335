//! Processes, for the slides whose lesson is processes and threads: wait for one without
//! hanging, look at it and its children in /proc while it runs, and signal it.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Output};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// A guard against a hang: far longer than any run here takes, never a measure of speed.
pub const LIMIT: Duration = Duration::from_secs(30);

/// Waits for `child` and collects its output. If it has not ended within `limit` it is killed
/// and the test fails: a guard against a hang, never a measure of speed.
pub fn finish_within(child: Child, limit: Duration) -> Output {
    let pid = child.id();
    let (done, output) = mpsc::channel();
    thread::spawn(move || done.send(child.wait_with_output()));
    match output.recv_timeout(limit) {
        Ok(output) => output.expect("collect the output"),
        Err(_) => {
            send_signal(pid, "KILL");
            panic!("process {pid} had not ended after {limit:?}: it hangs");
        }
    }
}

/// Polls `check` until it gives a value, failing the test (as a hang) after `limit`.
pub fn eventually<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        thread::sleep(Duration::from_millis(10));
    }
}

/// Polls `ready` until it holds, failing the test (as a hang) after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    eventually(what, limit, || ready().then_some(()));
}

/// Sends a signal by name (`INT`, `TERM`, `KILL`, `STOP`) with the shell's `kill`, as a user
/// would.
pub fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("sh")
        .args(["-c", r#"kill -s "$0" "$1""#, signal, &pid.to_string()])
        .status()
        .expect("sh runs");
    assert!(status.success(), "kill -s {signal} {pid} failed");
}

/// The pids of the processes whose parent is `pid`, from /proc.
pub fn children_of(pid: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in fs::read_dir("/proc").expect("/proc is there").flatten() {
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue; // not a process, or it ended meanwhile
        };
        // `pid (name) state ppid …`; the name may hold spaces and parentheses, so look
        // after its last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse::<u32>().ok());
        if ppid == Some(pid)
            && let Ok(child) = entry.file_name().to_string_lossy().parse()
        {
            children.push(child);
        }
    }
    children
}

/// Whether a process with this pid exists at all: running, or a zombie nobody has reaped.
pub fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// How many threads the process has right now.
pub fn thread_count(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/task"))
        .map(|tasks| tasks.count())
        .unwrap_or(0)
}

/// How many of the process's threads have used at least `least` of CPU so far, by the kernel's
/// count in /proc (utime + stime, in clock ticks of 10 ms), not by any clock of ours.
pub fn threads_that_used_cpu(pid: u32, least: Duration) -> usize {
    const TICK: Duration = Duration::from_millis(10);
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    let ticks = |stat: &str| -> Option<u64> {
        // After the name's last ')': state is field 3, utime 14 and stime 15 of the line.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    };
    tasks
        .flatten()
        .filter_map(|task| fs::read_to_string(task.path().join("stat")).ok())
        .filter_map(|stat| ticks(&stat))
        .filter(|&ticks| TICK * ticks as u32 >= least)
        .count()
}

/// How many sockets the process has open right now: a connection to a server is one.
pub fn socket_count(pid: u32) -> usize {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return 0;
    };
    fds.flatten()
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}
