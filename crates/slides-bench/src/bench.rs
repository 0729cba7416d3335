//! Running a case: its slide several times against the same httpbin-lite (and, for the queue,
//! the same redis-server and a fresh worker for each run), each run measured from outside.

use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use lab::{Binaries, Httpbin, Redis, Worker};

use crate::case::Case;
use crate::measure::Usage;
use crate::outcome::{RunResult, ServerCount};
use crate::running::{Job, Measured, Running};
use crate::system;

/// How the benchmark runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the built programs are: httpbin-lite, the slides, the worker.
    pub bins: Binaries,
    pub work: PathBuf,
    pub smoke: bool,
    /// Runs per case (cases that should take 10 s or more: at most [`LONG_RUNS`]).
    pub runs: usize,
}

/// Runs for a case that should take 10 s or more: they are long, and steady.
pub const LONG_RUNS: usize = 3;

impl Settings {
    /// Runs for a case that should take `expected`.
    pub fn runs_for(&self, expected: Duration) -> usize {
        if expected >= Duration::from_secs(10) {
            self.runs.min(LONG_RUNS)
        } else {
            self.runs
        }
    }

    /// How long one run may take before it is stopped: far past any sane result.
    pub fn limit(expected: Duration) -> Duration {
        Duration::from_secs(60) + expected * 3
    }
}

/// Which run of a case this is, and how long it may take.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// Names the run's log files: `SCENARIO-MODEL-nN-NUMBER.out`.
    pub scenario: &'a str,
    pub number: usize,
    pub runs: usize,
    pub limit: Duration,
}

/// What a scenario needs to run its cases.
pub struct Bench<'a> {
    pub bins: &'a Binaries,
    pub work: &'a Path,
    pub cores: usize,
}

impl Bench<'_> {
    /// httpbin-lite on a free loopback port, answering each /uuid after `delay`.
    pub fn start_httpbin(&self, delay: Duration) -> Result<Httpbin, String> {
        Httpbin::start(self.bins, delay, &[]).map_err(|err| err.to_string())
    }

    /// A private redis-server on a free loopback port.
    pub fn start_redis(&self) -> Result<Redis, String> {
        Redis::start(&[]).map_err(|err| err.to_string())
    }

    /// The path of the built program `name`, or an error that says how to build it.
    pub fn program(&self, name: &str) -> Result<PathBuf, String> {
        self.bins.path(name).map_err(|err| err.to_string())
    }

    /// Runs `case` once, as run `number` of `runs`, and prints what it cost.
    pub fn run_case(
        &self,
        run: &Run,
        case: &Case,
        server: &Httpbin,
        redis: Option<&Redis>,
    ) -> Result<RunResult, String> {
        let Run {
            scenario,
            number,
            runs,
            limit,
        } = *run;
        let name = case.label().replace(' ', "-");
        let label = format!("{scenario}-{name}-n{}-{number}", case.requests);
        let result = self.run_once(&label, case, server, redis, limit)?;
        let failed = result.failed(case.requests);
        println!(
            "    {:<34} run {number}/{runs}: {:>8.3} s, {:>6.2} s CPU, {:>7.1} MB{}",
            case.label(),
            result.client.usage.wall_s,
            result.client_cpu_s(),
            result.client_rss_kib() as f64 * 1024.0 / 1e6,
            if failed > 0 {
                format!(", {failed} FAILED")
            } else {
                String::new()
            }
        );
        // Let the server close the last connections before the next run starts.
        thread::sleep(Duration::from_millis(200));
        Ok(result)
    }

    fn run_once(
        &self,
        label: &str,
        case: &Case,
        server: &Httpbin,
        redis: Option<&Redis>,
        limit: Duration,
    ) -> Result<RunResult, String> {
        let started = Instant::now();
        let (worker, queue) = match (case.worker(), redis) {
            (Some(_), Some(redis)) => (Some(self.start_worker(case, server, redis)?), Some(redis)),
            (Some(_), None) => return Err("the queue needs a redis-server".into()),
            (None, _) => (None, None),
        };
        let server_before = system::cpu_time(server.pid()).unwrap_or_default();
        let redis_before = queue.and_then(|r| system::cpu_time(r.pid()));
        // The peak in flight restarts at what is in flight now: nothing, between runs. A server
        // whose /stats cannot be read leaves the peak unknown; it is not a reason to stop.
        let stats_reset = server.reset_stats().is_ok();
        let job = Job {
            label: label.into(),
            program: self.program(case.binary())?,
            args: case.slide_args(&server.url("/uuid"), queue.map(Redis::url).as_deref()),
            sample_tree: case.starts_processes(),
        };
        let client = Running::start(&job, self.work)?.wait(limit)?;
        let worker = match worker {
            Some(worker) => Some(self.stop_worker(label, worker, started)?),
            None => None,
        };
        let server_after = system::cpu_time(server.pid()).unwrap_or_default();
        let server_count = if stats_reset {
            ServerCount::read(server)
        } else {
            ServerCount::default()
        };
        let redis_cpu_s = match (queue, redis_before) {
            (Some(redis), Some(before)) => system::cpu_time(redis.pid())
                .map(|after| after.saturating_sub(before).as_secs_f64()),
            _ => None,
        };
        Ok(RunResult {
            client,
            worker,
            server_cpu_s: server_after.saturating_sub(server_before).as_secs_f64(),
            redis_cpu_s,
            server: server_count,
        })
    }

    /// A fresh worker for one run, so that its CPU time and memory are that run's. It may
    /// fetch only from the host httpbin-lite listens on.
    fn start_worker(&self, case: &Case, server: &Httpbin, redis: &Redis) -> Result<Worker, String> {
        let allow_host = server.addr().ip().to_string();
        let flags = case.worker_flags();
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        Worker::start(self.bins, &redis.url(), &allow_host, &flags).map_err(|err| err.to_string())
    }

    /// Stops the run's worker and gives what it cost. It runs outside the measure wrapper, so
    /// its CPU time and peak memory come from /proc, read just before the stop: by then it has
    /// run every job and waits, idle, for more. Its output goes to `LABEL-worker.log`.
    fn stop_worker(
        &self,
        label: &str,
        mut worker: Worker,
        started: Instant,
    ) -> Result<Usage, String> {
        let pid = worker.pid();
        let (user, sys) = system::cpu_times(pid).unwrap_or_default();
        let max_rss_kib = system::peak_rss_kib(pid).unwrap_or(0);
        let status = worker.stop().map_err(|err| err.to_string())?;
        let log = self.work.join(format!("{label}-worker.log"));
        fs::write(&log, worker.output())
            .map_err(|err| format!("cannot write {}: {err}", log.display()))?;
        Ok(Usage {
            wall_s: started.elapsed().as_secs_f64(),
            user_s: user.as_secs_f64(),
            sys_s: sys.as_secs_f64(),
            max_rss_kib,
            code: status.code(),
        })
    }

    /// Runs a program that is not a slide (wrk, h2load, valgrind), measured the same way.
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
