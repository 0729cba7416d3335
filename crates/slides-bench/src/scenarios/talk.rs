//! 1. The talk: 50 requests, 1 s each, every slide at its own default width.
//!
//! Slide 7b, the blocked event loop, takes 50 s like sync: it is shown, and not held to a floor
//! it cannot reach.

use std::time::Duration;

use lab::talk::Width;

use super::cases;
use crate::bench::Bench;
use crate::judge;
use crate::notes::note;
use crate::rounds::{run_cases, section};
use crate::section::Section;
use crate::units::{mb, ms, secs};

/// The goal: efficiency at least this for every slide but the queue.
const AT_LEAST: f64 = 0.95;
/// The queue's goal, end to end: enqueued, run by a worker, its result read back.
const QUEUE_AT_LEAST: f64 = 0.90;

const COLUMNS: &str = "\
    slide | model | width | floor | wall (median, min–max) | slide's own clock | efficiency | \
    CPU (user+sys) | peak RSS | failed";

pub fn run(bench: &Bench) -> Result<Section, String> {
    let (requests, delay) = if bench.smoke {
        (20, Duration::from_millis(10))
    } else {
        (50, Duration::from_secs(1))
    };
    let queue = cases::slide("queue")?;
    let (Some(worker), Width::PerWorker(worker_width)) = (queue.companion, queue.width) else {
        return Err("the talk's queue slide has no worker (see lab::talk)".into());
    };
    let outcomes = run_cases(bench, "talk", delay, &cases::talk(requests))?;
    let intro = note("talk.intro")
        .with("requests", requests)
        .with("delay", ms(delay.as_secs_f64()))
        .with("worker", worker.binary)
        .with("worker_width", worker_width)
        .with("at_least", format!("{AT_LEAST:.2}"))
        .with("queue_at_least", format!("{QUEUE_AT_LEAST:.2}"));
    let mut section = section("1. The talk", intro.text(), "talk", &outcomes, COLUMNS);
    for outcome in &outcomes {
        let floor = outcome.floor_s(delay, bench.cores);
        section.row(vec![
            outcome.case.slide.number.into(),
            outcome.case.label(),
            outcome.concurrency(bench.cores).to_string(),
            secs(floor),
            judge::wall_cell(outcome),
            judge::or_dash(outcome.slide_wall_s().map(secs)),
            format!("{:.3}", floor / outcome.wall_s()),
            secs(outcome.cpu_s()),
            mb(outcome.rss_kib()),
            judge::failed_cell(outcome),
        ]);
        // Its lesson is that it misses the floor: 50 tasks, one request at a time.
        if outcome.case.one_at_a_time() && outcome.case.slide.width != Width::One {
            let blocking = note("talk.blocking").with("requests", requests);
            let blocking = blocking.with("wall", secs(outcome.wall_s()));
            section.note(blocking.with("floor", secs(floor)).text());
            continue;
        }
        let queue = outcome.case.worker().is_some();
        let at_least = if queue { QUEUE_AT_LEAST } else { AT_LEAST };
        let goal = judge::efficiency("talk", outcome, delay, bench.cores, at_least);
        section.goals.push(goal);
    }
    section.note(note("talk.queue-cpu").text());
    if section.goals.iter().all(|goal| goal.met) {
        section.note(note("talk.every-model-at-its-floor").text());
    }
    Ok(section)
}
