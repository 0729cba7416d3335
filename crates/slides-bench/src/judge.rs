//! Judging a row — its efficiency against the floor, and, when it falls short, where the time
//! over the floor went or which requests failed — and the cells that several tables share.

use std::time::Duration;

use crate::notes::note;
use crate::outcome::Outcome;
use crate::section::Goal;
use crate::units::{floor_to, percent, secs};

/// The efficiency goal of one row: floor ÷ wall ≥ `at_least`, and no request failed.
pub fn efficiency(
    scenario: &str,
    outcome: &Outcome,
    delay: Duration,
    cores: usize,
    at_least: f64,
) -> Goal {
    let (floor, wall) = (outcome.floor_s(delay, cores), outcome.wall_s());
    let (label, efficiency) = (outcome.case.label(), floor / wall);
    let what = format!("{scenario}: {label} efficiency ≥ {at_least:.2}");
    let (wall_shown, floor_shown) = (secs(wall), secs(floor));
    let shown = floor_to(efficiency, 2);
    let measured = format!("{shown} ({wall_shown} over a {floor_shown} floor)");
    let (failed, met) = (why_failed(outcome), efficiency >= at_least);
    Goal::judge(what, measured, failed, met, || {
        slow_because(outcome, floor, cores)
    })
}

/// How many requests failed and the first thing that went wrong; `None` if none failed.
pub fn why_failed(outcome: &Outcome) -> Option<String> {
    let failed = note("goal.failed")
        .with("failed", outcome.failed())
        .with("runs", outcome.runs.len())
        .with("first", outcome.first_problem());
    (outcome.failed() > 0).then(|| failed.text())
}

/// Where the time over the floor went, from what was measured.
fn slow_because(outcome: &Outcome, floor: f64, cores: usize) -> String {
    let (wall, cpu, server) = (outcome.wall_s(), outcome.cpu_s(), outcome.server_cpu_s());
    let redis = outcome.redis_cpu_s();
    let mut why = note("goal.over-the-floor")
        .with("over", secs(wall - floor))
        .with("cpu", secs(cpu))
        .with("core_share", format!("{:.0}", 100.0 * cpu / wall))
        .with("server", secs(server))
        .text();
    if let Some(redis) = redis {
        why += &note("goal.redis").with("redis", secs(redis)).text();
    }
    let total = cpu + server + redis.unwrap_or(0.0);
    let machine = wall * cores as f64;
    if total > 0.8 * machine {
        let share = format!("{:.0}", 100.0 * total / machine);
        let cpu_bound = note("goal.cpu-bound").with("share", share);
        why += &cpu_bound.with("cores", cores).text();
    }
    if let Some(own) = outcome.slide_wall_s() {
        why += &note("goal.own-clock").with("own", secs(own)).text();
    }
    why
}

/// The median wall time, and over several runs the fastest and slowest: `1.2 s (1.1 s–1.3 s)`.
pub fn wall_cell(outcome: &Outcome) -> String {
    match outcome.wall_range() {
        Some((low, high)) if outcome.runs.len() > 1 => {
            format!("{} ({}–{})", secs(outcome.wall_s()), secs(low), secs(high))
        }
        _ => secs(outcome.wall_s()),
    }
}

/// CPU time with the kernel's share of it: `2.30 s (71% sys)`.
pub fn cpu_cell(outcome: &Outcome) -> String {
    let share = outcome.sys_share();
    if share.is_finite() {
        format!("{} ({} sys)", secs(outcome.cpu_s()), percent(share))
    } else {
        secs(outcome.cpu_s())
    }
}

/// Failed requests, in bold unless there are none; what a tool said went wrong, if it failed
/// none.
pub fn failed_cell(outcome: &Outcome) -> String {
    match (outcome.failed(), outcome.tool_errors()) {
        (0, Some(errors)) => errors.into(),
        (0, None) => "0".into(),
        (n, _) => format!("**{n}**"),
    }
}

/// A figure, or a dash where there is none.
pub fn or_dash(figure: Option<String>) -> String {
    figure.unwrap_or_else(|| "–".into())
}
