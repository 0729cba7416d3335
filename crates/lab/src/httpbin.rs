//! httpbin-lite, the local stand-in for httpbin.org, on a free loopback port.

use std::net::SocketAddr;
use std::process::{Command, ExitStatus};
use std::time::Duration;

use crate::process::Process;
use crate::scratch::Scratch;
use crate::{Binaries, Error};

/// The first line httpbin-lite prints, naming the port it got.
const LISTENING: &str = "httpbin-lite listening on http://";

/// A running httpbin-lite, stopped (killed and reaped) when dropped.
#[derive(Debug)]
pub struct Httpbin {
    process: Process,
    addr: SocketAddr,
    /// What asks it for its counts, set up as the slides' blocking client is.
    agent: ureq::Agent,
}

impl Httpbin {
    /// Starts `httpbin-lite --host 127.0.0.1 --port 0 --delay DELAY FLAGS…` from `bins` and
    /// waits for the line that says where it listens. `flags` adds faults or a seed
    /// (`["--fail-rate", "0.2", "--seed", "1"]`).
    pub fn start(bins: &Binaries, delay: Duration, flags: &[&str]) -> Result<Httpbin, Error> {
        let mut command = Command::new(bins.path("httpbin-lite")?);
        command
            .args(["--host", "127.0.0.1", "--port", "0", "--delay"])
            .arg(delay_flag(delay))
            .args(flags);
        let mut process = Process::spawn(
            "httpbin-lite",
            command,
            Scratch::new("httpbin")?,
            Duration::ZERO,
            "not found; build it with `cargo build --workspace --bins`",
        )?;
        let line = process.wait_for_line(LISTENING)?;
        let addr = line
            .trim()
            .strip_prefix(LISTENING)
            .and_then(|addr| addr.parse().ok())
            .ok_or_else(|| Error::new(format!("httpbin-lite said {line:?}, not its address")))?;
        // It answers `/stats` at once: one that takes 5 s is a wedged server.
        let config = common::ureq_config(Duration::from_secs(5));
        let agent = ureq::Agent::new_with_config(config.build());
        Ok(Httpbin {
            process,
            addr,
            agent,
        })
    }

    /// Where it listens: `127.0.0.1:PORT`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of `path` on it: `url("/uuid")`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET /stats`: requests in flight, the peak, how many it served, the faults it injected.
    pub fn stats(&self) -> Result<serde_json::Value, Error> {
        let body = self.ask("GET", "/stats")?;
        serde_json::from_str(&body)
            .map_err(|err| Error::new(format!("httpbin-lite's /stats is not JSON: {err}: {body}")))
    }

    /// `POST /stats/reset`: count from zero again.
    pub fn reset_stats(&self) -> Result<(), Error> {
        self.ask("POST", "/stats/reset").map(drop)
    }

    /// `METHOD path`, and the body of its answer; an answer that is not a 2xx is an error.
    fn ask(&self, method: &str, path: &str) -> Result<String, Error> {
        let url = self.url(path);
        let answer = match method {
            "POST" => self.agent.post(&url).send_empty(),
            _ => self.agent.get(&url).call(),
        };
        let body = answer
            .map_err(common::FetchError::from)
            .and_then(common::read_body_blocking);
        body.map_err(|err| Error::new(format!("{method} {url}: {err} — is httpbin-lite running?")))
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// How it ended, if it has (it should not, until stopped).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.process.exited()
    }
}

/// `--delay`'s value: whole milliseconds as `250ms`, anything finer in seconds (`0.0005s`).
fn delay_flag(delay: Duration) -> String {
    if delay.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{}ms", delay.as_millis())
    } else {
        format!("{}s", delay.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_written_as_httpbin_lite_reads_them() {
        assert_eq!(delay_flag(Duration::ZERO), "0ms");
        assert_eq!(delay_flag(Duration::from_millis(250)), "250ms");
        assert_eq!(delay_flag(Duration::from_secs(1)), "1000ms");
        assert_eq!(delay_flag(Duration::from_micros(500)), "0.0005s");
    }
}
