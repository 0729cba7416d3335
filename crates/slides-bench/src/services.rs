//! The processes a benchmark needs besides the measured one — httpbin-lite and redis-server —
//! and the promise that everything started here is stopped however the benchmark ends: on
//! return (each handle stops its process when dropped) and on Ctrl-C or SIGTERM (a signal
//! thread stops every process still registered, then exits).

use std::fs::{self, File};
use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{self, Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::procfs;

/// The processes started here and not yet reaped.
static LIVE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Set once a signal asked the benchmark to stop: no new run starts after it.
static STOPPING: AtomicBool = AtomicBool::new(false);

pub fn stopping() -> bool {
    STOPPING.load(Ordering::SeqCst)
}

fn live() -> std::sync::MutexGuard<'static, Vec<u32>> {
    // A panic elsewhere while holding the lock leaves a list that is still right.
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn register(pid: u32) {
    live().push(pid);
}

pub fn unregister(pid: u32) {
    live().retain(|&p| p != pid);
}

/// Sends `signal` to one process; a process already gone is not an error.
pub fn signal(pid: u32, signal: Signal) {
    if let Ok(pid) = i32::try_from(pid) {
        let _ = kill(Pid::from_raw(pid), signal);
    }
}

/// On SIGINT, SIGTERM or SIGHUP: stop every registered process and everything below it (a
/// measured slide 5 has children of its own), then exit as the signal would have.
pub fn stop_all_on_signal() -> Result<(), String> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])
        .map_err(|err| format!("cannot watch for Ctrl-C: {err}"))?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(number) = signals.forever().next() {
                STOPPING.store(true, Ordering::SeqCst);
                let pids: Vec<u32> = live().clone();
                let everyone: Vec<u32> = pids
                    .iter()
                    .flat_map(|&pid| {
                        let mut tree = procfs::descendants(pid);
                        tree.push(pid);
                        tree
                    })
                    .collect();
                for &pid in &everyone {
                    signal(pid, Signal::SIGTERM);
                }
                thread::sleep(Duration::from_millis(500));
                for &pid in &everyone {
                    signal(pid, Signal::SIGKILL);
                }
                eprintln!("slides-bench: interrupted; stopped every process it had started");
                process::exit(128 + number);
            }
        })
        .map(drop)
        .map_err(|err| format!("cannot watch for Ctrl-C: {err}"))
}

/// A server started for the benchmark; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Service {
    name: &'static str,
    child: Child,
    pub log: PathBuf,
}

impl Service {
    /// Starts `command` with its stdout and stderr in `log`.
    fn start(name: &'static str, mut command: Command, log: PathBuf) -> Result<Service, String> {
        let file =
            File::create(&log).map_err(|err| format!("cannot create {}: {err}", log.display()))?;
        let err_file = file
            .try_clone()
            .map_err(|err| format!("cannot open {}: {err}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err_file)
            .spawn()
            .map_err(|err| format!("cannot start {name}: {err}"))?;
        register(child.id());
        Ok(Service { name, child, log })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to 10 s for a line of its log that starts with `prefix`; gives that line.
    fn wait_for_line(&mut self, prefix: &str) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let text = fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(line) = text.lines().find(|line| line.starts_with(prefix)) {
                return Ok(line.to_owned());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} ended ({status}) before it was ready: {}",
                    self.name,
                    last_line(&text)
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "{} was not ready within 10 s (see {})",
            self.name,
            self.log.display()
        ))
    }

    fn stop(&mut self) {
        stop_child(&mut self.child, Duration::from_secs(5));
        unregister(self.child.id());
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
    }
}

/// SIGTERM, up to `grace` to exit, then SIGKILL; always reaped.
pub fn stop_child(child: &mut Child, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    signal(child.id(), Signal::SIGTERM);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The last non-empty line of a log, for a one-line error.
pub fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("(no output)")
        .trim()
        .to_owned()
}

/// httpbin-lite on a free loopback port, answering /uuid after `delay`.
pub struct Httpbin {
    pub service: Service,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Httpbin {
    pub fn start(bin: &Path, delay: Duration, work: &Path) -> Result<Httpbin, String> {
        let millis = delay.as_millis();
        let mut command = Command::new(bin.join("httpbin-lite"));
        command.args(["--host", "127.0.0.1", "--port", "0", "--delay"]);
        command.arg(format!("{millis}ms"));
        let log = work.join(format!("httpbin-lite-{millis}ms.log"));
        let mut service = Service::start("httpbin-lite", command, log)?;
        let line = service.wait_for_line("httpbin-lite listening on ")?;
        let base = line
            .trim_start_matches("httpbin-lite listening on ")
            .trim()
            .to_owned();
        Ok(Httpbin { service, base })
    }

    pub fn uuid_url(&self) -> String {
        format!("{}/uuid", self.base)
    }
}

/// A private redis-server on a free loopback port that keeps nothing on disk.
pub struct Redis {
    pub service: Service,
    pub url: String,
}

impl Redis {
    pub fn start(work: &Path, name: &str) -> Result<Redis, String> {
        let mut last_error = String::new();
        // A port found free may be taken before redis-server binds it: try a few.
        for attempt in 1..=5 {
            let port = free_port().map_err(|err| format!("cannot find a free port: {err}"))?;
            let dir = work.join(format!("{name}-data"));
            fs::create_dir_all(&dir)
                .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
            let mut command = Command::new("redis-server");
            command
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(&dir);
            let log = work.join(format!("{name}-{attempt}.log"));
            let mut service = Service::start("redis-server", command, log)?;
            match service.wait_for_line_containing("Ready to accept connections") {
                Ok(()) => {
                    return Ok(Redis {
                        service,
                        url: format!("redis://127.0.0.1:{port}"),
                    });
                }
                Err(err) => last_error = err,
            }
        }
        Err(format!("redis-server did not start: {last_error}"))
    }
}

impl Service {
    /// As [`Service::wait_for_line`], for a line containing `text` anywhere.
    fn wait_for_line_containing(&mut self, text: &str) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let log = fs::read_to_string(&self.log).unwrap_or_default();
            if log.contains(text) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} ended ({status}): {}",
                    self.name,
                    last_line(&log)
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
        Err(format!("{} was not ready within 10 s", self.name))
    }
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
