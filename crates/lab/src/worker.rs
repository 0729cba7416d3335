//! slide08-worker, the queue's consumer: it takes jobs from Redis and fetches their URLs.

use std::process::{Command, ExitStatus};
use std::time::Duration;

use crate::process::Process;
use crate::scratch::Scratch;
use crate::{Binaries, Error};

/// What the worker prints once its consumer group is there and it reads the queue:
/// `slide08-worker: NAME waiting for jobs on …`.
const READY: &str = "waiting for jobs";

/// After SIGTERM a worker finishes the jobs it holds; each is one request of a second or so.
const GRACE: Duration = Duration::from_secs(10);

/// A running slide08-worker; stopped (SIGTERM, then SIGKILL after a while) when dropped.
#[derive(Debug)]
pub struct Worker {
    process: Process,
    name: String,
}

impl Worker {
    /// Starts `slide08-worker --redis REDIS --allow-host HOST EXTRA…` from `bins` and waits
    /// until it waits for jobs. It fetches only from `allow_host`: the host the other slides
    /// fetch from.
    pub fn start(
        bins: &Binaries,
        redis: &str,
        allow_host: &str,
        extra: &[&str],
    ) -> Result<Worker, Error> {
        let mut command = Command::new(bins.path("slide08-worker")?);
        command
            .args(["--redis", redis, "--allow-host", allow_host])
            .args(extra)
            // Only our --redis counts, never one left in the environment.
            .env_remove("REDIS_URL");
        let mut process = Process::spawn(
            "slide08-worker",
            command,
            Scratch::new("worker")?,
            GRACE,
            "not found; build it with `cargo build --workspace --bins`",
        )?;
        let line = process.wait_for_line(READY)?;
        let name = line.split_whitespace().nth(1).unwrap_or_default();
        Ok(Worker {
            name: name.to_owned(),
            process,
        })
    }

    /// Its consumer name in the queue's group (`HOST:PID:RANDOM`), as its first line says.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Everything it has printed so far.
    pub fn output(&self) -> String {
        self.process.output()
    }

    /// SIGTERM: it takes no new job and finishes those it holds; SIGKILL if that takes longer
    /// than a bound. Gives how it ended.
    pub fn stop(&mut self) -> Result<ExitStatus, Error> {
        self.process.stop(GRACE)
    }
}
