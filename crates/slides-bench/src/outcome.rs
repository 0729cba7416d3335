//! What a case's runs measured: the medians over its runs (see `run_result.rs`) that the
//! report shows. Each figure is the median of its runs, so one run disturbed by something else
//! on the machine does not move it.

use std::time::Duration;

use crate::case::Case;
use crate::run_result::RunResult;
use crate::running::Measured;

#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    pub runs: Vec<RunResult>,
}

impl Outcome {
    /// The median of a figure over the runs that have it.
    fn median(&self, figure: impl Fn(&RunResult) -> Option<f64>) -> Option<f64> {
        median(&self.runs.iter().filter_map(figure).collect::<Vec<_>>())
    }

    /// The median of a figure every run has; NaN (a dash in the tables) with no runs.
    fn figure(&self, figure: impl Fn(&RunResult) -> Option<f64>) -> f64 {
        self.median(figure).unwrap_or(f64::NAN)
    }

    /// The median of a figure per request answered, over the runs that answered any.
    fn per_request(&self, figure: impl Fn(&RunResult) -> f64) -> f64 {
        let done = |r: &RunResult| Some(r.done(&self.case)).filter(|done| *done > 0.0);
        self.figure(|r| Some(figure(r) / done(r)?))
    }

    /// Median wall time, measured outside the slide.
    pub fn wall_s(&self) -> f64 {
        self.figure(|r| Some(r.client.usage.wall_s))
    }

    pub fn wall_range(&self) -> Option<(f64, f64)> {
        let walls: Vec<f64> = self.runs.iter().map(|r| r.client.usage.wall_s).collect();
        range(&walls)
    }

    /// How far apart the runs were: (slowest − fastest) ÷ median; `None` with one run.
    pub fn spread(&self) -> Option<f64> {
        let (low, high) = self.wall_range()?;
        (self.runs.len() > 1).then(|| (high - low) / self.wall_s())
    }

    /// Answers per second, median: over the wall time, or as wrk, which runs for a time, counts.
    pub fn per_second(&self) -> f64 {
        self.figure(|r| match (&r.printed, self.case.for_secs) {
            (Some(printed), Some(_)) => Some(printed.per_second),
            _ => Some(r.done(&self.case) / r.client.usage.wall_s),
        })
    }

    pub fn cpu_per_request(&self) -> f64 {
        self.per_request(RunResult::client_cpu_s)
    }

    pub fn server_per_request(&self) -> f64 {
        self.per_request(|r| r.server_cpu_s)
    }

    /// The most requests/s the machine's cores can give this client and httpbin-lite together:
    /// each answer costs them `client + server` of CPU, and a one-thread client cannot pass one
    /// core.
    pub fn bound(&self, cores: usize) -> f64 {
        let (client, server) = (self.cpu_per_request(), self.server_per_request());
        (cores as f64 / (client + server)).min(1.0 / client)
    }

    /// Whether httpbin-lite saw the protocol the client was asked to speak, in every run it
    /// could tell: every request over HTTP/2 for an HTTP/2 client, none for an HTTP/1.1 one.
    pub fn spoke_its_protocol(&self) -> bool {
        self.runs.iter().all(|r| match r.server.http2 {
            Some(http2) if self.case.http2 => http2 as f64 >= r.done(&self.case),
            Some(http2) => http2 == 0,
            None => true,
        })
    }

    /// Median wall time by the slide's own clock (from after its setup to its last answer).
    pub fn slide_wall_s(&self) -> Option<f64> {
        self.median(|r| Some(r.client.summary.as_ref()?.wall_s))
    }

    /// Answers per second by the slide's own clock, median: as wrk counts its own, without
    /// starting and stopping the program. `None` for a client that prints no summary.
    pub fn own_per_second(&self) -> Option<f64> {
        let wall = |r: &RunResult| Some(r.client.summary.as_ref()?.wall_s).filter(|w| *w > 0.0);
        self.median(|r| Some(r.done(&self.case) / wall(r)?))
    }

    pub fn cpu_s(&self) -> f64 {
        self.figure(|r| Some(r.client_cpu_s()))
    }

    /// Cores busy on average, CPU ÷ wall as measured outside the slide, median.
    pub fn cores_used(&self) -> f64 {
        let wall = |r: &RunResult| Some(r.client.usage.wall_s).filter(|wall| *wall > 0.0);
        self.figure(|r| Some(r.client_cpu_s() / wall(r)?))
    }

    /// Cores busy on average by the slide's own count (its `cores_used`), median.
    pub fn slide_cores_used(&self) -> Option<f64> {
        self.median(|r| Some(r.client.summary.as_ref()?.cores_used))
    }

    /// The most requests httpbin-lite had in flight at once, over all the runs.
    pub fn server_peak_in_flight(&self) -> Option<u64> {
        self.runs
            .iter()
            .filter_map(|r| r.server.peak_in_flight)
            .max()
    }

    /// The client connections httpbin-lite saw in a run, median.
    pub fn server_connections(&self) -> Option<f64> {
        self.median(|r| r.server.connections.map(|n| n as f64))
    }

    /// The share of the client's CPU time spent in the kernel (system time), median.
    pub fn sys_share(&self) -> f64 {
        self.figure(|r| {
            let sys = r.client.usage.sys_s + r.worker.as_ref().map_or(0.0, |w| w.sys_s);
            let total = r.client_cpu_s();
            (total > 0.0).then(|| sys / total)
        })
    }

    pub fn server_cpu_s(&self) -> f64 {
        self.figure(|r| Some(r.server_cpu_s))
    }

    pub fn redis_cpu_s(&self) -> Option<f64> {
        self.median(|r| r.redis_cpu_s)
    }

    pub fn rss_kib(&self) -> f64 {
        self.figure(|r| Some(r.client_rss_kib() as f64))
    }

    /// From the slide's timeline: when the last of the first `width` requests started (how
    /// long it took to get the first wave out), median over the runs.
    pub fn first_wave_s(&self, width: usize) -> Option<f64> {
        self.median(|r| {
            let mut starts: Vec<f64> = spans(&r.client)?.into_iter().map(|span| span.0).collect();
            starts.sort_by(f64::total_cmp);
            starts.get(width.min(starts.len()).checked_sub(1)?).copied()
        })
    }

    /// From the slide's timeline: the mean time a request took beyond `delay` (the client's
    /// and the server's own work, and waiting for the one to get to it), median over the runs.
    pub fn mean_extra_latency_s(&self, delay: Duration) -> Option<f64> {
        self.median(|r| {
            let spans = spans(&r.client)?;
            let total: f64 = spans.iter().map(|(start, end)| end - start).sum();
            (!spans.is_empty()).then(|| total / spans.len() as f64 - delay.as_secs_f64())
        })
    }

    /// Wall time outside the slide's own clock: starting the program, its setup, writing the
    /// summary and exiting. Median over the runs.
    pub fn outside_own_clock_s(&self) -> Option<f64> {
        self.median(|r| Some(r.client.usage.wall_s - r.client.summary.as_ref()?.wall_s))
    }

    /// The width the slide reports it ran at (the workers' sum for the queue), median; a
    /// tool's, the width it was given.
    pub fn concurrency(&self, cores: usize) -> usize {
        self.median(|r| Some(r.client.summary.as_ref()?.concurrency as f64))
            .map_or_else(|| self.case.width(cores), |c| c as usize)
    }

    /// Failed requests, summed over the runs.
    pub fn failed(&self) -> usize {
        self.runs.iter().map(|r| r.failed(&self.case)).sum()
    }

    /// What a tool said went wrong, in its first run that said anything.
    pub fn tool_errors(&self) -> Option<&str> {
        let printed = self.runs.iter().filter_map(|r| r.printed.as_ref());
        printed
            .map(|p| p.errors.as_str())
            .find(|errors| !errors.is_empty())
    }

    /// Why the slide refused to run at all (exit code 2, a usage error), in its own words.
    pub fn refused(&self) -> Option<String> {
        let said = self.runs.first()?.client.last_error.clone();
        let usage_error =
            |r: &RunResult| r.client.usage.code == Some(2) && r.client.summary.is_none();
        let refused = self.runs.iter().all(usage_error);
        refused.then(|| said.unwrap_or_else(|| "usage error".into()))
    }

    /// The first thing that went wrong, in the slide's words ("unknown" if it said nothing).
    pub fn first_problem(&self) -> String {
        let failed = self.runs.iter().filter(|r| r.failed(&self.case) > 0);
        failed
            .map(|r| &r.client)
            .find_map(|client| match client.timed_out {
                true => Some("stopped: it ran past its time limit".into()),
                false => (client.summary.as_ref().and_then(|s| s.first_error.clone()))
                    .or_else(|| client.last_error.clone()),
            })
            .unwrap_or_else(|| "unknown".into())
    }

    /// The floor on `cores` cores (see [`Case::floor_s`]), with C as the slide reported it.
    pub fn floor_s(&self, delay: Duration, cores: usize) -> f64 {
        self.case.floor_s(self.concurrency(cores), delay, cores)
    }

    /// The least the slide's model can take: the floor, on one core if it runs on one thread.
    pub fn best_s(&self, delay: Duration, cores: usize) -> f64 {
        let own = if self.case.slide.one_thread { 1 } else { cores };
        self.case.floor_s(self.concurrency(cores), delay, own)
    }
}

/// `(start_s, end_s)` of each request in a slide's `--json` timeline.
fn spans(measured: &Measured) -> Option<Vec<(f64, f64)>> {
    let spans = measured.summary.as_ref()?.timeline.iter();
    Some(spans.map(|span| (span.start_s, span.end_s)).collect())
}

/// The median of `values` (the mean of the middle two for an even count); `None` if empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[middle]
    } else {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    })
}

/// The smallest and largest of `values`.
pub fn range(values: &[f64]) -> Option<(f64, f64)> {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let min = finite.clone().reduce(f64::min)?;
    let max = finite.reduce(f64::max)?;
    Some((min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 2.0]), Some(2.0));
    }

    #[test]
    fn ranges() {
        assert_eq!(range(&[]), None);
        assert_eq!(range(&[2.0, 7.0, 1.0]), Some((1.0, 7.0)));
    }
}
