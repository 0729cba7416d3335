//! What a running program is made of, as the OS sees it from outside: its child processes and
//! its threads. This is how a check tells a pool of processes from threads from one event loop,
//! whatever the program says about itself.
//!
//! Linux has it all in /proc. macOS has no /proc; there `pgrep -P PID` lists the children and
//! `ps -M -p PID` prints a line per thread. Anywhere else both give an error that says so.

use crate::Error;

/// The pids of the processes whose parent is `pid`.
pub fn children_of(pid: u32) -> Result<Vec<u32>, Error> {
    os::children_of(pid)
}

/// How many threads the process `pid` has right now.
pub fn thread_count(pid: u32) -> Result<usize, Error> {
    os::thread_count(pid)
}

#[cfg(target_os = "linux")]
mod os {
    use std::fs;

    use crate::Error;

    pub(super) fn children_of(pid: u32) -> Result<Vec<u32>, Error> {
        let all = procfs::process::all_processes()
            .map_err(|err| Error::new(format!("cannot list /proc: {err}")))?;
        // A process may end while we look: skip it.
        let stats = all.filter_map(|process| process.ok()?.stat().ok());
        let children = stats.filter(|stat| u32::try_from(stat.ppid) == Ok(pid));
        Ok(children
            .filter_map(|stat| u32::try_from(stat.pid).ok())
            .collect())
    }

    pub(super) fn thread_count(pid: u32) -> Result<usize, Error> {
        // One directory per thread under task/.
        let tasks = fs::read_dir(format!("/proc/{pid}/task"))
            .map_err(|err| Error::new(format!("cannot read /proc/{pid}/task: {err}")))?;
        Ok(tasks.count())
    }
}

#[cfg(target_os = "macos")]
mod os {
    use std::process::Command;

    use crate::Error;

    pub(super) fn children_of(pid: u32) -> Result<Vec<u32>, Error> {
        let output = Command::new("pgrep")
            .args(["-P", &pid.to_string()])
            .output()
            .map_err(|err| Error::new(format!("cannot run pgrep: {err}")))?;
        // pgrep exits 1 when nothing matched: no children is an answer, not an error.
        match output.status.code() {
            Some(0 | 1) => Ok(String::from_utf8_lossy(&output.stdout)
                .split_whitespace()
                .filter_map(|word| word.parse().ok())
                .collect()),
            _ => Err(Error::new(format!(
                "pgrep -P {pid} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ))),
        }
    }

    pub(super) fn thread_count(pid: u32) -> Result<usize, Error> {
        let output = Command::new("ps")
            .args(["-M", "-p", &pid.to_string()])
            .output()
            .map_err(|err| Error::new(format!("cannot run ps: {err}")))?;
        if !output.status.success() {
            return Err(Error::new(format!("ps -M -p {pid}: no such process")));
        }
        // A header line, then one line per thread.
        let lines = String::from_utf8_lossy(&output.stdout).lines().count();
        Ok(lines.saturating_sub(1))
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
mod os {
    use crate::Error;

    const UNSUPPORTED: &str = "this OS has neither /proc nor macOS's ps -M";

    pub(super) fn children_of(_pid: u32) -> Result<Vec<u32>, Error> {
        Err(Error::new(UNSUPPORTED))
    }

    pub(super) fn thread_count(_pid: u32) -> Result<usize, Error> {
        Err(Error::new(UNSUPPORTED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn a_child_is_seen_and_this_test_has_threads() -> Result<(), Error> {
        let mut child = Command::new("sleep")
            .arg("30")
            .spawn()
            .map_err(|err| Error::new(err.to_string()))?;
        let children = children_of(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(children?.contains(&child.id()));
        assert!(thread_count(std::process::id())? >= 1);
        Ok(())
    }
}
