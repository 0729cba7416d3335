//! One run of a case, as the kernel, the slide (or the tool) and httpbin-lite counted it.

use crate::case::Case;
use crate::measure::Usage;
use crate::running::Measured;
use crate::tools::Printed;

#[derive(Debug, Clone)]
pub struct RunResult {
    /// The slide (for the queue, the producer).
    pub client: Measured,
    /// The queue's worker, started for this run alone: what it had cost when the run ended.
    pub worker: Option<Usage>,
    /// CPU time httpbin-lite spent during the run.
    pub server_cpu_s: f64,
    /// CPU time redis-server spent during the run (queue only).
    pub redis_cpu_s: Option<f64>,
    /// What httpbin-lite's /stats counted during the run.
    pub server: ServerCount,
    /// What a tool printed of its run (wrk, h2load); `None` for a slide.
    pub printed: Option<Printed>,
}

/// What httpbin-lite's /stats counted since it was last reset; `None` where it could not be read.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
pub struct ServerCount {
    /// The most requests in flight at once.
    pub peak_in_flight: Option<u64>,
    /// Distinct client connections the requests came over.
    pub connections: Option<u64>,
    /// Requests that came over HTTP/2.
    pub http2: Option<u64>,
}

impl ServerCount {
    /// Reads `server`'s /stats. A server whose /stats cannot be read leaves every count unknown;
    /// it is not a reason to stop.
    pub fn read(server: &lab::Httpbin) -> ServerCount {
        let stats = server.stats().ok();
        stats
            .and_then(|stats| serde_json::from_value(stats).ok())
            .unwrap_or_default()
    }
}

impl RunResult {
    /// Requests that did not get a UUID, as the slide reports them; all of them if it said
    /// nothing (it crashed or was stopped). A tool's are those it did not say succeeded (wrk,
    /// which runs for a time, fails none).
    pub fn failed(&self, case: &Case) -> usize {
        match (&self.printed, &self.client.summary) {
            (Some(_), _) if case.for_secs.is_some() => 0,
            (Some(printed), _) => case.requests.saturating_sub(printed.requests as usize),
            (None, Some(summary)) if !self.client.timed_out => summary.failed,
            _ => case.requests,
        }
    }

    /// Requests answered: what a tool printed, or what the slide did not fail.
    pub fn done(&self, case: &Case) -> f64 {
        match &self.printed {
            Some(printed) => printed.requests,
            None => case.requests.saturating_sub(self.failed(case)) as f64,
        }
    }

    /// CPU of everything on the client side: the slide, plus the worker for the queue.
    pub fn client_cpu_s(&self) -> f64 {
        self.client.usage.cpu_s() + self.worker.as_ref().map_or(0.0, Usage::cpu_s)
    }

    /// Peak RSS of the client side: the slide's (its tree's, for slide 5), plus the worker's.
    pub fn client_rss_kib(&self) -> u64 {
        self.client.peak_rss_kib() + self.worker.as_ref().map_or(0, |w| w.max_rss_kib)
    }
}
