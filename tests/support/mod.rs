//! What the end-to-end tests share: the workspace's binaries (built once), running one, its
//! output and summary, and a real httpbin-lite on a free port (started by `lab`, as everything
//! else starts it). Beside it: a slide of the talk ready to run (`stage`), servers that
//! misbehave on purpose (`fake`), a tiny HTTP client (`http`), watching and signalling
//! processes (`process`), a real redis-server (`redis`), the queue's programs (`queue`), the
//! docs' runner (`docs`) and the exercises as their tests know them (`exercises`).
#![allow(dead_code)] // each test file uses its own part of this module

pub mod docs;
pub mod exercises;
mod fake;
mod http;
mod process;
pub mod queue;
pub mod redis;
mod stage;

// Each test file uses its own part of these, as with the rest of this module.
#[allow(unused_imports)]
pub use fake::{
    SelfSignedTls, canned, closed_port, closed_port_url, huge_body_url, huge_head_url, scripted,
};
#[allow(unused_imports)]
pub use http::{get, request, try_get};
#[allow(unused_imports)]
pub use process::{
    LIMIT, children_of, eventually, finish_within, process_exists, send_signal, socket_count,
    thread_count, threads_that_used_cpu, wait_until,
};
#[allow(unused_imports)]
pub use stage::{Stage, binaries_of, takes_concurrency};

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use common::{Summary, parse_duration};
use lab::talk::Slide;

/// A directory of this test's own in the system's temporary one, not there yet: `name` and
/// this process's id tell it from any other test's.
#[allow(dead_code)]
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("async-slides-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `scripts/run-all.sh --debug ARGS --out OUT`: the debug build, which the tests have built,
/// with no URL from the environment and nothing on stdin.
#[allow(dead_code)]
pub fn run_all(out: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(root().join("scripts/run-all.sh"))
        .arg("--debug")
        .args(args)
        .arg("--out")
        .arg(out)
        .env_remove("SLIDES_URL")
        .env_remove("REDIS_URL")
        .stdin(Stdio::null());
    command
}

/// The workspace's root, where `scripts/` and `slides.md` are.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The slide a number, name or alias stands for, from the talk's own list (`lab::talk`).
pub fn slide(name: &str) -> &'static Slide {
    lab::talk::find(name).unwrap_or_else(|| panic!("the talk has no slide {name:?}"))
}

/// The path of one of the workspace's binaries, built (once per test process) by the same
/// cargo and profile that built this test, so the tests never run a stale binary.
pub fn bin(name: &str) -> PathBuf {
    let path = binaries().dir().join(name);
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// The directory of the workspace's binaries (`target/<profile>`), built first.
pub fn binaries() -> &'static lab::Binaries {
    static BUILT: OnceLock<lab::Binaries> = OnceLock::new();
    BUILT.get_or_init(|| {
        // A test runs from target/<profile>/deps: lab knows to look one level up.
        let binaries = lab::Binaries::beside_this_program().unwrap_or_else(|err| panic!("{err}"));
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--workspace", "--bins", "--quiet"]);
        if binaries.dir().ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "cargo build --workspace --bins failed");
        binaries
    })
}

/// A binary with these arguments and no stdin. Only the arguments count: a `SLIDES_URL` or
/// `REDIS_URL` left in the environment is taken away.
pub fn command(name: &str, args: &[&str]) -> Command {
    let mut command = Command::new(bin(name));
    command
        .args(args)
        .env_remove("SLIDES_URL")
        .env_remove("REDIS_URL")
        .stdin(Stdio::null());
    command
}

/// Runs a binary to completion.
pub fn run(name: &str, args: &[&str]) -> Output {
    command(name, args).output().expect("binary starts")
}

/// Starts a binary with stdout and stderr piped, without waiting for it.
pub fn spawn(name: &str, args: &[&str]) -> Child {
    piped(command(name, args))
}

/// Starts `command` with stdout and stderr piped, without waiting for it.
pub fn piped(mut command: Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The summary a run with `--json` prints as the last line of its stdout.
pub fn summary(output: &Output) -> Summary {
    let text = stdout(output);
    let last = text.lines().last().expect("stdout has a summary line");
    Summary::from_output(last).unwrap_or_else(|err| panic!("last line {last:?}: {err}"))
}

/// Checks that a run exited 0; `who` names it, and what it said on stderr is the message if not.
pub fn assert_succeeded(who: &str, output: &Output) {
    assert_eq!(output.status.code(), Some(0), "{who}: {}", stderr(output));
}

/// Checks the one line a binary that was given something wrong says: no panic, exit `code`,
/// exactly one line on stderr, and every one of `words` in it. `who` names the run.
pub fn assert_one_line(who: &str, output: &Output, code: i32, words: &[&str]) {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "{who}: {err}");
    assert_eq!(output.status.code(), Some(code), "{who}: {err}");
    assert_eq!(err.lines().count(), 1, "{who}: want one line, got {err:?}");
    for word in words {
        assert!(err.contains(word), "{who}: {err:?} should say {word:?}");
    }
}

/// Checks a run that `signal` (`INT`, `TERM`) stopped before any of its `requests` was answered:
/// no panic, exit `code` (128 + the signal's number), and a summary that names the signal and
/// counts every request interrupted. Gives what it said on stderr.
pub fn assert_stopped_by(
    who: &str,
    output: &Output,
    signal: &str,
    code: i32,
    requests: usize,
) -> String {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "{who}: {err}");
    assert_eq!(output.status.code(), Some(code), "{who}: {err}");
    let summary = summary(output);
    let name = format!("SIG{signal}");
    assert_eq!(
        summary.interrupted.as_deref(),
        Some(name.as_str()),
        "{who}: {summary:?}"
    );
    let interrupted = summary.failures.get("interrupted").copied();
    assert_eq!(
        (summary.ok, interrupted),
        (0, Some(requests)),
        "{who}: {summary:?}"
    );
    err
}

/// The UUIDs of the result lines (`  0.021s  #01  <uuid>`), as a set: its size is how many
/// different ones were printed.
pub fn printed_uuids(output: &Output) -> HashSet<uuid::Uuid> {
    stdout(output)
        .lines()
        .filter_map(|line| line.split_whitespace().nth(2))
        .filter_map(|word| uuid::Uuid::parse_str(word).ok())
        .collect()
}

/// A real httpbin-lite on a free loopback port, stopped when dropped (lab starts and stops it,
/// as it does for scripts/run-all.sh).
pub struct Server {
    pub addr: SocketAddr,
    httpbin: lab::Httpbin,
}

impl Server {
    /// Starts `httpbin-lite --port 0 --delay DELAY` (`"0"`, `"20ms"`, `"1s"`).
    pub fn start(delay: &str) -> Server {
        Server::start_with(delay, &[])
    }

    /// The same, with more flags (faults, a seed).
    pub fn start_with(delay: &str, flags: &[&str]) -> Server {
        let delay = parse_duration(delay).unwrap_or_else(|err| panic!("delay {delay:?}: {err}"));
        let httpbin =
            lab::Httpbin::start(binaries(), delay, flags).unwrap_or_else(|err| panic!("{err}"));
        Server {
            addr: httpbin.addr(),
            httpbin,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.httpbin.url(path)
    }

    /// `GET /stats` as JSON.
    pub fn stats(&self) -> serde_json::Value {
        self.httpbin.stats().unwrap_or_else(|err| panic!("{err}"))
    }

    /// One count from `/stats`: `served`, `in_flight`, `peak_in_flight`.
    fn count(&self, name: &str) -> usize {
        let stats = self.stats();
        let count = stats[name].as_u64();
        count.unwrap_or_else(|| panic!("/stats has no count {name:?}: {stats}")) as usize
    }

    /// How many requests it has answered, or cut off as a fault.
    pub fn served(&self) -> usize {
        self.count("served")
    }

    /// How many requests it is answering right now.
    pub fn in_flight(&self) -> usize {
        self.count("in_flight")
    }

    /// The most requests it has had in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.count("peak_in_flight")
    }

    /// How many answers it failed on purpose (`--fail-rate`).
    pub fn injected_failures(&self) -> usize {
        let stats = self.stats();
        let count = stats["injected"]["failed"].as_u64();
        count.unwrap_or_else(|| panic!("/stats counts no injected failures: {stats}")) as usize
    }
}
