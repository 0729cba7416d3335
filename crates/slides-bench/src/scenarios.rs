//! The five scenarios of issue 8, each turned into a section of the report: the commands, one
//! table, and its goals marked met or not with the figures that say why.

use std::path::PathBuf;
use std::time::Duration;

use crate::cases::{Bench, Case, Model, Outcome};
use crate::machine::Monitor;
use crate::massif;
use crate::measure::Measured;
use crate::report::{Goal, Section, Table, kib_per, mb, ms, secs, us};
use crate::services::{Httpbin, Redis};
use crate::stats::{median, range};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    Talk,
    Scale,
    Overhead,
    Memory,
    Enqueue,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::Talk,
        Scenario::Scale,
        Scenario::Overhead,
        Scenario::Memory,
        Scenario::Enqueue,
    ];
}

/// How the benchmark runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bin: PathBuf,
    pub work: PathBuf,
    pub smoke: bool,
    /// Runs per case (cases whose floor is 10 s or more: at most [`LONG_RUNS`]).
    pub runs: usize,
}

/// Runs for a case whose floor is 10 s or more: they are long, and steady.
const LONG_RUNS: usize = 3;

impl Settings {
    fn runs_for(&self, floor: Duration) -> usize {
        if floor >= Duration::from_secs(10) {
            self.runs.min(LONG_RUNS)
        } else {
            self.runs
        }
    }

    /// How long one run may take before it is stopped: far past any sane result.
    fn limit(floor: Duration) -> Duration {
        Duration::from_secs(60) + floor * 3
    }
}

pub fn run_all(settings: &Settings, scenarios: &[Scenario]) -> Result<Vec<Section>, String> {
    std::fs::create_dir_all(&settings.work)
        .map_err(|err| format!("cannot create {}: {err}", settings.work.display()))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bench = Bench {
        bin: &settings.bin,
        work: &settings.work,
        cores,
    };
    let mut sections = Vec::new();
    for scenario in scenarios {
        let monitor = Monitor::start();
        let mut section = match scenario {
            Scenario::Talk => talk(settings, &bench)?,
            Scenario::Scale => scale(settings, &bench)?,
            Scenario::Overhead => overhead(settings, &bench)?,
            Scenario::Memory => memory(settings, &bench)?,
            Scenario::Enqueue => enqueue(settings, &bench)?,
        };
        let seen = monitor.finish();
        if seen.busy > 0 {
            println!(
                "    (other programs ran meanwhile: {})",
                seen.names.join(", ")
            );
        }
        section.note(seen.summary());
        sections.push(section);
    }
    Ok(sections)
}

/// Runs each case in turn against one server (and one Redis), printing a banner first.
fn run_cases(
    settings: &Settings,
    bench: &Bench,
    scenario: &str,
    delay: Duration,
    cases: &[Case],
) -> Result<Vec<Outcome>, String> {
    println!(
        "\n==> {scenario}: httpbin-lite answering after {}",
        ms(delay.as_secs_f64())
    );
    let server = Httpbin::start(bench.bin, delay, bench.work)?;
    let needs_redis = cases.iter().any(|case| case.model == Model::Queue);
    let redis = if needs_redis {
        Some(Redis::start(bench.work, &format!("redis-{scenario}"))?)
    } else {
        None
    };
    cases
        .iter()
        .map(|case| {
            let floor = case.floor(delay, bench.cores);
            let runs = settings.runs_for(floor);
            bench.run(
                scenario,
                case,
                &server,
                redis.as_ref(),
                runs,
                Settings::limit(floor),
            )
        })
        .collect()
}

/// The commands of a scenario, each once.
fn commands(outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .flat_map(|o| o.case.shown_commands())
        .collect()
}

/// The efficiency goal of one row: floor ÷ wall ≥ `at_least`, and no request failed.
fn efficiency_goal(
    scenario: &str,
    outcome: &Outcome,
    delay: Duration,
    cores: usize,
    at_least: f64,
) -> Goal {
    let floor = outcome.floor_s(delay, cores);
    let wall = outcome.wall_s();
    let efficiency = floor / wall;
    let failed = outcome.failed();
    let what = format!(
        "{scenario}: {} efficiency ≥ {at_least:.2}",
        outcome.case.label
    );
    let measured = format!(
        "{efficiency:.2} ({} over a {} floor)",
        secs(wall),
        secs(floor)
    );
    if failed > 0 {
        return Goal::missed(
            what,
            measured,
            format!(
                "{failed} requests failed over {} runs; first: {}",
                outcome.runs.len(),
                outcome.first_problem().unwrap_or_else(|| "unknown".into())
            ),
        );
    }
    if efficiency >= at_least {
        return Goal::met(what, measured);
    }
    Goal::missed(what, measured, slow_because(outcome, floor, cores))
}

/// Where the time over the floor went, from what was measured.
fn slow_because(outcome: &Outcome, floor: f64, cores: usize) -> String {
    let wall = outcome.wall_s();
    let cpu = outcome.cpu_s();
    let server = outcome.server_cpu_s();
    let mut why = format!(
        "{} over the floor; the client used {} of CPU ({:.0}% of one core), httpbin-lite {}",
        secs(wall - floor),
        secs(cpu),
        100.0 * cpu / wall,
        secs(server)
    );
    if let Some(redis) = outcome.redis_cpu_s() {
        why.push_str(&format!(", redis-server {}", secs(redis)));
    }
    let total = cpu + server + outcome.redis_cpu_s().unwrap_or(0.0);
    if total > 0.8 * wall * cores as f64 {
        why.push_str(&format!(
            "; together {:.0}% of the machine's {cores} cores: CPU-bound",
            100.0 * total / (wall * cores as f64)
        ));
    }
    if let Some(own) = outcome.slide_wall_s() {
        why.push_str(&format!(
            "; by the slide's own clock {} (the rest is starting and stopping the program)",
            secs(own)
        ));
    }
    why
}

fn failed_cell(outcome: &Outcome) -> String {
    match outcome.failed() {
        0 => "0".into(),
        n => format!("**{n}**"),
    }
}

/// CPU time with the kernel's share of it: `2.30 s (71% sys)`.
fn cpu_cell(outcome: &Outcome) -> String {
    let share = outcome.sys_share();
    if share.is_finite() {
        format!("{} ({:.0}% sys)", secs(outcome.cpu_s()), share * 100.0)
    } else {
        secs(outcome.cpu_s())
    }
}

/// Notes a case whose requests failed, or that the slide refused to run.
fn check(section: &mut Section, scenario: &str, outcome: &Outcome) {
    let failed = outcome.failed();
    if failed > 0 {
        section.failures.push(format!(
            "{scenario}: {} with {} requests: {failed} failed ({})",
            outcome.case.label,
            outcome.case.requests,
            outcome.first_problem().unwrap_or_else(|| "unknown".into())
        ));
    }
}

fn wall_cell(outcome: &Outcome) -> String {
    match outcome.wall_range() {
        Some((low, high)) if outcome.runs.len() > 1 => {
            format!("{} ({}–{})", secs(outcome.wall_s()), secs(low), secs(high))
        }
        _ => secs(outcome.wall_s()),
    }
}

/// 1. The talk: 50 requests, 1 s each, every slide at its own default width.
fn talk(settings: &Settings, bench: &Bench) -> Result<Section, String> {
    let (requests, delay) = if settings.smoke {
        (20, Duration::from_millis(10))
    } else {
        (50, Duration::from_secs(1))
    };
    let cases: Vec<Case> = [
        Model::Sync,
        Model::Processes,
        Model::Threads,
        Model::Coroutines,
        Model::Tokio,
        Model::Queue,
    ]
    .into_iter()
    .map(|model| Case::new(model, requests, None))
    .collect();
    let outcomes = run_cases(settings, bench, "talk", delay, &cases)?;
    let mut section = Section::new(
        "1. The talk",
        format!(
            "{requests} requests, httpbin-lite answering each after {}, every slide at its own \
             default width (the queue: one slide08-worker at its default 32). Goal: efficiency \
             (floor ÷ wall) ≥ 0.95 for every slide, ≥ 0.90 end to end for the queue.",
            ms(delay.as_secs_f64())
        ),
        commands(&outcomes),
        &[
            "slide",
            "model",
            "width",
            "floor",
            "wall (median, min–max)",
            "slide's own clock",
            "efficiency",
            "CPU (user+sys)",
            "peak RSS",
            "failed",
        ],
    );
    for outcome in &outcomes {
        check(&mut section, "talk", outcome);
        let floor = outcome.floor_s(delay, bench.cores);
        section.row(vec![
            outcome.case.model.slide().into(),
            outcome.case.label.clone(),
            outcome.concurrency(bench.cores).to_string(),
            secs(floor),
            wall_cell(outcome),
            outcome.slide_wall_s().map_or("–".into(), secs),
            format!("{:.3}", floor / outcome.wall_s()),
            secs(outcome.cpu_s()),
            mb(outcome.rss_kib()),
            failed_cell(outcome),
        ]);
        let at_least = if outcome.case.model == Model::Queue {
            0.90
        } else {
            0.95
        };
        section.goals.push(efficiency_goal(
            "talk",
            outcome,
            delay,
            bench.cores,
            at_least,
        ));
    }
    section.note(
        "The queue's CPU and RSS are the producer's and the worker's added up; redis-server's \
         own CPU is not in them."
            .into(),
    );
    if section.goals.iter().all(|goal| goal.met) {
        section.note(
            "Every model reaches its floor: with 50 requests the waiting hides what each model \
             costs, which is why the scenarios below grow the work."
                .into(),
        );
    }
    Ok(section)
}

/// 2. Scale: 10 000 requests, 100 ms each, 1 000 in flight.
fn scale(settings: &Settings, bench: &Bench) -> Result<Section, String> {
    let (requests, delay, width, pool) = if settings.smoke {
        (20, Duration::from_millis(10), 5, 2)
    } else {
        (10_000, Duration::from_millis(100), 1_000, 100)
    };
    let cases = vec![
        Case::new(Model::Processes, requests, Some(pool)),
        Case::new(Model::Threads, requests, Some(width)),
        Case::new(Model::Coroutines, requests, Some(width)),
        Case::new(Model::Tokio, requests, Some(width)),
        Case::new(Model::Queue, requests, Some(width)),
    ];
    let outcomes = run_cases(settings, bench, "scale", delay, &cases)?;
    let mut section = Section::new(
        "2. Scale",
        format!(
            "{requests} requests, each answered after {}, {width} in flight (the process pool: \
             {pool} processes, since a process per request in flight is what no one runs; the \
             queue: one worker with --concurrency {width}). Goal: efficiency ≥ 0.9 for tokio, \
             ≥ 0.8 for threads, ≥ 0.7 for the queue; processes and coroutines are shown for \
             comparison. Slide 7 runs on one thread, as asyncio does.\n\n\
             Where the time over the floor goes, from each slide's own timeline: \"first wave \
             out by\" is when the last of the first {width} requests started (sending {width} \
             requests, and opening as many connections, takes a while); \"mean latency over \
             the delay\" is how much longer than {} a request took on average (the client's \
             and the server's work, and waiting for a busy thread to get to it); \"outside its \
             own clock\" is starting the program, its setup, writing the summary and exiting. \
             Roughly, wall ≈ first wave + ⌈N/C⌉ × (delay + mean latency over the delay) + \
             outside its own clock.",
            ms(delay.as_secs_f64()),
            ms(delay.as_secs_f64())
        ),
        commands(&outcomes),
        &[
            "model",
            "width",
            "floor",
            "wall (median, min–max)",
            "efficiency",
            "first wave out by",
            "mean latency over the delay",
            "outside its own clock",
            "CPU (user+sys; kernel share)",
            "CPU per request",
            "httpbin-lite CPU",
            "peak RSS",
            "failed",
        ],
    );
    for outcome in &outcomes {
        check(&mut section, "scale", outcome);
        let floor = outcome.floor_s(delay, bench.cores);
        let width = outcome.concurrency(bench.cores);
        // The queue's timeline starts every job when it was enqueued: no waves to see.
        let waves = outcome.case.model != Model::Queue;
        section.row(vec![
            outcome.case.label.clone(),
            width.to_string(),
            secs(floor),
            wall_cell(outcome),
            format!("{:.3}", floor / outcome.wall_s()),
            outcome
                .first_wave_s(width)
                .filter(|_| waves)
                .map_or("–".into(), secs),
            outcome
                .mean_extra_latency_s(delay)
                .filter(|_| waves)
                .map_or("–".into(), ms),
            outcome.outside_own_clock_s().map_or("–".into(), secs),
            cpu_cell(outcome),
            us(outcome.cpu_s() / requests as f64),
            secs(outcome.server_cpu_s()),
            mb(outcome.rss_kib()),
            failed_cell(outcome),
        ]);
        let goal = match outcome.case.model {
            Model::Tokio => Some(0.9),
            Model::Threads => Some(0.8),
            Model::Queue => Some(0.7),
            _ => None,
        };
        if let Some(at_least) = goal {
            section.goals.push(efficiency_goal(
                "scale",
                outcome,
                delay,
                bench.cores,
                at_least,
            ));
        }
    }
    let missed = |label: &str| {
        section
            .goals
            .iter()
            .any(|goal| !goal.met && goal.what.starts_with(&format!("scale: {label} ")))
    };
    // A smoke run's goals mean nothing, so it explains none.
    let (threads_missed, tokio_missed) = (
        missed("threads") && !settings.smoke,
        missed("tokio") && !settings.smoke,
    );
    if threads_missed {
        section.note(format!(
            "**Why threads miss.** Most of slide 6's CPU time is the kernel's (the kernel \
             share). ureq 3 resolves the host again for every request, before it looks for a \
             pooled connection, and when a timeout is set (the slides always set --timeout) its \
             `DefaultResolver` does it on a thread of its own so that a slow DNS lookup can be \
             abandoned: a thread started and ended for every request, even for 127.0.0.1. With \
             {width} threads doing that at once they contend for the process's memory map \
             (thread stacks mapped and unmapped), on top of ureq's two 128 KiB buffers per \
             connection (its defaults, zeroed when allocated). Both are in the slides' use of \
             ureq, not in the threads model: an agent whose resolver answers an IP address \
             without a thread, and smaller buffers, are proposed to the slides' maintainer."
        ));
    }
    if tokio_missed {
        section.note(format!(
            "**Why tokio misses.** The columns add up to its wall time: the first wave (one \
             thread opens {width} connections and sends {width} requests before the first \
             answer can be read), {} rounds of the mean latency over the delay (answers \
             come back in bursts, and each waits its turn for the one \
             thread that parses it and sends the next request), and the time outside its own \
             clock (starting, writing the {requests}-span summary, closing {width} \
             connections). All three are CPU work of reqwest, hyper and tokio \
             per request (the CPU per request column).",
            requests.div_ceil(width)
        ));
    }
    Ok(section)
}

/// What wrk reported.
struct WrkRun {
    measured: Measured,
    per_second: f64,
    requests: f64,
    errors: String,
}

/// Reads wrk's `Requests/sec:`, `N requests in` and any error lines.
fn parse_wrk(measured: Measured) -> Result<WrkRun, String> {
    let text = std::fs::read_to_string(&measured.stdout).unwrap_or_default();
    let per_second = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("Requests/sec:"))
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| {
            format!(
                "wrk printed no Requests/sec (see {}): {}",
                measured.stdout.display(),
                measured.last_error.clone().unwrap_or_default()
            )
        })?;
    let requests = text
        .lines()
        .find_map(|line| line.trim().split_once(" requests in "))
        .and_then(|(count, _)| count.trim().parse().ok())
        .unwrap_or(f64::NAN);
    let errors = text
        .lines()
        .filter(|line| line.contains("Socket errors") || line.contains("Non-2xx"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    Ok(WrkRun {
        measured,
        per_second,
        requests,
        errors,
    })
}

/// 3. Overhead: no delay at all, so all that is left is each model's own cost per request.
fn overhead(settings: &Settings, bench: &Bench) -> Result<Section, String> {
    let (requests, width, wrk_for) = if settings.smoke {
        (20, 4, 1)
    } else {
        (20_000, 64, 5)
    };
    let delay = Duration::ZERO;
    let cases = vec![
        Case::new(Model::Sync, requests, None),
        Case::new(Model::Processes, requests, Some(width)),
        Case::new(Model::Threads, requests, Some(width)),
        Case::new(Model::Coroutines, requests, Some(width)),
        Case::new(Model::Tokio, requests, Some(width)),
        Case::new(Model::Queue, requests, Some(width)),
    ];
    let outcomes = run_cases(settings, bench, "overhead", delay, &cases)?;

    // wrk against a fresh httpbin-lite of its own, as the slides had.
    let wrk_args = |url: &str| -> Vec<String> {
        vec![
            "-t1".into(),
            format!("-c{width}"),
            format!("-d{wrk_for}s"),
            url.into(),
        ]
    };
    let wrk_installed = std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok();
    let mut wrk_runs = Vec::new();
    if wrk_installed {
        let server = Httpbin::start(bench.bin, delay, bench.work)?;
        for number in 1..=settings.runs {
            let measured = bench.run_tool(
                &format!("overhead-wrk-{number}"),
                "wrk",
                &wrk_args(&server.uuid_url()),
                Duration::from_secs(wrk_for + 60),
            )?;
            let server_cpu = crate::procfs::cpu_time(server.service.pid());
            let run = parse_wrk(measured)?;
            println!(
                "    {:<34} run {number}/{}: {:>8.0} requests/s, {:>6.2} s CPU",
                "wrk",
                settings.runs,
                run.per_second,
                run.measured.usage.cpu_s()
            );
            wrk_runs.push((run, server_cpu));
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // httpbin-lite's CPU per request under wrk: its total over all wrk runs (it served nothing
    // else), over all requests.
    let wrk_server_us = wrk_runs.last().and_then(|(_, cpu)| *cpu).map(|cpu| {
        let served: f64 = wrk_runs.iter().map(|(run, _)| run.requests).sum();
        cpu.as_secs_f64() / served
    });
    let wrk_per_second = median(
        &wrk_runs
            .iter()
            .map(|(run, _)| run.per_second)
            .collect::<Vec<_>>(),
    );

    let mut shown = commands(&outcomes);
    shown.push(format!(
        "wrk {}   # against its own httpbin-lite, started the same way",
        wrk_args("$URL").join(" ")
    ));
    let mut section = Section::new(
        "3. Overhead",
        format!(
            "{requests} requests answered at once (no delay), {width} in flight (sync: 1), and \
             wrk -t1 -c{width} for {wrk_for} s against the same httpbin-lite: what each model \
             costs per request when there is no waiting to hide it. Client and server share \
             the machine's {} cores. Goal: tokio's requests/s ≥ 0.8 × wrk's.",
            bench.cores
        ),
        shown,
        &[
            "model",
            "width",
            "requests/s (wall outside)",
            "requests/s (slide's own clock)",
            "client CPU per request",
            "of it in the kernel",
            "httpbin-lite CPU per request",
            "peak RSS",
            "× wrk",
            "failed",
        ],
    );
    for outcome in &outcomes {
        check(&mut section, "overhead", outcome);
        let per_second = requests as f64 / outcome.wall_s();
        section.row(vec![
            outcome.case.label.clone(),
            outcome.concurrency(bench.cores).to_string(),
            format!("{per_second:.0}"),
            outcome.slide_wall_s().map_or("–".into(), |wall| {
                format!("{:.0}", requests as f64 / wall)
            }),
            us(outcome.cpu_s() / requests as f64),
            format!("{:.0}%", outcome.sys_share() * 100.0),
            us(outcome.server_cpu_s() / requests as f64),
            mb(outcome.rss_kib()),
            wrk_per_second.map_or("–".into(), |wrk| format!("{:.2}", per_second / wrk)),
            failed_cell(outcome),
        ]);
    }
    match wrk_per_second {
        Some(wrk) => {
            let cpu: Vec<f64> = wrk_runs
                .iter()
                .map(|(run, _)| run.measured.usage.cpu_s() / run.requests)
                .collect();
            let rss: Vec<f64> = wrk_runs
                .iter()
                .map(|(run, _)| run.measured.usage.max_rss_kib as f64)
                .collect();
            let sys: Vec<f64> = wrk_runs
                .iter()
                .map(|(run, _)| run.measured.usage.sys_s / run.measured.usage.cpu_s())
                .collect();
            section.row(vec![
                "wrk (C, one thread)".into(),
                width.to_string(),
                format!("{wrk:.0}"),
                "–".into(),
                median(&cpu).map_or("–".into(), us),
                median(&sys).map_or("–".into(), |share| format!("{:.0}%", share * 100.0)),
                wrk_server_us.map_or("–".into(), us),
                median(&rss).map_or("–".into(), mb),
                "1.00".into(),
                wrk_runs
                    .iter()
                    .map(|(run, _)| run.errors.clone())
                    .find(|errors| !errors.is_empty())
                    .unwrap_or_else(|| "0".into()),
            ]);
            if let Some(tokio) = outcomes.iter().find(|o| o.case.model == Model::Tokio) {
                section.goals.push(tokio_against_wrk(
                    tokio,
                    requests,
                    wrk,
                    median(&cpu),
                    wrk_server_us,
                    bench.cores,
                ));
            }
        }
        None => {
            section.note(
                "wrk is not installed, so there is no wrk row and the goal is not judged \
                 (`apt-get install wrk`)."
                    .into(),
            );
            section.goals.push(Goal::missed(
                "overhead: tokio ≥ 0.8 × wrk's requests/s".into(),
                "not measured".into(),
                "wrk is not installed".into(),
            ));
        }
    }
    section.note(
        "CPU per request is the client's user+sys time over the run (process start included) \
         divided by the requests; for the queue, the producer's and the worker's. httpbin-lite's \
         is its CPU time during the run over the same requests."
            .into(),
    );
    if section.goals.iter().any(|goal| !goal.met) && !wrk_runs.is_empty() && !settings.smoke {
        section.note(
            "**Why tokio misses.** The client CPU per request decides it (see the goal's \
             figures): client and httpbin-lite share two cores, so requests/s is set by how \
             much CPU each request costs the two together, and a one-thread client by its own. \
             wrk spends little beyond the kernel's part of a request (\"of it in the kernel\"); \
             reqwest, hyper and tokio spend more in user space per request: building the \
             request and its headers from the URL, checking a connection out of the pool and \
             back, passing the request to the connection's task through a channel, a task, a \
             permit and a timeout timer per request, reading the body. A profile (`perf record`) \
             of this slide spreads that cost over all of these, with no single hot spot to \
             remove from the slide."
                .into(),
        );
    }
    Ok(section)
}

fn tokio_against_wrk(
    tokio: &Outcome,
    requests: usize,
    wrk: f64,
    wrk_cpu: Option<f64>,
    wrk_server: Option<f64>,
    cores: usize,
) -> Goal {
    let per_second = requests as f64 / tokio.wall_s();
    let ratio = per_second / wrk;
    let what = "overhead: tokio's requests/s ≥ 0.8 × wrk's".to_owned();
    let measured = format!("{ratio:.2} ({per_second:.0} against {wrk:.0} requests/s)");
    if tokio.failed() > 0 {
        return Goal::missed(
            what,
            measured,
            format!("{} requests failed", tokio.failed()),
        );
    }
    if ratio >= 0.8 {
        return Goal::met(what, measured);
    }
    let client = tokio.cpu_s() / requests as f64;
    let server = tokio.server_cpu_s() / requests as f64;
    let mut why = format!(
        "per request the tokio client used {} of CPU and httpbin-lite {}",
        us(client),
        us(server)
    );
    if let (Some(wrk_cpu), Some(wrk_server)) = (wrk_cpu, wrk_server) {
        why.push_str(&format!(
            "; under wrk: wrk {} and httpbin-lite {}. With client and server on the same {cores} \
             cores, requests/s is bounded by {cores} ÷ (client + server CPU per request) — {:.0} \
             for tokio, {:.0} for wrk — and a one-thread client by 1 ÷ its own CPU per request \
             ({:.0} for tokio)",
            us(wrk_cpu),
            us(wrk_server),
            cores as f64 / (client + server),
            cores as f64 / (wrk_cpu + wrk_server),
            1.0 / client
        ));
    }
    Goal::missed(what, measured, why)
}

/// 4. Memory per request in flight: N = C, 1 s each, so every request is in flight at once.
fn memory(settings: &Settings, bench: &Bench) -> Result<Section, String> {
    let (sizes, pool, delay) = if settings.smoke {
        ([10, 20], 4, Duration::from_millis(10))
    } else {
        ([1_000, 10_000], 100, Duration::from_secs(1))
    };
    let mut cases = Vec::new();
    for model in [Model::Threads, Model::Coroutines, Model::Tokio] {
        for size in sizes {
            cases.push(Case::new(model, size, Some(size)));
        }
    }
    cases.push(Case::new(Model::Processes, pool, Some(pool)));
    let outcomes = run_cases(settings, bench, "memory", delay, &cases)?;
    let mut section = Section::new(
        "4. Memory per request in flight",
        format!(
            "N = C: every request in flight at once, each answered after {}. Peak RSS of the \
             client as the kernel counts it (ru_maxrss); for the process pool ({pool} \
             processes), the largest summed RSS of the parent and its children, sampled every \
             50 ms. \"Per request\" is the peak over N; \"marginal\" is the growth from {} to \
             {} in flight over the {} requests added, which leaves out what the program costs \
             with nothing in flight. Goal: tokio under 100 MB at {}.",
            ms(delay.as_secs_f64()),
            sizes[0],
            sizes[1],
            sizes[1] - sizes[0],
            sizes[1]
        ),
        commands(&outcomes),
        &[
            "model",
            "in flight",
            "peak RSS",
            "per request",
            "marginal per request",
            "wall",
            "failed",
        ],
    );
    for outcome in &outcomes {
        check(&mut section, "memory", outcome);
        let size = outcome.case.requests;
        if let Some(why) = outcome.refused() {
            section.row(vec![
                outcome.case.label.clone(),
                size.to_string(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                format!("not run: the slide refused ({why})"),
            ]);
            continue;
        }
        let smaller = outcomes.iter().find(|o| {
            o.case.model == outcome.case.model
                && o.case.requests == sizes[0]
                && size == sizes[1]
                && o.refused().is_none()
        });
        let marginal = smaller.map(|small| {
            kib_per(
                outcome.rss_kib() - small.rss_kib(),
                (sizes[1] - sizes[0]) as f64,
            )
        });
        section.row(vec![
            outcome.case.label.clone(),
            size.to_string(),
            mb(outcome.rss_kib()),
            kib_per(outcome.rss_kib(), size as f64),
            marginal.unwrap_or_else(|| "–".into()),
            secs(outcome.wall_s()),
            failed_cell(outcome),
        ]);
    }
    let heaps = heap_by_site(settings, bench, &mut section)?;
    if let Some(tokio) = outcomes
        .iter()
        .find(|o| o.case.model == Model::Tokio && o.case.requests == sizes[1])
    {
        let limit_kib = 100e6 / 1024.0;
        let what = format!("memory: tokio under 100 MB at {} in flight", sizes[1]);
        let measured = format!(
            "{} ({} per request)",
            mb(tokio.rss_kib()),
            kib_per(tokio.rss_kib(), sizes[1] as f64)
        );
        section.goals.push(if tokio.failed() > 0 {
            Goal::missed(
                what,
                measured,
                format!("{} requests failed", tokio.failed()),
            )
        } else if tokio.rss_kib() < limit_kib {
            Goal::met(what, measured)
        } else {
            let why = match heaps.iter().find(|(model, _, _)| *model == Model::Tokio) {
                Some((_, size, peak)) => {
                    let connection: u64 = peak
                        .sites
                        .iter()
                        .filter(|site| {
                            site.place.starts_with("hyper::")
                                || site.place.starts_with("tokio::sync::mpsc")
                        })
                        .map(|site| site.bytes)
                        .sum();
                    format!(
                        "HTTP/1.1 carries one request at a time per connection, so each request \
                         in flight holds a connection; at {size} in flight hyper's buffers and \
                         its request channel alone held {} per connection (the heap by \
                         allocation site below)",
                        kib_per(connection as f64 / 1024.0, *size as f64)
                    )
                }
                None => "see the notes below".into(),
            };
            Goal::missed(what, measured, why)
        });
        if tokio.failed() == 0 && tokio.rss_kib() >= limit_kib && !settings.smoke {
            section.note(
                "**Why tokio misses.** The heap table above names who holds the memory: per \
                 connection, hyper's write buffer and read buffer and the channel (an mpsc \
                 block of 32 slots) through which each request reaches its connection's task; \
                 the request's own task and future are small beside them. reqwest does not \
                 expose hyper's buffer sizes, and HTTP/1.1 needs one connection per request in \
                 flight: under 10 KiB per request would take a client that keeps less per \
                 connection, or HTTP/2, which carries many requests on one connection (both \
                 httpbin-lite and the slide would have to speak it)."
                    .into(),
            );
        }
        if tokio.wall_s() > 1.5 * delay.as_secs_f64() && !settings.smoke {
            section.note(format!(
                "tokio with {} in flight takes {} for a {} delay. A profile (`perf record`) \
                 puts the client's largest single cost in hyper-util's connection pool: every \
                 request that finds no idle connection is registered as a waiter, and when it \
                 gets a new connection instead, the pool drops canceled waiters by scanning \
                 them all (`clean_waiters`, a `VecDeque::retain`), which is quadratic in the \
                 requests waiting at once.",
                sizes[1],
                secs(tokio.wall_s()),
                secs(delay.as_secs_f64())
            ));
        }
    }
    if let Some((_, size, peak)) = heaps.iter().find(|(model, _, _)| *model == Model::Threads)
        && !settings.smoke
        && let Some(top) = peak.sites.first()
        && top.place.contains("LazyBuffers")
    {
        section.note(format!(
            "Threads: the heap table shows ureq's buffers at {} per connection: a 128 KiB input \
             and a 128 KiB output buffer by default, zeroed when first used, for an answer of \
             about 200 bytes (`input_buffer_size` and `output_buffer_size` on the agent set \
             them). The rest of a thread's cost is its stack's touched pages and the kernel's \
             own per-thread data.",
            kib_per(top.bytes as f64 / 1024.0, *size as f64)
        ));
    }
    Ok(section)
}

/// The memory section's second part: valgrind's massif on tokio and threads, the heap at its
/// peak by allocation site, per request in flight.
fn heap_by_site(
    settings: &Settings,
    bench: &Bench,
    section: &mut Section,
) -> Result<Vec<(Model, usize, massif::Peak)>, String> {
    let mut peaks = Vec::new();
    if !massif::installed() {
        section.note(
            "valgrind is not installed, so the heap is not broken down by allocation site \
             (apt-get install valgrind)."
                .into(),
        );
        return Ok(peaks);
    }
    // Under valgrind a program runs many times slower: a long delay keeps every request in
    // flight at once while the last ones are still being sent.
    let (delay, runs) = if settings.smoke {
        (
            Duration::from_secs(1),
            [(Model::Tokio, 10), (Model::Threads, 10)],
        )
    } else {
        (
            Duration::from_secs(5),
            [(Model::Tokio, 1_000), (Model::Threads, 100)],
        )
    };
    println!(
        "\n==> memory: the heap by allocation site (valgrind massif), httpbin-lite answering \
         after {}",
        secs(delay.as_secs_f64())
    );
    let server = Httpbin::start(bench.bin, delay, bench.work)?;
    for (model, size) in runs {
        let case = Case::new(model, size, Some(size));
        let args: Vec<String> = [
            "--url",
            &server.uuid_url(),
            "--requests",
            &size.to_string(),
            "--concurrency",
            &size.to_string(),
            "--quiet",
            "--json",
        ]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
        let label = format!("memory-massif-{}-n{size}", model.name());
        let peak = massif::profile(
            bench,
            &label,
            &bench.bin.join(model.binary()),
            &args,
            Duration::from_secs(300),
        )?;
        println!(
            "    {:<34} heap at its peak: {} ({} per request)",
            case.label,
            mb(peak.total as f64 / 1024.0),
            kib_per(peak.total as f64 / 1024.0, size as f64)
        );
        let mut table = Table::new(
            format!(
                "**{}, {size} in flight: the heap at its peak, {} ({} per request), by \
                 allocation site** — `valgrind --tool=massif {} --url $SLOW_URL --requests \
                 {size} --concurrency {size} --quiet --json`, against an httpbin-lite answering \
                 after {} so that under valgrind's slowdown every request is in flight at once. \
                 Heap only: no stacks, no allocator overhead.",
                model.name(),
                mb(peak.total as f64 / 1024.0),
                kib_per(peak.total as f64 / 1024.0, size as f64),
                model.binary(),
                secs(delay.as_secs_f64())
            ),
            &["allocated by", "per request in flight", "share of the heap"],
        );
        for site in peak.sites.iter().take(6) {
            table.rows.push(vec![
                format!("`{}`", site.place),
                kib_per(site.bytes as f64 / 1024.0, size as f64),
                format!(
                    "{:.0}%",
                    100.0 * site.bytes as f64 / peak.total.max(1) as f64
                ),
            ]);
        }
        section.tables.push(table);
        peaks.push((model, size, peak));
    }
    Ok(peaks)
}

/// 5. Queue enqueue: the talk's "0.01 s", for 50 jobs and for 10 000.
fn enqueue(settings: &Settings, bench: &Bench) -> Result<Section, String> {
    let sizes: [(usize, usize); 2] = if settings.smoke {
        [(5, 3), (20, 3)]
    } else {
        // Milliseconds vary more from run to run than seconds: more runs for the small one.
        [(50, settings.runs.max(11)), (10_000, settings.runs)]
    };
    println!("\n==> enqueue: a fresh redis-server, no worker");
    let redis = Redis::start(bench.work, "redis-enqueue")?;
    let mut section = Section::new(
        "5. Queue enqueue",
        "The producer with --no-wait puts N jobs on the Redis stream and exits, as the talk's \
         producer did; no worker runs, so nothing else touches Redis. \"Enqueue\" is the \
         producer's own clock from its first XADD to the last reply (Redis's side cannot be \
         timed from outside); \"whole program\" is the producer's wall time measured outside: \
         starting, connecting, creating the group, enqueueing, exiting. Goal: 50 jobs in ≤ 5 ms."
            .into(),
        Vec::new(),
        &[
            "jobs",
            "runs",
            "enqueue (median)",
            "enqueue (min–max)",
            "per job",
            "whole program (median)",
            "CPU (user+sys)",
        ],
    );
    for (jobs, runs) in sizes {
        let args: Vec<String> = [
            "--requests",
            &jobs.to_string(),
            "--no-wait",
            "--quiet",
            "--json",
            "--redis",
            &redis.url,
        ]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
        section.commands.push(format!(
            "slide08-producer --requests {jobs} --no-wait --quiet --json --redis $REDIS"
        ));
        let mut enqueue_s = Vec::new();
        let mut wall = Vec::new();
        let mut cpu = Vec::new();
        for number in 1..=runs {
            let measured = bench.run_tool(
                &format!("enqueue-{jobs}-{number}"),
                &bench.bin.join("slide08-producer").to_string_lossy(),
                &args,
                Duration::from_secs(60),
            )?;
            let took = measured.reported("enqueue_s").ok_or_else(|| {
                format!(
                    "slide08-producer reported no enqueue_s: {}",
                    measured.last_error.clone().unwrap_or_default()
                )
            })?;
            println!(
                "    {:<34} run {number}/{runs}: {:>8.3} ms enqueue, {:>8.3} ms whole",
                format!("{jobs} jobs"),
                took * 1e3,
                measured.usage.wall_s * 1e3
            );
            enqueue_s.push(took);
            wall.push(measured.usage.wall_s);
            cpu.push(measured.usage.cpu_s());
        }
        let took = median(&enqueue_s).unwrap_or(f64::NAN);
        section.row(vec![
            jobs.to_string(),
            runs.to_string(),
            ms(took),
            range(&enqueue_s).map_or("–".into(), |(low, high)| {
                format!("{}–{}", ms(low), ms(high))
            }),
            us(took / jobs as f64),
            median(&wall).map_or("–".into(), ms),
            median(&cpu).map_or("–".into(), ms),
        ]);
        if jobs == sizes[0].0 {
            let what = format!("enqueue: {jobs} jobs in ≤ 5 ms");
            let measured = format!("{} (median of {runs})", ms(took));
            section.goals.push(if took <= 0.005 {
                Goal::met(what, measured)
            } else {
                Goal::missed(what, measured, "see the notes below the table".into())
            });
        }
    }
    Ok(section)
}
