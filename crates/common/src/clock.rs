//! The clock: when each request started and finished, measured from the start of the run.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FetchError;
use crate::retry::Tried;
use crate::summary::Span;

/// When the run started. `Copy`, so every thread or task can time its own requests.
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

/// One request's outcome, with when it started and finished on the run's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fetched {
    /// Which request this was: 1 to N.
    pub index: usize,
    pub started: Duration,
    pub finished: Duration,
    pub result: Result<Uuid, FetchError>,
    /// Why each earlier try failed, oldest first, when `--retries` tried it again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retried: Vec<FetchError>,
}

impl Fetched {
    /// Its place in the summary's timeline: when it ran, whether it got an answer, in how many
    /// tries.
    pub(crate) fn span(&self) -> Span {
        Span {
            index: self.index,
            start_s: self.started.as_secs_f64(),
            end_s: self.finished.as_secs_f64(),
            ok: self.result.is_ok(),
            attempts: self.retried.len() + 1,
        }
    }
}

impl Clock {
    pub fn start() -> Self {
        Clock(Instant::now())
    }

    pub fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }

    /// Runs `fetch`, a blocking call, and notes when it started and finished.
    pub fn time(&self, index: usize, fetch: impl FnOnce() -> Tried) -> Fetched {
        let started = self.elapsed();
        self.fetched(index, started, fetch())
    }

    /// Awaits `fetch` and notes when it started (when it was first polled) and finished.
    pub async fn time_async(&self, index: usize, fetch: impl Future<Output = Tried>) -> Fetched {
        let started = self.elapsed();
        self.fetched(index, started, fetch.await)
    }

    fn fetched(&self, index: usize, started: Duration, tried: Tried) -> Fetched {
        Fetched {
            index,
            started,
            finished: self.elapsed(),
            result: tried.result,
            retried: tried.retried,
        }
    }
}
