//! The bench: where the programs are, how many runs a case gets, and one run of a case — a
//! slide or a tool — against a scenario's httpbin-lite (and, for the queue, its redis-server and
//! a fresh worker), measured from outside.

use std::fs;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use lab::{Binaries, Httpbin, Redis, Worker};

use crate::case::Case;
use crate::measure::Usage;
use crate::run_result::{RunResult, ServerCount};
use crate::running::{self, Measured};
use crate::{system, tools};

/// Runs for a case that should take 10 s or more: they are long, and steady.
pub const LONG_RUNS: usize = 3;

/// How the benchmark runs, and on what.
#[derive(Debug, Clone)]
pub struct Bench {
    /// Where the built programs are: httpbin-lite, the slides, the worker.
    pub bins: Binaries,
    /// Where each run's output and measurement, and each queue worker's log, go.
    pub work: PathBuf,
    pub smoke: bool,
    /// Runs per case (cases that should take 10 s or more: at most [`LONG_RUNS`]).
    pub runs: usize,
    pub cores: usize,
}

impl Bench {
    /// httpbin-lite on a free loopback port, answering each /uuid after `delay`.
    pub fn start_httpbin(&self, delay: Duration) -> Result<Httpbin, String> {
        Httpbin::start(&self.bins, delay, &[]).map_err(|err| err.to_string())
    }

    /// The path of the built program `name`, or an error that says how to build it.
    pub fn program(&self, name: &str) -> Result<PathBuf, String> {
        self.bins.path(name).map_err(|err| err.to_string())
    }

    /// Runs `case` once against `server` (and `redis`, for the queue), and prints what it cost:
    /// run `number` of `runs` of it in `scenario`. With `redis`, a fresh worker runs the jobs,
    /// so that its CPU time and memory are this run's; it may fetch only from the host
    /// httpbin-lite listens on, and is stopped when the run has ended.
    pub fn run_case(
        &self,
        (scenario, number, runs): (&str, usize, usize),
        case: &Case,
        limit: Duration,
        server: &Httpbin,
        redis: Option<&Redis>,
    ) -> Result<RunResult, String> {
        let name = case.label().replace(' ', "-");
        let label = format!("{scenario}-{name}-n{}-{number}", case.requests);
        let redis = redis.filter(|_| case.worker().is_some());
        if case.worker().is_some() && redis.is_none() {
            return Err("the queue needs a redis-server".into());
        }
        let started = Instant::now();
        let worker = redis.map(|redis| {
            let (allow_host, flags) = (server.addr().ip().to_string(), case.worker_flags());
            let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
            Worker::start(&self.bins, &redis.url(), &allow_host, &flags)
        });
        let worker = worker.transpose().map_err(|err| err.to_string())?;
        let program = match case.is_tool() {
            true => case.binary().into(),
            false => self.program(case.binary())?,
        };
        let args = case.slide_args(&server.url("/uuid"), redis.map(Redis::url).as_deref());
        let cpu = |pid| system::cpu_time(pid).unwrap_or_default();
        let (server_before, redis_before) = (cpu(server.pid()), redis.map(|r| cpu(r.pid())));
        // The peak in flight restarts at what is in flight now: nothing, between runs. A server
        // whose /stats cannot be read leaves the peak unknown; it is not a reason to stop.
        let stats_reset = server.reset_stats().is_ok();
        // Slide 5's pool starts processes of its own: getrusage gives only the largest of them,
        // so the tree's summed memory is sampled too.
        let sample_tree = case.slide.model == "processes";
        let client = running::run(&label, &program, &args, sample_tree, &self.work, limit)?;
        let worker = worker.map(|worker| self.stop_worker(&label, worker, started));
        let mut result = RunResult {
            client,
            worker: worker.transpose()?,
            server_cpu_s: cpu(server.pid())
                .saturating_sub(server_before)
                .as_secs_f64(),
            redis_cpu_s: redis
                .zip(redis_before)
                .map(|(redis, before)| cpu(redis.pid()).saturating_sub(before).as_secs_f64()),
            server: match stats_reset {
                true => ServerCount::read(server),
                false => ServerCount::default(),
            },
            printed: None,
        };
        // Let the server close the last connections before the next run starts.
        thread::sleep(Duration::from_millis(200));
        if case.is_tool() {
            let measured = &result.client;
            let text = fs::read_to_string(&measured.stdout).unwrap_or_default();
            let printed = tools::parse(case.slide.model, &text).ok_or_else(|| {
                let said = measured.last_error.clone().unwrap_or_default();
                let log = measured.stdout.display();
                format!("{} printed no rate (see {log}): {said}", case.binary())
            })?;
            result.printed = Some(printed);
        }
        let failed = match result.failed(case) {
            0 => String::new(),
            failed => format!(", {failed} FAILED"),
        };
        let rate = result.printed.as_ref();
        let rate = rate.map_or_else(String::new, |p| format!(", {:.0} requests/s", p.per_second));
        println!(
            "    {:<34} run {number}/{runs}: {:>8.3} s, {:>6.2} s CPU, {:>7.1} MB{rate}{failed}",
            case.label(),
            result.client.usage.wall_s,
            result.client_cpu_s(),
            result.client_rss_kib() as f64 * 1024.0 / 1e6,
        );
        Ok(result)
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

    /// Runs `case` against `url` under valgrind's `tool` (`massif`, `callgrind`), which writes
    /// its profile to `LABEL.TOOL` in the work directory: what the run said, and the profile.
    pub fn under_valgrind(
        &self,
        tool: &str,
        label: &str,
        case: &Case,
        url: &str,
    ) -> Result<(Measured, String), String> {
        let out = self.work.join(format!("{label}.{tool}"));
        let _ = fs::remove_file(&out);
        let mut args = vec![
            format!("--tool={tool}"),
            format!("--{tool}-out-file={}", out.display()),
        ];
        if tool == "massif" {
            args.extend(["--depth=30".into(), "--threshold=0.5".into()]);
        }
        args.push(self.program(case.binary())?.display().to_string());
        args.extend(case.slide_args(url, None));
        let limit = Duration::from_secs(300);
        let measured = running::run(label, "valgrind".as_ref(), &args, false, &self.work, limit)?;
        let profile = fs::read_to_string(&out).map_err(|err| {
            let said = measured.last_error.clone().unwrap_or_default();
            format!(
                "{tool} wrote no profile to {} ({err}); valgrind said: {said}",
                out.display()
            )
        })?;
        Ok((measured, profile))
    }
}
