//! 3. Overhead: no delay at all, so all that is left is each model's own cost per request.
//!
//! wrk, on the same machine against the same server, is the yardstick.

use std::time::Duration;

use super::baseline::{self, Baseline};
use super::goals;
use super::{Settings, cases, cells, run_cases, section};
use crate::bench::Bench;
use crate::notes::note;
use crate::outcome::Outcome;
use crate::report::{Goal, Section};
use crate::units::{mb, percent, us};

/// The goal: tokio's requests/s at least this share of wrk's.
const OF_WRK: f64 = 0.8;

/// The header of the scenario's table, as Markdown writes it.
const COLUMNS: &str = "\
    model | width | requests/s (wall outside) | requests/s (slide's own clock) | \
    client CPU per request | of it in the kernel | httpbin-lite CPU per request | peak RSS | \
    × wrk | failed";

pub fn run(settings: &Settings, bench: &Bench) -> Result<Section, String> {
    let (requests, width, wrk_for) = if settings.smoke {
        (20, 4, 1)
    } else {
        (20_000, 64, 5)
    };
    let cases = cases::overhead(requests, width);
    let outcomes = run_cases(settings, bench, "overhead", Duration::ZERO, &cases)?;
    let wrk = if baseline::installed() {
        Some(baseline::run(bench, settings.runs, width, wrk_for)?)
    } else {
        None
    };
    let intro = note("overhead.intro")
        .with("requests", requests)
        .with("width", width)
        .with("wrk_for", wrk_for)
        .with("cores", bench.cores)
        .with("of_wrk", OF_WRK);
    let mut section = section("3. Overhead", intro.text(), "overhead", &outcomes, COLUMNS);
    section.commands.push(format!(
        "wrk {}   # against its own httpbin-lite, started the same way",
        baseline::args(width, wrk_for, "$URL").join(" ")
    ));
    let wrk_per_second = wrk.as_ref().and_then(Baseline::per_second);
    for outcome in &outcomes {
        let per_second = requests as f64 / outcome.wall_s();
        let own_clock = outcome.slide_wall_s().map(|wall| requests as f64 / wall);
        section.row(vec![
            outcome.case.label().into(),
            outcome.concurrency(bench.cores).to_string(),
            format!("{per_second:.0}"),
            cells::or_dash(own_clock.map(|per_second| format!("{per_second:.0}"))),
            us(outcome.cpu_s() / requests as f64),
            percent(outcome.sys_share()),
            us(outcome.server_cpu_s() / requests as f64),
            mb(outcome.rss_kib()),
            cells::or_dash(wrk_per_second.map(|wrk| format!("{:.2}", per_second / wrk))),
            cells::failed(outcome),
        ]);
    }
    let tokio = outcomes.iter().find(|o| o.case.label() == "tokio");
    match &wrk {
        Some(wrk) => {
            section.row(wrk.row(width));
            if let Some(tokio) = tokio {
                let goal = tokio_against_wrk(tokio, wrk, bench.cores);
                section.goals.push(goal);
            }
        }
        None => {
            section.note(note("overhead.no-wrk").text());
            section.goals.push(Goal::missed(
                goal_what(),
                "not measured".into(),
                "wrk is not installed".into(),
            ));
        }
    }
    section.note(note("overhead.cpu-per-request").text());
    let missed = section.goals.iter().any(|goal| !goal.met);
    if missed && wrk.is_some() && !settings.smoke {
        section.note(
            note("overhead.why-tokio-misses")
                .with("cores", bench.cores)
                .text(),
        );
    }
    Ok(section)
}

fn goal_what() -> String {
    format!("overhead: tokio's requests/s ≥ {OF_WRK} × wrk's")
}

/// The goal: tokio's requests/s against wrk's; if short, what each request cost each side.
fn tokio_against_wrk(tokio: &Outcome, wrk: &Baseline, cores: usize) -> Goal {
    let requests = tokio.case.requests as f64;
    let per_second = requests / tokio.wall_s();
    let wrk_per_second = wrk.per_second().unwrap_or(f64::NAN);
    let ratio = per_second / wrk_per_second;
    let measured = format!("{ratio:.2} ({per_second:.0} against {wrk_per_second:.0} requests/s)");
    if tokio.failed() > 0 {
        return Goal::missed(goal_what(), measured, goals::failed(tokio));
    }
    if ratio >= OF_WRK {
        return Goal::met(goal_what(), measured);
    }
    let client = tokio.cpu_s() / requests;
    let server = tokio.server_cpu_s() / requests;
    let mut why = note("overhead.tokio-cpu")
        .with("client", us(client))
        .with("server", us(server))
        .text();
    if let (Some(wrk_cpu), Some(wrk_server)) = (wrk.cpu_per_request(), wrk.server_per_request()) {
        let bound = |cpu: f64| format!("{cpu:.0}");
        why += &note("overhead.bounds")
            .with("wrk_cpu", us(wrk_cpu))
            .with("wrk_server", us(wrk_server))
            .with("cores", cores)
            .with("tokio_bound", bound(cores as f64 / (client + server)))
            .with("wrk_bound", bound(cores as f64 / (wrk_cpu + wrk_server)))
            .with("one_thread_bound", bound(1.0 / client))
            .text();
    }
    Goal::missed(goal_what(), measured, why)
}
