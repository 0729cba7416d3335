//! A private redis-server for slide 8's queue: on a free loopback port, keeping nothing on
//! disk, in a directory of its own, so it never meets the machine's own Redis on 6379.

use std::net::TcpListener;
use std::process::{Command, ExitStatus};
use std::time::Duration;

use crate::Error;
use crate::process::{NotReady, Process};
use crate::scratch::Scratch;

/// What redis-server logs once it listens.
const READY: &str = "Ready to accept connections";

/// How many free ports to try: one found free may be taken before redis-server binds it.
const ATTEMPTS: usize = 5;

const NOT_INSTALLED: &str = "not installed, and slide 8 (the queue) needs it. Install it with \
    scripts/install-redis-server.sh (it installs it, or says how)";

/// A running redis-server, stopped (killed and reaped) and its directory removed when dropped.
#[derive(Debug)]
pub struct Redis {
    process: Process,
    port: u16,
}

impl Redis {
    /// redis-server on a free loopback port, with `extra` arguments (`["--requirepass", "pw"]`);
    /// tries another port if the one it picked was taken meanwhile.
    pub fn start(extra: &[&str]) -> Result<Redis, Error> {
        let mut last = Error::new("redis-server was not tried");
        for _ in 0..ATTEMPTS {
            match Redis::try_port(free_port()?, extra)? {
                Ok(redis) => return Ok(redis),
                Err(exited) => last = exited,
            }
        }
        Err(Error::new(format!(
            "redis-server did not start on any of {ATTEMPTS} free ports; last: {last}"
        )))
    }

    /// redis-server on this port (to start one again where a stopped one was).
    pub fn start_on(port: u16, extra: &[&str]) -> Result<Redis, Error> {
        Redis::try_port(port, extra)?
    }

    /// `Ok(Err(_))` when it exited before it was ready, most likely because the port was
    /// taken: worth another port. The outer error is worth none (not installed, a hang).
    fn try_port(port: u16, extra: &[&str]) -> Result<Result<Redis, Error>, Error> {
        let scratch = Scratch::new("redis")?;
        let mut command = Command::new("redis-server");
        // Persistence off, on purpose: this Redis lives and dies with the lab (its directory
        // goes when it stops), so there is never a file to come back to, and it starts at once.
        // Restarted, it is empty, and the producer and the workers say so. A Redis whose queue
        // must outlive a restart wants `appendonly yes` (see the README).
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(scratch.path())
            .args(extra);
        let mut process = Process::spawn(
            "redis-server",
            command,
            scratch,
            Duration::ZERO,
            NOT_INSTALLED,
        )?;
        match process.wait_for_line(READY) {
            Ok(_) => Ok(Ok(Redis { process, port })),
            Err(NotReady::Exited(err)) => Ok(Err(err)),
            Err(NotReady::Silent(err)) => Err(err),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`, for `--redis`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        self.process.output()
    }

    /// Stops it now, as a crash would: no goodbye to its clients. Its port is free again once
    /// this returns.
    pub fn kill(&mut self) -> Result<ExitStatus, Error> {
        self.process.stop(Duration::ZERO)
    }
}

/// A loopback port nobody listens on right now: one we bound and let go.
fn free_port() -> Result<u16, Error> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|err| Error::new(format!("cannot find a free loopback port: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpStream;

    #[test]
    fn a_private_redis_answers_on_its_port_and_frees_it_when_killed() -> Result<(), Error> {
        let mut redis = Redis::start(&[])?;
        let mut stream = TcpStream::connect(("127.0.0.1", redis.port()))
            .map_err(|err| Error::new(err.to_string()))?;
        let mut pong = String::new();
        stream
            .write_all(b"PING\r\n")
            .and_then(|()| BufReader::new(stream).read_line(&mut pong))
            .map_err(|err| Error::new(err.to_string()))?;
        assert_eq!(pong, "+PONG\r\n");
        assert!(redis.url().ends_with(&redis.port().to_string()));

        redis.kill()?;
        assert!(TcpStream::connect(("127.0.0.1", redis.port())).is_err());
        Ok(())
    }
}
