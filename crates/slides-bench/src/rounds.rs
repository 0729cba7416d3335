//! Running a scenario's cases in rounds, each round every case once (a tool too), against
//! one httpbin-lite (and one redis-server, if a case needs one): whatever else the machine is
//! doing at some moment slows one run of each case rather than every run of one.

use std::time::Duration;

use crate::bench::{Bench, LONG_RUNS};
use crate::case::Case;
use crate::outcome::Outcome;
use crate::section::Section;
use crate::tools;
use crate::units::ms;

/// Runs `cases` in rounds, after a banner. A tool that is not installed is left out.
pub fn run_cases(
    bench: &Bench,
    scenario: &str,
    delay: Duration,
    cases: &[Case],
) -> Result<Vec<Outcome>, String> {
    println!(
        "\n==> {scenario}: httpbin-lite answering after {}",
        ms(delay.as_secs_f64())
    );
    let server = bench.start_httpbin(delay)?;
    let redis = match cases.iter().any(|case| case.worker().is_some()) {
        true => Some(lab::Redis::start(&[]).map_err(|err| err.to_string())?),
        false => None,
    };
    let installed = |case: &&Case| !case.is_tool() || tools::installed(case.binary());
    let outcome = |case: &Case| Outcome {
        case: case.clone(),
        runs: Vec::new(),
    };
    let mut outcomes: Vec<Outcome> = cases.iter().filter(installed).map(outcome).collect();
    // Planned by what the case should take (slide 7b's blocked loop, like sync, takes
    // N × delay, however many tasks it has): at most LONG_RUNS runs if 10 s or more, and a
    // time limit far past any sane result.
    let plans: Vec<(usize, Duration)> = outcomes
        .iter()
        .map(|outcome| {
            let expected = outcome.case.expected(delay, bench.cores);
            let long = expected >= Duration::from_secs(10);
            let runs = if long {
                bench.runs.min(LONG_RUNS)
            } else {
                bench.runs
            };
            (runs, Duration::from_secs(60) + expected * 3)
        })
        .collect();
    let rounds = plans.iter().map(|plan| plan.0).max();
    for number in 1..=rounds.unwrap_or(0) {
        for (outcome, &(runs, limit)) in outcomes.iter_mut().zip(&plans) {
            if number <= runs {
                let run = (scenario, number, runs);
                let result = bench.run_case(run, &outcome.case, limit, &server, redis.as_ref())?;
                outcome.runs.push(result);
            }
        }
    }
    Ok(outcomes)
}

/// A scenario's section for these outcomes: the commands that ran them, its table's header,
/// and the slides' runs in which requests failed (a smoke run fails on these).
pub fn section(
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
    // A tool's failures are its own to report, in its row: a smoke run fails on the slides'.
    let failed = |outcome: &&Outcome| !outcome.case.is_tool() && outcome.failed() > 0;
    for outcome in outcomes.iter().filter(failed) {
        section.failures.push(format!(
            "{scenario}: {} with {} requests: {} failed ({})",
            outcome.case.label(),
            outcome.case.requests,
            outcome.failed(),
            outcome.first_problem()
        ));
    }
    section
}
