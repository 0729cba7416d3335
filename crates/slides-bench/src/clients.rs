//! Every client of a scenario seen the same way — a slide, the reference client or a tool
//! written in C — so that one table can hold them all and each be set against the best.

use crate::notes::note;
use crate::outcome::{Outcome, RunResult, ToolOutcome};
use crate::stats::{median, range};
use crate::units::secs;

/// One client's runs, as the tables that compare clients read them.
#[derive(Debug, Clone)]
pub struct Client {
    /// "tokio", "reference h2", "h2load h2".
    pub label: String,
    pub protocol: &'static str,
    /// Requests in flight at once.
    pub width: usize,
    /// The requests it was asked for; `None` for wrk, which is asked for a time.
    pub requests: Option<usize>,
    /// Written in C: a tool, not a slide or the reference client.
    pub tool: bool,
    runs: Vec<RunResult>,
    /// Requests that failed, over all runs.
    pub failed: usize,
    /// The first thing that went wrong, in the client's words.
    pub problem: Option<String>,
}

impl Client {
    /// A slide's or the reference client's case.
    pub fn of_case(outcome: &Outcome, cores: usize) -> Client {
        let case = &outcome.case;
        Client {
            label: case.label(),
            protocol: case.protocol(),
            width: outcome.concurrency(cores),
            requests: Some(case.requests),
            tool: false,
            runs: outcome.runs.clone(),
            failed: outcome.failed(),
            problem: outcome.first_problem(),
        }
    }

    /// A tool's runs.
    pub fn of_tool(outcome: &ToolOutcome) -> Client {
        let case = &outcome.case;
        let printed = || outcome.runs.iter().filter_map(|run| run.printed.as_ref());
        let failed = case.requests().map_or(0, |requests| {
            let short = |done: f64| requests.saturating_sub(done as usize);
            printed().map(|printed| short(printed.requests)).sum()
        });
        let problem = printed().map(|printed| printed.errors.clone());
        Client {
            label: case.label(),
            protocol: case.protocol(),
            width: case.width,
            requests: case.requests(),
            tool: true,
            runs: outcome.runs.clone(),
            failed,
            problem: problem.into_iter().find(|errors| !errors.is_empty()),
        }
    }

    /// Requests a run got answered: what a tool printed, or what the slide did not fail.
    fn done(&self, run: &RunResult) -> f64 {
        match (&run.printed, self.requests) {
            (Some(printed), _) => printed.requests,
            (None, Some(requests)) => requests.saturating_sub(run.failed(requests)) as f64,
            (None, None) => f64::NAN,
        }
    }

    fn each(&self, figure: impl Fn(&RunResult, f64) -> Option<f64>) -> Option<f64> {
        let values = self
            .runs
            .iter()
            .filter_map(|run| figure(run, self.done(run)));
        median(&values.collect::<Vec<_>>())
    }

    /// Wall time measured outside, median.
    pub fn wall_s(&self) -> f64 {
        self.each(|r, _| Some(r.client.usage.wall_s))
            .unwrap_or(f64::NAN)
    }

    /// The fastest and slowest run.
    pub fn wall_range(&self) -> Option<(f64, f64)> {
        range(
            &self
                .runs
                .iter()
                .map(|r| r.client.usage.wall_s)
                .collect::<Vec<_>>(),
        )
    }

    /// How far apart the runs were: (slowest − fastest) ÷ median.
    pub fn spread(&self) -> Option<f64> {
        let (low, high) = self.wall_range()?;
        (self.runs.len() > 1).then(|| (high - low) / self.wall_s())
    }

    /// Answers per second, median: over the wall time, or as wrk, which runs for a time, counts.
    pub fn per_second(&self) -> f64 {
        self.each(|r, done| match (&r.printed, self.requests) {
            (Some(printed), None) => Some(printed.per_second),
            _ => Some(done / r.client.usage.wall_s),
        })
        .unwrap_or(f64::NAN)
    }

    /// The client's CPU per answer, median.
    pub fn cpu_per_request(&self) -> f64 {
        self.each(|r, done| (done > 0.0).then(|| r.client_cpu_s() / done))
            .unwrap_or(f64::NAN)
    }

    /// The kernel's share of the client's CPU, median.
    pub fn sys_share(&self) -> f64 {
        self.each(|r, _| (r.client_cpu_s() > 0.0).then(|| r.client.usage.sys_s / r.client_cpu_s()))
            .unwrap_or(f64::NAN)
    }

    /// httpbin-lite's CPU per answer, median.
    pub fn server_per_request(&self) -> f64 {
        self.each(|r, done| (done > 0.0).then(|| r.server_cpu_s / done))
            .unwrap_or(f64::NAN)
    }

    /// Peak RSS, median, in KiB.
    pub fn rss_kib(&self) -> f64 {
        self.each(|r, _| Some(r.client_rss_kib() as f64))
            .unwrap_or(f64::NAN)
    }

    /// The connections httpbin-lite saw, median.
    pub fn connections(&self) -> Option<f64> {
        self.each(|r, _| r.server.connections.map(|n| n as f64))
    }

    /// Whether httpbin-lite saw the protocol the client said it spoke, in every run it could
    /// tell: every request over HTTP/2 for an HTTP/2 client, none for an HTTP/1.1 one.
    pub fn spoke_its_protocol(&self) -> bool {
        self.runs.iter().all(|r| match r.server.http2 {
            Some(http2) if self.protocol == "HTTP/2" => http2 as f64 >= self.done(r),
            Some(http2) => http2 == 0,
            None => true,
        })
    }

    /// The most requests/s two cores can give this client and httpbin-lite together: each
    /// answer costs them `client + server` of CPU, and a one-thread client cannot pass one core.
    pub fn bound(&self, cores: usize) -> f64 {
        let (client, server) = (self.cpu_per_request(), self.server_per_request());
        (cores as f64 / (client + server)).min(1.0 / client)
    }

    /// [`Client::bound`] in requests/s, or a dash where the CPU was too little to count.
    pub fn bound_cell(&self, cores: usize) -> String {
        let bound = self.bound(cores);
        match bound.is_finite() {
            true => format!("{bound:.0}"),
            false => "–".into(),
        }
    }

    /// What went wrong, if requests failed or it did not speak the protocol it was asked to.
    pub fn why_failed(&self) -> Option<String> {
        (self.failed > 0 || !self.spoke_its_protocol()).then(|| client_failed(self))
    }
}

/// The clients a scenario compares: slide 7 and the reference client over each protocol they
/// ran, then the tools.
pub fn compared(outcomes: &[Outcome], tools: &[ToolOutcome], cores: usize) -> Vec<Client> {
    let slide_7_or_reference = |o: &&Outcome| ["tokio", "reference"].contains(&o.case.slide.model);
    let slides = outcomes.iter().filter(slide_7_or_reference);
    let slides = slides.map(|outcome| Client::of_case(outcome, cores));
    slides.chain(tools.iter().map(Client::of_tool)).collect()
}

/// The client with the highest `figure` among those whose every request succeeded.
pub fn best_by(clients: &[Client], figure: impl Fn(&Client) -> f64) -> Option<(&Client, f64)> {
    clients
        .iter()
        .filter(|client| client.failed == 0)
        .map(|client| (client, figure(client)))
        .filter(|(_, value)| value.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The median wall time, and over several runs the fastest and slowest.
pub fn client_wall(client: &Client) -> String {
    match client.wall_range() {
        Some((low, high)) if low < high => {
            format!("{} ({}–{})", secs(client.wall_s()), secs(low), secs(high))
        }
        _ => secs(client.wall_s()),
    }
}

/// Failed requests, in bold unless there are none; a client that did not speak the protocol it
/// was asked to says so.
pub fn client_failed(client: &Client) -> String {
    let failed = match (client.failed, &client.problem) {
        (0, Some(problem)) if client.tool => problem.clone(),
        (0, _) => "0".into(),
        (n, _) => format!("**{n}**"),
    };
    if client.spoke_its_protocol() {
        failed
    } else {
        format!("{failed}; **not all over {}**", client.protocol)
    }
}

/// How far apart each client's runs were, for the reader to weigh the ratios; nothing with one
/// run each.
pub fn noise(clients: &[Client]) -> Option<String> {
    let spreads: Vec<String> = clients
        .iter()
        .filter_map(|client| {
            let spread = client.spread()?;
            Some(format!("{} {:.0}%", client.label, spread * 100.0))
        })
        .collect();
    (!spreads.is_empty()).then(|| {
        note("clients.noise")
            .with("spreads", spreads.join(", "))
            .text()
    })
}
