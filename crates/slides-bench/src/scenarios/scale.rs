//! 2. Scale: 10 000 requests, 100 ms each, 1 000 in flight.

use std::time::Duration;

use super::goals;
use super::{Settings, cases, cells, run_cases, section};
use crate::bench::Bench;
use crate::notes::note;
use crate::report::Section;
use crate::units::{mb, ms, secs, us};

// The goals: efficiency at least this for three models; the others are shown for comparison.
const TOKIO: f64 = 0.9;
const THREADS: f64 = 0.8;
const QUEUE: f64 = 0.7;

/// The header of the scenario's table, as Markdown writes it.
const COLUMNS: &str = "\
    model | width | floor | wall (median, min–max) | efficiency | first wave out by | \
    mean latency over the delay | outside its own clock | CPU (user+sys; kernel share) | \
    CPU per request | httpbin-lite CPU | peak RSS | failed";

pub fn run(settings: &Settings, bench: &Bench) -> Result<Section, String> {
    let (requests, delay, width, pool) = if settings.smoke {
        (20, Duration::from_millis(10), 5, 2)
    } else {
        (10_000, Duration::from_millis(100), 1_000, 100)
    };
    let cases = cases::scale(requests, width, pool)?;
    let outcomes = run_cases(settings, bench, "scale", delay, &cases)?;
    let intro = note("scale.intro")
        .with("requests", requests)
        .with("delay", ms(delay.as_secs_f64()))
        .with("width", width)
        .with("pool", pool)
        .with("tokio_goal", TOKIO)
        .with("threads_goal", THREADS)
        .with("queue_goal", QUEUE);
    let mut section = section("2. Scale", intro.text(), "scale", &outcomes, COLUMNS);
    let mut missed = Vec::new();
    for outcome in &outcomes {
        let floor = outcome.floor_s(delay, bench.cores);
        let width = outcome.concurrency(bench.cores);
        // The queue's timeline starts every job when it was enqueued: no waves to see.
        let waves = outcome.case.worker().is_none();
        let first_wave = outcome.first_wave_s(width).filter(|_| waves);
        let latency = outcome.mean_extra_latency_s(delay).filter(|_| waves);
        section.row(vec![
            outcome.case.label().into(),
            width.to_string(),
            secs(floor),
            cells::wall(outcome),
            format!("{:.3}", floor / outcome.wall_s()),
            cells::or_dash(first_wave.map(secs)),
            cells::or_dash(latency.map(ms)),
            cells::or_dash(outcome.outside_own_clock_s().map(secs)),
            cells::cpu(outcome),
            us(outcome.cpu_s() / requests as f64),
            secs(outcome.server_cpu_s()),
            mb(outcome.rss_kib()),
            cells::failed(outcome),
        ]);
        let label = outcome.case.label();
        let at_least = match label {
            "tokio" => TOKIO,
            "threads" => THREADS,
            "queue" => QUEUE,
            _ => continue,
        };
        let goal = goals::efficiency("scale", outcome, delay, bench.cores, at_least);
        if !goal.met {
            missed.push(label);
        }
        section.goals.push(goal);
    }
    // A smoke run's goals mean nothing, so it explains none.
    if settings.smoke {
        return Ok(section);
    }
    if missed.contains(&"threads") {
        section.note(note("scale.why-threads-miss").with("width", width).text());
    }
    if missed.contains(&"tokio") {
        let why = note("scale.why-tokio-misses")
            .with("width", width)
            .with("rounds", requests.div_ceil(width))
            .with("requests", requests);
        section.note(why.text());
    }
    Ok(section)
}
