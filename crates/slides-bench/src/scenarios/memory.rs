//! 4. Memory per request in flight: N = C, 1 s each, so every request is in flight at once.

use std::time::Duration;

use super::cases;
use super::heap::{self, Heap};
use crate::bench::Bench;
use crate::judge;
use crate::notes::note;
use crate::outcome::Outcome;
use crate::rounds::{run_cases, section};
use crate::section::{Goal, Section};
use crate::units::{kib_per, mb, ms, secs};

/// The goal: tokio under this many MB (10^6 bytes) at the larger size.
const TOKIO_MB: f64 = 100.0;
/// The goals over HTTP/2 at the larger size, at most this many MB: slide 7, the reference.
const TOKIO_H2_MB: f64 = 130.0;
const REFERENCE_H2_MB: f64 = 60.0;

/// The header of the scenario's table, as Markdown writes it.
const COLUMNS: &str = "\
    model | in flight | connections | peak RSS | per request | marginal per request | wall | \
    failed";

pub fn run(bench: &Bench) -> Result<Section, String> {
    let (sizes, pool, delay) = if bench.smoke {
        ([10, 20], 4, Duration::from_millis(10))
    } else {
        ([1_000, 10_000], 100, Duration::from_secs(1))
    };
    let [small, large] = sizes;
    let mut all = cases::memory(sizes, pool)?;
    all.extend(cases::memory_http2(sizes)?);
    let outcomes = run_cases(bench, "memory", delay, &all)?;
    let intro = note("memory.intro")
        .with("delay", ms(delay.as_secs_f64()))
        .with("pool", pool)
        .with("small", small)
        .with("large", large)
        .with("added", large - small)
        .with("goal", TOKIO_MB)
        .with("tokio_h2_goal", TOKIO_H2_MB)
        .with("reference_h2_goal", REFERENCE_H2_MB);
    let title = "4. Memory per request in flight";
    let mut section = section(title, intro.text(), "memory", &outcomes, COLUMNS);
    let at = |label: &str, size| {
        let found = |o: &&Outcome| o.case.label() == label && o.case.requests == size;
        outcomes.iter().find(found)
    };
    for outcome in &outcomes {
        let size = outcome.case.requests;
        let label = outcome.case.label();
        if let Some(why) = outcome.refused() {
            let mut row = vec![label, size.to_string()];
            row.extend(["–"; 5].map(String::from));
            row.push(note("memory.refused").with("why", why).text());
            section.row(row);
            continue;
        }
        // From the smaller size to this one, if this is the larger.
        let smaller = at(&label, small).filter(|o| size == large && o.refused().is_none());
        let added = (large - small) as f64;
        let marginal = smaller.map(|smaller| kib_per(outcome.rss_kib() - smaller.rss_kib(), added));
        section.row(vec![
            label,
            size.to_string(),
            judge::or_dash(outcome.server_connections().map(|n| format!("{n:.0}"))),
            mb(outcome.rss_kib()),
            kib_per(outcome.rss_kib(), size as f64),
            judge::or_dash(marginal),
            secs(outcome.wall_s()),
            judge::failed_cell(outcome),
        ]);
    }
    let heaps = heap::by_site(bench, &mut section)?;
    if let Some(tokio) = at("tokio", large) {
        section.goals.push(tokio_goal(tokio, &heaps));
        // Why tokio holds what it holds, and why it takes longer than the delay, when it does.
        if !bench.smoke && tokio.failed() == 0 && !under_the_goal(tokio) {
            section.note(note("memory.why-tokio-misses").text());
        }
        if !bench.smoke && tokio.wall_s() > 1.5 * delay.as_secs_f64() {
            let slow = note("memory.tokio-slow")
                .with("size", tokio.case.requests)
                .with("wall", secs(tokio.wall_s()))
                .with("delay", secs(delay.as_secs_f64()));
            section.note(slow.text());
        }
    }
    for (label, most) in [("tokio h2", TOKIO_H2_MB), ("reference h2", REFERENCE_H2_MB)] {
        section
            .goals
            .extend(at(label, large).map(|outcome| at_most(outcome, most)));
    }
    let threads = heaps.iter().find(|heap| heap.label == "threads");
    if let Some(heap) = threads
        && !bench.smoke
        && let Some(top) = heap.peak.sites.first()
        && top.place.contains("LazyBuffers")
    {
        let buffers = kib_per(top.bytes as f64 / 1024.0, heap.size as f64);
        let buffers = note("memory.threads-buffers").with("per_connection", buffers);
        section.note(buffers.text());
    }
    Ok(section)
}

/// The goal: at most `most` MB with every request in flight over HTTP/2.
fn at_most(outcome: &Outcome, most: f64) -> Goal {
    let (label, size) = (outcome.case.label(), outcome.case.requests);
    let what = format!("memory: {label} ≤ {most} MB at {size} in flight");
    let met = outcome.rss_kib() <= most * 1e6 / 1024.0;
    Goal::judge(what, peak(outcome), judge::why_failed(outcome), met, || {
        let connections = outcome.server_connections().unwrap_or(f64::NAN);
        let over = note("memory.http2-over").with("connections", format!("{connections:.0}"));
        over.text()
    })
}

/// The peak, and per request in flight.
fn peak(outcome: &Outcome) -> String {
    let per_request = kib_per(outcome.rss_kib(), outcome.case.requests as f64);
    format!("{} ({per_request} per request)", mb(outcome.rss_kib()))
}

fn under_the_goal(tokio: &Outcome) -> bool {
    tokio.rss_kib() < TOKIO_MB * 1e6 / 1024.0
}

/// The goal: tokio under 100 MB with every request in flight; if not, who holds the memory.
fn tokio_goal(tokio: &Outcome, heaps: &[Heap]) -> Goal {
    let size = tokio.case.requests;
    let what = format!("memory: tokio under {TOKIO_MB} MB at {size} in flight");
    let failed = judge::why_failed(tokio);
    Goal::judge(what, peak(tokio), failed, under_the_goal(tokio), || {
        let Some(heap) = heaps.iter().find(|heap| heap.label == "tokio") else {
            return note("memory.see-below").text();
        };
        let of_a_connection = ["hyper::", "tokio::sync::mpsc"];
        let sites = heap.peak.sites.iter();
        let of_connections =
            sites.filter(|site| of_a_connection.iter().any(|p| site.place.starts_with(p)));
        let connection: u64 = of_connections.map(|site| site.bytes).sum();
        let per_connection = kib_per(connection as f64 / 1024.0, heap.size as f64);
        note("memory.tokio-connections")
            .with("size", heap.size)
            .with("per_connection", per_connection)
            .text()
    })
}
