//! Running a case: its slide several times against the same httpbin-lite (and, for the queue,
//! the same redis-server and a fresh worker for each run), each run measured from outside.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::case::Case;
use crate::outcome::{Outcome, RunResult};
use crate::running::{Job, Measured, Running};
use crate::services::{Httpbin, Redis};
use crate::{procfs, services};

/// What a scenario needs to run its cases.
pub struct Bench<'a> {
    pub bin: &'a Path,
    pub work: &'a Path,
    pub cores: usize,
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
            let label = format!("{scenario}-{}-n{}-{number}", case.label(), case.requests);
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
        let (worker, queue) = match (case.worker(), redis) {
            (Some(worker), Some(redis)) => (
                Some(self.start_worker(label, worker, case, redis)?),
                Some(redis),
            ),
            (Some(_), None) => return Err("the queue needs a redis-server".into()),
            (None, _) => (None, None),
        };
        let server_before = procfs::cpu_time(server.service.pid()).unwrap_or_default();
        let redis_before = queue.and_then(|r| procfs::cpu_time(r.service.pid()));
        let job = Job {
            label: label.into(),
            program: self.bin.join(case.slide.binary),
            args: case.slide_args(&server.uuid_url(), queue.map(|r| r.url.as_str())),
            sample_tree: case.starts_processes(),
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

    /// A fresh worker for one run, so that its CPU time and memory are that run's.
    fn start_worker(
        &self,
        label: &str,
        worker: &str,
        case: &Case,
        redis: &Redis,
    ) -> Result<Running, String> {
        let job = Job {
            label: format!("{label}-worker"),
            program: self.bin.join(worker),
            args: case.worker_args(&redis.url),
            sample_tree: false,
        };
        let mut running = Running::start(&job, self.work)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        // Bounded by the deadline.
        while Instant::now() < deadline {
            let said = fs::read_to_string(running.stdout()).unwrap_or_default();
            if said.contains("waiting for jobs") {
                return Ok(running);
            }
            if !running.alive() {
                let measured = running.stop()?;
                return Err(format!(
                    "{worker} did not start: {}",
                    measured
                        .last_error
                        .unwrap_or_else(|| services::last_line(&said))
                ));
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = running.stop();
        Err(format!("{worker} was not waiting for jobs within 10 s"))
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
