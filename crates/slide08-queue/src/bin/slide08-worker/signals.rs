//! Stopping: the first SIGINT (Ctrl-C) or SIGTERM asks the worker to take no new job and
//! finish the ones it has; a second one exits at once, and other workers take over its jobs
//! after their `--reclaim-after`.

use std::io;
use std::process;

use tokio::sync::watch;

use crate::NAME;

/// Whether a stop was asked for.
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once a stop is asked for.
    pub async fn wait(&mut self) {
        if self.0.wait_for(|&stop| stop).await.is_err() {
            // The listener is gone, so no stop can come: wait for ever, as asked.
            std::future::pending::<()>().await;
        }
    }
}

/// Starts listening for the signals. Must run inside the tokio runtime.
pub fn listen() -> io::Result<Stop> {
    let (asked, stop) = watch::channel(false);
    let mut signals = Signals::new()?;
    tokio::spawn(async move {
        signals.next().await;
        let _ = asked.send(true);
        let code = signals.next().await;
        eprintln!(
            "{NAME}: second signal, exiting now; other workers take over its jobs after their \
             --reclaim-after"
        );
        process::exit(code);
    });
    Ok(Stop(stop))
}

#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Waits for the next signal; gives the exit code it calls for (128 + its number).
    async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.interrupt.recv() => 130,
            _ = self.terminate.recv() => 143,
        }
    }
}

/// Elsewhere there is only Ctrl-C.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> io::Result<Signals> {
        Ok(Signals)
    }

    async fn next(&mut self) -> i32 {
        let _ = tokio::signal::ctrl_c().await;
        130
    }
}
