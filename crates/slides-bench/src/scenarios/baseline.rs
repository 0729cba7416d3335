//! The overhead scenario's baseline: wrk, a load generator written in C, on one thread against
//! an httpbin-lite of its own started the same way, measured as the slides are.

use std::process::Command;
use std::thread;
use std::time::Duration;

use crate::bench::Bench;
use crate::procfs;
use crate::running::Measured;
use crate::stats::median;
use crate::units::{mb, percent, us};
use crate::wrk::{self, Printed};

use super::cells::or_dash;

/// wrk's runs, and how much CPU its httpbin-lite had used after each.
pub struct Baseline {
    runs: Vec<(Measured, Printed, Option<Duration>)>,
}

/// wrk's arguments: one thread, `width` connections, for `seconds`.
pub fn args(width: usize, seconds: u64, url: &str) -> Vec<String> {
    let (connections, duration) = (format!("-c{width}"), format!("-d{seconds}s"));
    vec!["-t1".into(), connections, duration, url.into()]
}

pub fn installed() -> bool {
    Command::new("wrk").arg("--version").output().is_ok()
}

/// Runs wrk `runs` times for `seconds` each with `width` connections.
pub fn run(bench: &Bench, runs: usize, width: usize, seconds: u64) -> Result<Baseline, String> {
    let server = bench.start_httpbin(Duration::ZERO)?;
    let mut baseline = Baseline { runs: Vec::new() };
    for number in 1..=runs {
        let measured = bench.run_tool(
            &format!("overhead-wrk-{number}"),
            "wrk",
            &args(width, seconds, &server.url("/uuid")),
            Duration::from_secs(seconds + 60),
        )?;
        let server_cpu = procfs::cpu_time(server.pid());
        let text = std::fs::read_to_string(&measured.stdout).unwrap_or_default();
        let printed = wrk::parse(&text).ok_or_else(|| {
            format!(
                "wrk printed no Requests/sec (see {}): {}",
                measured.stdout.display(),
                measured.last_error.clone().unwrap_or_default()
            )
        })?;
        println!(
            "    {:<34} run {number}/{runs}: {:>8.0} requests/s, {:>6.2} s CPU",
            "wrk",
            printed.per_second,
            measured.usage.cpu_s()
        );
        baseline.runs.push((measured, printed, server_cpu));
        thread::sleep(Duration::from_millis(200));
    }
    Ok(baseline)
}

impl Baseline {
    fn each(&self, figure: impl Fn(&Measured, &Printed) -> f64) -> Option<f64> {
        let values: Vec<f64> = self.runs.iter().map(|(m, p, _)| figure(m, p)).collect();
        median(&values)
    }

    /// Requests per second, median.
    pub fn per_second(&self) -> Option<f64> {
        self.each(|_, printed| printed.per_second)
    }

    /// wrk's own CPU time per request, median.
    pub fn cpu_per_request(&self) -> Option<f64> {
        self.each(|measured, printed| measured.usage.cpu_s() / printed.requests)
    }

    /// httpbin-lite's CPU per request under wrk: its total over all wrk runs (it served nothing
    /// else), over all requests.
    pub fn server_per_request(&self) -> Option<f64> {
        let (_, _, cpu) = self.runs.last()?;
        let served: f64 = self
            .runs
            .iter()
            .map(|(_, printed, _)| printed.requests)
            .sum();
        cpu.map(|cpu| cpu.as_secs_f64() / served)
    }

    /// wrk's row of the overhead table, whose columns it shares with the slides.
    pub fn row(&self, width: usize) -> Vec<String> {
        let sys = self.each(|measured, _| measured.usage.sys_s / measured.usage.cpu_s());
        let rss = self.each(|measured, _| measured.usage.max_rss_kib as f64);
        let mut errors = self.runs.iter().map(|(_, printed, _)| &printed.errors);
        let first_errors = errors.find(|errors| !errors.is_empty());
        vec![
            "wrk (C, one thread)".into(),
            width.to_string(),
            or_dash(self.per_second().map(|wrk| format!("{wrk:.0}"))),
            "–".into(),
            or_dash(self.cpu_per_request().map(us)),
            or_dash(sys.map(percent)),
            or_dash(self.server_per_request().map(us)),
            or_dash(rss.map(mb)),
            "1.00".into(),
            first_errors.cloned().unwrap_or_else(|| "0".into()),
        ]
    }
}
