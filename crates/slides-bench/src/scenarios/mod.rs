//! The benchmark's seven scenarios, each turned into a section of the report: the commands, its
//! tables, and its goals marked met or not with the figures that say why.

mod cases;
mod cells;
mod clients;
mod cpu;
mod enqueue;
mod goals;
mod heap;
mod instructions;
mod memory;
mod overhead;
mod scale;
mod talk;
mod tools;

use std::path::PathBuf;
use std::time::Duration;

use lab::{Binaries, Httpbin, Redis};

use crate::bench::{Bench, Run};
use crate::case::Case;
use crate::outcome::Outcome;
use crate::quiet::Watch;
use crate::report::Section;
use crate::units::ms;

use self::tools::{ToolCase, ToolOutcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    Talk,
    Scale,
    Overhead,
    Memory,
    Enqueue,
    Cpu,
    Instructions,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Scenario::Talk,
        Scenario::Scale,
        Scenario::Overhead,
        Scenario::Memory,
        Scenario::Enqueue,
        Scenario::Cpu,
        Scenario::Instructions,
    ];

    /// Its name, as `--only` takes it and as each of its goals begins: "talk".
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Talk => "talk",
            Scenario::Scale => "scale",
            Scenario::Overhead => "overhead",
            Scenario::Memory => "memory",
            Scenario::Enqueue => "enqueue",
            Scenario::Cpu => "cpu",
            Scenario::Instructions => "instructions",
        }
    }
}

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
    fn runs_for(&self, expected: Duration) -> usize {
        if expected >= Duration::from_secs(10) {
            self.runs.min(LONG_RUNS)
        } else {
            self.runs
        }
    }

    /// How long one run may take before it is stopped: far past any sane result.
    fn limit(expected: Duration) -> Duration {
        Duration::from_secs(60) + expected * 3
    }
}

pub fn run_all(settings: &Settings, scenarios: &[Scenario]) -> Result<Vec<Section>, String> {
    std::fs::create_dir_all(&settings.work)
        .map_err(|err| format!("cannot create {}: {err}", settings.work.display()))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bench = Bench {
        bins: &settings.bins,
        work: &settings.work,
        cores,
    };
    let mut sections = Vec::new();
    for scenario in scenarios {
        let watch = Watch::start();
        let mut section = match scenario {
            Scenario::Talk => talk::run(settings, &bench)?,
            Scenario::Scale => scale::run(settings, &bench)?,
            Scenario::Overhead => overhead::run(settings, &bench)?,
            Scenario::Memory => memory::run(settings, &bench)?,
            Scenario::Enqueue => enqueue::run(settings, &bench)?,
            Scenario::Cpu => cpu::run(settings, &bench)?,
            Scenario::Instructions => instructions::run(settings, &bench)?,
        };
        let seen = watch.finish();
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
    let (server, redis) = start_servers(bench, scenario, delay, cases, &[])?;
    cases
        .iter()
        .map(|case| {
            // Planned by what the case should take: slide 7b's blocked loop, like sync, takes
            // N × delay, however many tasks it has.
            let expected = case.expected(delay, bench.cores);
            let runs = settings.runs_for(expected);
            let limit = Settings::limit(expected);
            bench.run(scenario, case, &server, redis.as_ref(), runs, limit)
        })
        .collect()
}

/// Runs the cases in rounds, each round every case once, so that whatever else the machine is
/// doing at some moment slows one run of each case rather than every run of one.
fn run_interleaved(
    settings: &Settings,
    bench: &Bench,
    scenario: &str,
    delay: Duration,
    cases: &[Case],
) -> Result<Vec<Outcome>, String> {
    let (outcomes, _) = run_rounds(settings, bench, scenario, delay, cases, &[], &[])?;
    Ok(outcomes)
}

/// [`run_interleaved`], with `tools` in every round too, against the same httpbin-lite
/// (started with `server_flags`). A tool that is not installed is left out.
fn run_rounds(
    settings: &Settings,
    bench: &Bench,
    scenario: &str,
    delay: Duration,
    cases: &[Case],
    tools: &[ToolCase],
    server_flags: &[&str],
) -> Result<(Vec<Outcome>, Vec<ToolOutcome>), String> {
    let (server, redis) = start_servers(bench, scenario, delay, cases, server_flags)?;
    let plans: Vec<(usize, Duration)> = cases
        .iter()
        .map(|case| {
            let expected = case.expected(delay, bench.cores);
            (settings.runs_for(expected), Settings::limit(expected))
        })
        .collect();
    let rounds = plans
        .iter()
        .map(|(runs, _)| *runs)
        .chain((!tools.is_empty()).then_some(settings.runs))
        .max()
        .unwrap_or(0);
    let mut outcomes: Vec<Outcome> = cases
        .iter()
        .map(|case| Outcome {
            case: case.clone(),
            runs: Vec::new(),
        })
        .collect();
    let mut tool_outcomes: Vec<ToolOutcome> = tools
        .iter()
        .filter(|tool| tool.installed())
        .map(|tool| ToolOutcome {
            case: *tool,
            runs: Vec::new(),
        })
        .collect();
    for number in 1..=rounds {
        for (outcome, &(runs, limit)) in outcomes.iter_mut().zip(&plans) {
            if number > runs {
                continue;
            }
            let run = Run {
                scenario,
                number,
                runs,
                limit,
            };
            let result = bench.run_numbered(&run, &outcome.case, &server, redis.as_ref())?;
            outcome.runs.push(result);
        }
        for tool in tool_outcomes.iter_mut().filter(|_| number <= settings.runs) {
            let run = tools::run_once(bench, scenario, &tool.case, &server, number, settings.runs)?;
            tool.runs.push(run);
        }
    }
    Ok((outcomes, tool_outcomes))
}

/// httpbin-lite answering after `delay`, and a redis-server if a case needs one, after a banner.
fn start_servers(
    bench: &Bench,
    scenario: &str,
    delay: Duration,
    cases: &[Case],
    server_flags: &[&str],
) -> Result<(Httpbin, Option<Redis>), String> {
    println!(
        "\n==> {scenario}: httpbin-lite answering after {}",
        ms(delay.as_secs_f64())
    );
    let server = bench.start_httpbin(delay, server_flags)?;
    let redis = if cases.iter().any(|case| case.worker().is_some()) {
        Some(bench.start_redis()?)
    } else {
        None
    };
    Ok((server, redis))
}

/// A scenario's section for these outcomes: the commands that ran them, its table's header,
/// and the runs in which requests failed (a smoke run fails on these).
fn section(
    title: &str,
    intro: String,
    scenario: &str,
    outcomes: &[Outcome],
    header: &str,
) -> Section {
    let commands = outcomes
        .iter()
        .flat_map(|outcome| outcome.case.shown_commands())
        .collect();
    let mut section = Section::new(title, intro, commands, header);
    for outcome in outcomes.iter().filter(|outcome| outcome.failed() > 0) {
        section.failures.push(format!(
            "{scenario}: {} with {} requests: {} failed ({})",
            outcome.case.label(),
            outcome.case.requests,
            outcome.failed(),
            goals::first_problem(outcome)
        ));
    }
    section
}
