//! Every client of a scenario seen the same way — a slide, the reference client or a tool
//! written in C — so that one table can hold them all and each be set against the best.

use crate::notes::note;
use crate::outcome::Outcome;
use crate::stats::{median, range};
use crate::units::secs;

use crate::tools::ToolOutcome;

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
    runs: Vec<ClientRun>,
    /// Requests that failed, over all runs.
    pub failed: usize,
    /// The first thing that went wrong, in the client's words.
    pub problem: Option<String>,
}

/// One run, as the kernel, the client and httpbin-lite counted it.
#[derive(Debug, Clone)]
struct ClientRun {
    /// Measured outside: from starting the program to reaping it.
    wall_s: f64,
    /// Requests answered.
    done: f64,
    /// Answers per second: `done` over the wall time; for wrk, its own rate.
    per_second: f64,
    cpu_s: f64,
    sys_s: f64,
    rss_kib: f64,
    server_cpu_s: f64,
    connections: Option<u64>,
    http2: Option<u64>,
}

impl Client {
    /// A slide's or the reference client's case.
    pub fn of_case(outcome: &Outcome, cores: usize) -> Client {
        let case = &outcome.case;
        let runs = outcome
            .runs
            .iter()
            .map(|run| {
                let done = case.requests.saturating_sub(run.failed(case.requests)) as f64;
                let wall_s = run.client.usage.wall_s;
                ClientRun {
                    wall_s,
                    done,
                    per_second: done / wall_s,
                    cpu_s: run.client_cpu_s(),
                    sys_s: run.client.usage.sys_s,
                    rss_kib: run.client_rss_kib() as f64,
                    server_cpu_s: run.server_cpu_s,
                    connections: run.server.connections,
                    http2: run.server.http2,
                }
            })
            .collect();
        Client {
            label: case.label(),
            protocol: case.protocol(),
            width: outcome.concurrency(cores),
            requests: Some(case.requests),
            tool: false,
            runs,
            failed: outcome.failed(),
            problem: outcome.first_problem(),
        }
    }

    /// A tool's runs.
    pub fn of_tool(outcome: &ToolOutcome) -> Client {
        let case = &outcome.case;
        let runs = outcome
            .runs
            .iter()
            .map(|run| {
                let wall_s = run.measured.usage.wall_s;
                let done = run.printed.requests;
                // wrk runs for a time and counts what it got done; h2load runs for a count.
                let per_second = match case.requests() {
                    Some(_) => done / wall_s,
                    None => run.printed.per_second,
                };
                ClientRun {
                    wall_s,
                    done,
                    per_second,
                    cpu_s: run.measured.usage.cpu_s(),
                    sys_s: run.measured.usage.sys_s,
                    rss_kib: run.measured.usage.max_rss_kib as f64,
                    server_cpu_s: run.server_cpu_s,
                    connections: run.server.connections,
                    http2: run.server.http2,
                }
            })
            .collect();
        let failed = match case.requests() {
            Some(requests) => outcome
                .runs
                .iter()
                .map(|run| requests.saturating_sub(run.printed.requests as usize))
                .sum(),
            None => 0,
        };
        let problem = outcome
            .runs
            .iter()
            .map(|run| run.printed.errors.clone())
            .find(|errors| !errors.is_empty());
        Client {
            label: case.label(),
            protocol: case.protocol(),
            width: case.width,
            requests: case.requests(),
            tool: true,
            runs,
            failed,
            problem,
        }
    }

    fn each(&self, figure: impl Fn(&ClientRun) -> Option<f64>) -> Option<f64> {
        let values: Vec<f64> = self.runs.iter().filter_map(figure).collect();
        median(&values)
    }

    /// Wall time measured outside, median.
    pub fn wall_s(&self) -> f64 {
        self.each(|r| Some(r.wall_s)).unwrap_or(f64::NAN)
    }

    /// The fastest and slowest run.
    pub fn wall_range(&self) -> Option<(f64, f64)> {
        range(&self.runs.iter().map(|r| r.wall_s).collect::<Vec<_>>())
    }

    /// How far apart the runs were: (slowest − fastest) ÷ median.
    pub fn spread(&self) -> Option<f64> {
        let (low, high) = self.wall_range()?;
        (self.runs.len() > 1).then(|| (high - low) / self.wall_s())
    }

    /// Answers per second, median.
    pub fn per_second(&self) -> f64 {
        self.each(|r| Some(r.per_second)).unwrap_or(f64::NAN)
    }

    /// The client's CPU per answer, median.
    pub fn cpu_per_request(&self) -> f64 {
        self.each(|r| (r.done > 0.0).then(|| r.cpu_s / r.done))
            .unwrap_or(f64::NAN)
    }

    /// The kernel's share of the client's CPU, median.
    pub fn sys_share(&self) -> f64 {
        self.each(|r| (r.cpu_s > 0.0).then(|| r.sys_s / r.cpu_s))
            .unwrap_or(f64::NAN)
    }

    /// httpbin-lite's CPU per answer, median.
    pub fn server_per_request(&self) -> f64 {
        self.each(|r| (r.done > 0.0).then(|| r.server_cpu_s / r.done))
            .unwrap_or(f64::NAN)
    }

    /// Peak RSS, median, in KiB.
    pub fn rss_kib(&self) -> f64 {
        self.each(|r| Some(r.rss_kib)).unwrap_or(f64::NAN)
    }

    /// The connections httpbin-lite saw, median.
    pub fn connections(&self) -> Option<f64> {
        self.each(|r| r.connections.map(|n| n as f64))
    }

    /// Whether httpbin-lite saw the protocol the client said it spoke, in every run it could
    /// tell: every request over HTTP/2 for an HTTP/2 client, none for an HTTP/1.1 one.
    pub fn spoke_its_protocol(&self) -> bool {
        self.runs.iter().all(|r| match r.http2 {
            Some(http2) if self.protocol == "HTTP/2" => http2 as f64 >= r.done,
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
        if bound.is_finite() {
            format!("{bound:.0}")
        } else {
            "–".into()
        }
    }
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

impl Client {
    /// What went wrong, if requests failed or it did not speak the protocol it was asked to.
    pub fn why_failed(&self) -> Option<String> {
        (self.failed > 0 || !self.spoke_its_protocol()).then(|| client_failed(self))
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
