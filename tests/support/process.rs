//! Processes, for the slides whose lesson is processes and threads (5, 6, 7): start one without
//! waiting, look at it and its children in /proc while it runs, signal it, and collect its output.

use std::process::{Child, Command, Output, Stdio};

use super::bin;

/// Starts a binary with these arguments, stdout and stderr piped, without waiting for it.
pub fn spawn(name: &str, args: &[&str]) -> Child {
    Command::new(bin(name))
        .args(args)
        .env_remove("SLIDES_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts")
}

/// Waits for `child` and collects its output. If it has not ended within `limit` it is killed
/// and the test fails: a guard against a hang, never a measure of speed.
pub fn finish_within(child: Child, limit: std::time::Duration) -> Output {
    let pid = child.id();
    let (done, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match output.recv_timeout(limit) {
        Ok(output) => output.expect("collect the output"),
        Err(_) => {
            send_signal(pid, "KILL");
            panic!("process {pid} had not ended after {limit:?}: it hangs");
        }
    }
}

/// Polls `ready` until it holds, failing the test (as a hang) after `limit`.
pub fn wait_until(what: &str, limit: std::time::Duration, mut ready: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !ready() {
        assert!(
            std::time::Instant::now() < deadline,
            "waited {limit:?} for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Sends a signal by name (`INT`, `TERM`, `KILL`) with the shell's `kill`, as a user would.
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
    for entry in std::fs::read_dir("/proc")
        .expect("/proc is there")
        .flatten()
    {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
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
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// How many threads the process has right now.
pub fn thread_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|tasks| tasks.count())
        .unwrap_or(0)
}
