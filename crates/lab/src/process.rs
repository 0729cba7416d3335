//! One started program: its output in a log of its own, waiting for the line that says it is
//! ready, and stopping it — on purpose, or when its handle is dropped on any way out of the
//! caller (a return, an error, a panic), so no program outlives the one that started it.

use std::fs::{self, File};
use std::io::{self, ErrorKind};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::Error;
use crate::scratch::Scratch;

/// How long a service may take to say it is ready. Each binds a socket first (redis-server
/// loads nothing, the worker connects to a local Redis), which takes milliseconds: this bounds
/// a hang.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// How often to look at a log or a child that has not said anything yet.
const POLL: Duration = Duration::from_millis(10);

#[derive(Debug)]
pub(crate) struct Process {
    name: &'static str,
    child: Child,
    log: PathBuf,
    /// How long it gets to exit after SIGTERM before SIGKILL, when dropped.
    grace: Duration,
    /// Holds the log; only kept, to be removed when dropped. Last, so that this happens after
    /// `drop` has stopped the program that writes into it.
    _scratch: Scratch,
}

/// Why a program never printed the line it was waited for.
pub(crate) enum NotReady {
    /// It exited first (for a server, most often: its port was taken).
    Exited(Error),
    /// It is still running, and said nothing of the kind in time.
    Silent(Error),
}

impl From<NotReady> for Error {
    fn from(not_ready: NotReady) -> Error {
        match not_ready {
            NotReady::Exited(err) | NotReady::Silent(err) => err,
        }
    }
}

impl Process {
    /// Starts `command` with no stdin and its stdout and stderr in a log in `scratch`.
    /// `missing` says what to do if the program is not there at all.
    pub(crate) fn spawn(
        name: &'static str,
        mut command: Command,
        scratch: Scratch,
        grace: Duration,
        missing: &str,
    ) -> Result<Process, Error> {
        let log = scratch.path().join(format!("{name}.log"));
        let out = File::create(&log)
            .map_err(|err| Error::new(format!("cannot create {}: {err}", log.display())))?;
        let err_out = out
            .try_clone()
            .map_err(|err| Error::new(format!("cannot open {}: {err}", log.display())))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err_out)
            .spawn()
            .map_err(|err| match err.kind() {
                ErrorKind::NotFound => Error::missing_program(format!("{name}: {missing}")),
                _ => Error::new(format!("cannot start {name}: {err}")),
            })?;
        Ok(Process {
            name,
            child,
            log,
            grace,
            _scratch: scratch,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything it has printed so far, stdout and stderr interleaved.
    pub(crate) fn output(&self) -> String {
        fs::read(&self.log)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// Its exit status, if it has exited (and is then reaped).
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits up to [`READY_WITHIN`] for a line of its output that contains `needle`, and
    /// gives it.
    pub(crate) fn wait_for_line(&mut self, needle: &str) -> Result<String, NotReady> {
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            let output = self.output();
            if let Some(line) = output.lines().find(|line| line.contains(needle)) {
                return Ok(line.to_owned());
            }
            if let Some(status) = self.exited() {
                // Read again: its last words may have come after the read above.
                let output = self.output();
                return Err(NotReady::Exited(Error::new(format!(
                    "{} ended ({status}) before it was ready: {}",
                    self.name,
                    last_line(&output)
                ))));
            }
            if Instant::now() >= deadline {
                return Err(NotReady::Silent(Error::new(format!(
                    "{} did not say {needle:?} within {READY_WITHIN:?}; it said: {}",
                    self.name,
                    last_line(&output)
                ))));
            }
            thread::sleep(POLL);
        }
    }

    /// [`stop`] this program. Gives how it ended.
    pub(crate) fn stop(&mut self, grace: Duration) -> Result<ExitStatus, Error> {
        stop(&mut self.child, grace)
            .map_err(|err| Error::new(format!("cannot reap {}: {err}", self.name)))
    }
}

/// SIGTERM, up to `grace` for `child` to exit, then SIGKILL; always reaped. A zero grace kills
/// at once. Gives how it ended.
pub fn stop(child: &mut Child, grace: Duration) -> io::Result<ExitStatus> {
    signal_then_kill(child, Signal::SIGTERM, grace)
}

/// [`stop`], with `signal` in place of SIGTERM.
pub fn signal_then_kill(
    child: &mut Child,
    signal: Signal,
    grace: Duration,
) -> io::Result<ExitStatus> {
    if let Some(status) = child.try_wait()? {
        return Ok(status);
    }
    if !grace.is_zero() {
        // A program that has exited meanwhile is not an error: the wait below reaps it.
        if let Ok(pid) = i32::try_from(child.id()) {
            let _ = kill(Pid::from_raw(pid), signal);
        }
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            thread::sleep(POLL);
        }
    }
    // Killing a program that exited meanwhile fails harmlessly; the wait is what matters.
    let _ = child.kill();
    child.wait()
}

impl Drop for Process {
    fn drop(&mut self) {
        // Nobody is left to tell if reaping fails; the kill has been sent either way.
        let _ = self.stop(self.grace);
    }
}

/// The last line of a log that is not blank, for a one-line error.
fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("(nothing)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, grace: Duration) -> Result<Process, Error> {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        Process::spawn("sh", command, Scratch::new("test")?, grace, "no shell")
    }

    /// Signal 0 checks that a process exists; a zombie nobody reaped still does.
    fn exists(pid: u32) -> bool {
        i32::try_from(pid).is_ok_and(|pid| kill(Pid::from_raw(pid), None).is_ok())
    }

    #[test]
    fn a_dropped_process_is_killed_and_reaped() -> Result<(), Error> {
        let mut process = sh("echo ready; exec sleep 30", Duration::ZERO)?;
        assert!(process.wait_for_line("ready").is_ok());
        let pid = process.pid();
        drop(process);
        assert!(!exists(pid), "process {pid} outlived its handle");
        Ok(())
    }

    #[test]
    fn sigterm_first_lets_it_say_goodbye() -> Result<(), Error> {
        let script = "trap 'echo goodbye; exit 0' TERM; echo ready; while :; do sleep 0.05; done";
        let mut process = sh(script, Duration::from_secs(10))?;
        assert!(process.wait_for_line("ready").is_ok());
        let status = process.stop(Duration::from_secs(10))?;
        assert!(status.success(), "{status}");
        assert!(process.output().contains("goodbye"), "{}", process.output());
        Ok(())
    }

    #[test]
    fn one_that_exits_before_it_is_ready_says_its_last_words() -> Result<(), Error> {
        let mut process = sh("echo 'Address already in use' >&2; exit 3", Duration::ZERO)?;
        match process.wait_for_line("listening") {
            Err(NotReady::Exited(err)) => assert!(err.to_string().contains("already in use")),
            Err(NotReady::Silent(err)) => panic!("not seen to exit: {err}"),
            Ok(line) => panic!("ready? {line}"),
        }
        Ok(())
    }

    #[test]
    fn a_program_not_installed_is_told_apart() -> Result<(), Error> {
        let command = Command::new("async-slides-no-such-program");
        let spawned = Process::spawn(
            "nothing",
            command,
            Scratch::new("test")?,
            Duration::ZERO,
            "x",
        );
        assert!(spawned.err().is_some_and(|err| err.is_missing_program()));
        Ok(())
    }
}
