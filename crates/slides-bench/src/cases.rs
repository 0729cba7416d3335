//! One row of a scenario: a slide run several times against the same httpbin-lite, each run
//! measured from outside, and the medians of what was measured.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::measure::{Job, Measured, Running};
use crate::services::{Httpbin, Redis};
use crate::stats::{median, range};
use crate::{procfs, services};

/// The concurrency models, as the slides implement them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Sync,
    Processes,
    Threads,
    Coroutines,
    Tokio,
    Queue,
}

impl Model {
    pub fn binary(self) -> &'static str {
        match self {
            Model::Sync => "slide04-sync",
            Model::Processes => "slide05-multiprocess",
            Model::Threads => "slide06-threads",
            Model::Coroutines => "slide07a-coroutines",
            Model::Tokio => "slide07-tokio",
            Model::Queue => "slide08-producer",
        }
    }

    pub fn slide(self) -> &'static str {
        match self {
            Model::Sync => "4",
            Model::Processes => "5",
            Model::Threads => "6",
            Model::Coroutines => "7a",
            Model::Tokio => "7",
            Model::Queue => "8",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Model::Sync => "sync",
            Model::Processes => "processes",
            Model::Threads => "threads",
            Model::Coroutines => "coroutines",
            Model::Tokio => "tokio",
            Model::Queue => "queue",
        }
    }

    /// How wide the slide runs when not told (`cores` CPUs, `requests` requests): what the
    /// slide itself will report, needed before the run to know how long it will take.
    pub fn default_concurrency(self, requests: usize, cores: usize) -> usize {
        let width = match self {
            Model::Sync => 1,
            Model::Processes => cores,
            Model::Threads => 40,
            Model::Coroutines | Model::Tokio => requests,
            // One slide08-worker, at its default --concurrency.
            Model::Queue => 32,
        };
        width.min(requests).max(1)
    }
}

/// How to run one row.
#[derive(Debug, Clone)]
pub struct Case {
    /// The row's name: "threads".
    pub label: String,
    pub model: Model,
    pub requests: usize,
    /// `--concurrency` (for the queue: the worker's); `None` leaves the slide's default.
    pub concurrency: Option<usize>,
}

impl Case {
    pub fn new(model: Model, requests: usize, concurrency: Option<usize>) -> Case {
        Case {
            label: model.name().into(),
            model,
            requests,
            concurrency,
        }
    }

    /// The width this case runs at.
    pub fn width(&self, cores: usize) -> usize {
        self.concurrency
            .unwrap_or_else(|| self.model.default_concurrency(self.requests, cores))
            .min(self.requests)
    }

    /// ⌈N/C⌉ × delay: no model can do better with C in flight and each answer `delay` late.
    pub fn floor(&self, delay: Duration, cores: usize) -> Duration {
        let rounds = self.requests.div_ceil(self.width(cores).max(1));
        delay * u32::try_from(rounds).unwrap_or(u32::MAX)
    }

    /// The slide's arguments, given the server's URL (and Redis, for the queue).
    fn slide_args(&self, url: &str, redis: Option<&str>) -> Vec<String> {
        let mut args = vec![
            "--url".into(),
            url.into(),
            "--requests".into(),
            self.requests.to_string(),
            "--quiet".into(),
            "--json".into(),
        ];
        if let Some(redis) = redis {
            args.extend(["--redis".into(), redis.into()]);
        } else if let Some(width) = self.concurrency {
            args.extend(["--concurrency".into(), width.to_string()]);
        }
        args
    }

    fn worker_args(&self, redis: &str) -> Vec<String> {
        let mut args = vec!["--redis".into(), redis.into()];
        if let Some(width) = self.concurrency {
            args.extend(["--concurrency".into(), width.to_string()]);
        }
        args
    }

    /// The commands as the report shows them, with `$URL` and `$REDIS` for the addresses the
    /// benchmark picked.
    pub fn shown_commands(&self) -> Vec<String> {
        if self.model == Model::Queue {
            vec![
                format!(
                    "slide08-worker {}   # started fresh for each run, stopped after it",
                    self.worker_args("$REDIS").join(" ")
                ),
                format!(
                    "slide08-producer {}",
                    self.slide_args("$URL", Some("$REDIS")).join(" ")
                ),
            ]
        } else {
            vec![format!(
                "{} {}",
                self.model.binary(),
                self.slide_args("$URL", None).join(" ")
            )]
        }
    }

    /// A name for file names: "threads".
    fn slug(&self) -> String {
        self.label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// What a scenario needs to run its cases.
pub struct Bench<'a> {
    pub bin: &'a Path,
    pub work: &'a Path,
    pub cores: usize,
}

/// One run of a case.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The slide (for the queue, the producer).
    pub client: Measured,
    /// The queue's worker, started for this run alone.
    pub worker: Option<Measured>,
    /// CPU time httpbin-lite spent during the run.
    pub server_cpu_s: f64,
    /// CPU time redis-server spent during the run (queue only).
    pub redis_cpu_s: Option<f64>,
}

impl RunResult {
    /// Requests that did not get a UUID, as the slide reports them; all of them if it said
    /// nothing (it crashed or was stopped).
    pub fn failed(&self, requests: usize) -> usize {
        match self.client.reported("failed") {
            Some(failed) if !self.client.timed_out => failed as usize,
            _ => requests,
        }
    }

    /// CPU of everything on the client side: the slide, plus the worker for the queue.
    pub fn client_cpu_s(&self) -> f64 {
        self.client.usage.cpu_s() + self.worker.as_ref().map_or(0.0, |w| w.usage.cpu_s())
    }

    /// Peak RSS of the client side: the slide's (its tree's, for slide 5), plus the worker's.
    pub fn client_rss_kib(&self) -> u64 {
        self.client.peak_rss_kib() + self.worker.as_ref().map_or(0, Measured::peak_rss_kib)
    }
}

/// A case and all its runs.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    pub runs: Vec<RunResult>,
}

impl Outcome {
    fn each(&self, figure: impl Fn(&RunResult) -> Option<f64>) -> Vec<f64> {
        self.runs.iter().filter_map(figure).collect()
    }

    /// Median wall time, measured outside the slide.
    pub fn wall_s(&self) -> f64 {
        median(&self.each(|r| Some(r.client.usage.wall_s))).unwrap_or(f64::NAN)
    }

    pub fn wall_range(&self) -> Option<(f64, f64)> {
        range(&self.each(|r| Some(r.client.usage.wall_s)))
    }

    /// Median wall time by the slide's own clock (from after its setup to its last answer).
    pub fn slide_wall_s(&self) -> Option<f64> {
        median(&self.each(|r| r.client.reported("wall_s")))
    }

    pub fn cpu_s(&self) -> f64 {
        median(&self.each(|r| Some(r.client_cpu_s()))).unwrap_or(f64::NAN)
    }

    /// The share of the client's CPU time spent in the kernel (system time), median.
    pub fn sys_share(&self) -> f64 {
        median(&self.each(|r| {
            let sys = r.client.usage.sys_s + r.worker.as_ref().map_or(0.0, |w| w.usage.sys_s);
            let total = r.client_cpu_s();
            (total > 0.0).then(|| sys / total)
        }))
        .unwrap_or(f64::NAN)
    }

    pub fn server_cpu_s(&self) -> f64 {
        median(&self.each(|r| Some(r.server_cpu_s))).unwrap_or(f64::NAN)
    }

    pub fn redis_cpu_s(&self) -> Option<f64> {
        median(&self.each(|r| r.redis_cpu_s))
    }

    pub fn rss_kib(&self) -> f64 {
        median(&self.each(|r| Some(r.client_rss_kib() as f64))).unwrap_or(f64::NAN)
    }

    /// From the slide's timeline: when the last of the first `width` requests started (how
    /// long it took to get the first wave out), median over the runs.
    pub fn first_wave_s(&self, width: usize) -> Option<f64> {
        median(&self.each(|r| {
            let mut starts = spans(&r.client)?
                .into_iter()
                .map(|(start, _)| start)
                .collect::<Vec<_>>();
            starts.sort_by(f64::total_cmp);
            starts.get(width.min(starts.len()).checked_sub(1)?).copied()
        }))
    }

    /// From the slide's timeline: the mean time a request took beyond `delay` (the client's
    /// and the server's own work, and waiting for the one to get to it), median over the runs.
    pub fn mean_extra_latency_s(&self, delay: Duration) -> Option<f64> {
        median(&self.each(|r| {
            let spans = spans(&r.client)?;
            let total: f64 = spans.iter().map(|(start, end)| end - start).sum();
            (!spans.is_empty()).then(|| total / spans.len() as f64 - delay.as_secs_f64())
        }))
    }

    /// Wall time outside the slide's own clock: starting the program, its setup, writing the
    /// summary and exiting. Median over the runs.
    pub fn outside_own_clock_s(&self) -> Option<f64> {
        median(&self.each(|r| Some(r.client.usage.wall_s - r.client.reported("wall_s")?)))
    }

    /// Median of a figure the slide reports in its summary.
    pub fn reported(&self, key: &str) -> Option<f64> {
        median(&self.each(|r| r.client.reported(key)))
    }

    /// The width the slide reports it ran at (the workers' sum for the queue).
    pub fn concurrency(&self, cores: usize) -> usize {
        self.reported("concurrency")
            .map_or_else(|| self.case.width(cores), |c| c as usize)
    }

    /// Failed requests, summed over the runs.
    pub fn failed(&self) -> usize {
        self.runs.iter().map(|r| r.failed(self.case.requests)).sum()
    }

    /// Why the slide refused to run at all (exit code 2, a usage error), in its own words.
    pub fn refused(&self) -> Option<String> {
        let first = self.runs.first()?;
        let refused = self
            .runs
            .iter()
            .all(|r| r.client.usage.code == Some(2) && r.client.summary.is_none());
        refused.then(|| {
            first
                .client
                .last_error
                .clone()
                .unwrap_or_else(|| "usage error".into())
        })
    }

    /// The first thing that went wrong, in the slide's words.
    pub fn first_problem(&self) -> Option<String> {
        self.runs
            .iter()
            .filter(|r| r.failed(self.case.requests) > 0)
            .find_map(|r| {
                if r.client.timed_out {
                    return Some("stopped: it ran past its time limit".into());
                }
                r.client
                    .summary
                    .as_ref()
                    .and_then(|s| s.get("first_error")?.as_str().map(str::to_owned))
                    .or_else(|| r.client.last_error.clone())
            })
    }

    /// `ceil(N/C) × delay`, with C as the slide reported it.
    pub fn floor_s(&self, delay: Duration, cores: usize) -> f64 {
        let rounds = self.case.requests.div_ceil(self.concurrency(cores).max(1));
        rounds as f64 * delay.as_secs_f64()
    }
}

impl Bench<'_> {
    /// Runs `case` `runs` times against `server` (and `redis`, for the queue).
    pub fn run(
        &self,
        scenario: &str,
        case: &Case,
        server: &Httpbin,
        redis: Option<&Redis>,
        runs: usize,
        limit: Duration,
    ) -> Result<Outcome, String> {
        let mut results = Vec::with_capacity(runs);
        for number in 1..=runs {
            let label = format!("{scenario}-{}-n{}-{number}", case.slug(), case.requests);
            let result = self.run_once(&label, case, server, redis, limit)?;
            let failed = result.failed(case.requests);
            println!(
                "    {:<34} run {number}/{runs}: {:>8.3} s, {:>6.2} s CPU, {:>7.1} MB{}",
                case.label,
                result.client.usage.wall_s,
                result.client_cpu_s(),
                result.client_rss_kib() as f64 * 1024.0 / 1e6,
                if failed > 0 {
                    format!(", {failed} FAILED")
                } else {
                    String::new()
                }
            );
            results.push(result);
            // Let the server close the last connections before the next run starts.
            thread::sleep(Duration::from_millis(200));
        }
        Ok(Outcome {
            case: case.clone(),
            runs: results,
        })
    }

    fn run_once(
        &self,
        label: &str,
        case: &Case,
        server: &Httpbin,
        redis: Option<&Redis>,
        limit: Duration,
    ) -> Result<RunResult, String> {
        let queue = match (case.model, redis) {
            (Model::Queue, Some(redis)) => Some(redis),
            (Model::Queue, None) => return Err("the queue needs a redis-server".into()),
            _ => None,
        };
        let worker = match queue {
            Some(redis) => Some(self.start_worker(label, case, redis)?),
            None => None,
        };
        let server_before = procfs::cpu_time(server.service.pid()).unwrap_or_default();
        let redis_before = queue.and_then(|r| procfs::cpu_time(r.service.pid()));
        let job = Job {
            label: label.into(),
            program: self.bin.join(case.model.binary()),
            args: case.slide_args(&server.uuid_url(), queue.map(|r| r.url.as_str())),
            sample_tree: case.model == Model::Processes,
        };
        let client = Running::start(&job, self.work)?.wait(limit)?;
        let worker = worker.map(Running::stop).transpose()?;
        let server_after = procfs::cpu_time(server.service.pid()).unwrap_or_default();
        let redis_cpu_s = match (queue, redis_before) {
            (Some(redis), Some(before)) => procfs::cpu_time(redis.service.pid())
                .map(|after| after.saturating_sub(before).as_secs_f64()),
            _ => None,
        };
        Ok(RunResult {
            client,
            worker,
            server_cpu_s: server_after.saturating_sub(server_before).as_secs_f64(),
            redis_cpu_s,
        })
    }

    /// A fresh slide08-worker for one run, so that its CPU time and memory are that run's.
    fn start_worker(&self, label: &str, case: &Case, redis: &Redis) -> Result<Running, String> {
        let job = Job {
            label: format!("{label}-worker"),
            program: self.bin.join("slide08-worker"),
            args: case.worker_args(&redis.url),
            sample_tree: false,
        };
        let mut worker = Running::start(&job, self.work)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        // Bounded by the deadline.
        while Instant::now() < deadline {
            let said = fs::read_to_string(worker.stdout()).unwrap_or_default();
            if said.contains("waiting for jobs") {
                return Ok(worker);
            }
            if !worker.alive() {
                let measured = worker.stop()?;
                return Err(format!(
                    "slide08-worker did not start: {}",
                    measured
                        .last_error
                        .unwrap_or_else(|| services::last_line(&said))
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = worker.stop();
        Err("slide08-worker was not waiting for jobs within 10 s".into())
    }

    /// Runs a program that is not a slide (wrk), measured the same way.
    pub fn run_tool(
        &self,
        label: &str,
        program: &str,
        args: &[String],
        limit: Duration,
    ) -> Result<Measured, String> {
        let job = Job {
            label: label.into(),
            program: program.into(),
            args: args.to_vec(),
            sample_tree: false,
        };
        Running::start(&job, self.work)?.wait(limit)
    }
}

/// `(start_s, end_s)` of each request in a slide's `--json` timeline.
fn spans(measured: &Measured) -> Option<Vec<(f64, f64)>> {
    let timeline = measured.summary.as_ref()?.get("timeline")?.as_array()?;
    Some(
        timeline
            .iter()
            .filter_map(|span| Some((span.get("start_s")?.as_f64()?, span.get("end_s")?.as_f64()?)))
            .collect(),
    )
}
