//! 2. Scale: 10 000 requests, 100 ms each, 1 000 in flight.
//!
//! Then slide 7 over HTTP/1.1 and HTTP/2 beside the reference client and h2load, in the same
//! rounds against the same httpbin-lite: how near each gets to the floor, and to the best of them.

use std::time::Duration;

use super::cases;
use crate::bench::Bench;
use crate::case::Case;
use crate::clients::{best_by, compared};
use crate::notes::note;
use crate::outcome::Outcome;
use crate::rounds::{run_cases, section};
use crate::section::{Goal, Section};
use crate::units::{floor_to, mb, ms, ratio, secs, us};
use crate::yardsticks::H2LOAD;
use crate::{clients, judge};

// The goals: efficiency at least this for three models; the others are shown for comparison.
const TOKIO: f64 = 0.9;
const THREADS: f64 = 0.85;
const QUEUE: f64 = 0.7;
/// Slide 7, over either protocol, at least this share of the best client's efficiency, and of
/// h2load's over the same protocol.
const OF_BEST: f64 = 0.95;
/// The reference client, over either protocol, at least this efficiency.
const REFERENCE: f64 = 0.9;

const COLUMNS: &str = "\
    model | width | floor | wall (median, min–max) | efficiency | first wave out by | \
    mean latency over the delay | outside its own clock | CPU (user+sys; kernel share) | \
    CPU per request | httpbin-lite CPU | peak RSS | failed";

/// The columns of the table of clients and protocols between those every such table has.
const CLIENT_COLUMNS: &str =
    "efficiency | × best | client CPU per request | httpbin-lite CPU per request | peak RSS";

pub fn run(bench: &Bench) -> Result<Section, String> {
    let (requests, delay, width, pool) = if bench.smoke {
        (20, Duration::from_millis(10), 5, 2)
    } else {
        (10_000, Duration::from_millis(100), 1_000, 100)
    };
    let mut all = cases::scale(requests, width, pool)?;
    all.extend(cases::beside_slide_7(requests, width)?);
    let h2load = Case::at(&H2LOAD, requests, width);
    all.extend([h2load.clone(), h2load.over_http2()]);
    let outcomes = run_cases(bench, "scale", delay, &all)?;
    let intro = note("scale.intro")
        .with("requests", requests)
        .with("delay", ms(delay.as_secs_f64()))
        .with("width", width)
        .with("pool", pool)
        .with("tokio_goal", TOKIO)
        .with("threads_goal", THREADS)
        .with("queue_goal", QUEUE)
        .with("of_best", OF_BEST)
        .with("reference_goal", REFERENCE);
    let mut section = section("2. Scale", intro.text(), "scale", &outcomes, COLUMNS);
    let mut missed = Vec::new();
    for outcome in outcomes.iter().filter(|o| o.case.is_model()) {
        let floor = outcome.floor_s(delay, bench.cores);
        let width = outcome.concurrency(bench.cores);
        // The queue's timeline starts every job when it was enqueued: no waves to see.
        let waves = outcome.case.worker().is_none();
        let first_wave = outcome.first_wave_s(width).filter(|_| waves);
        let latency = outcome.mean_extra_latency_s(delay).filter(|_| waves);
        section.row(vec![
            outcome.case.label(),
            width.to_string(),
            secs(floor),
            judge::wall_cell(outcome),
            format!("{:.3}", floor / outcome.wall_s()),
            judge::or_dash(first_wave.map(secs)),
            judge::or_dash(latency.map(ms)),
            judge::or_dash(outcome.outside_own_clock_s().map(secs)),
            judge::cpu_cell(outcome),
            us(outcome.cpu_s() / requests as f64),
            secs(outcome.server_cpu_s()),
            mb(outcome.rss_kib()),
            judge::failed_cell(outcome),
        ]);
        let label = outcome.case.label();
        let at_least = match label.as_str() {
            "tokio" => TOKIO,
            "threads" => THREADS,
            "queue" => QUEUE,
            _ => continue,
        };
        let goal = judge::efficiency("scale", outcome, delay, bench.cores, at_least);
        if !goal.met {
            missed.push(label);
        }
        section.goals.push(goal);
    }

    // Slide 7 and the reference over both protocols, then the tools.
    let clients = compared(&outcomes);
    let efficiency = |client: &Outcome| client.floor_s(delay, 1) / client.wall_s();
    let best = best_by(&clients, efficiency);
    let caption = note("scale.clients-caption")
        .with("requests", requests)
        .with("delay", ms(delay.as_secs_f64()))
        .with("width", width);
    let cells = |client: &Outcome| {
        let own = efficiency(client);
        vec![
            format!("{own:.3}"),
            ratio(own, best.map(|(_, best)| best)),
            us(client.cpu_per_request()),
            us(client.server_per_request()),
            mb(client.rss_kib()),
        ]
    };
    clients::add_table(
        &mut section,
        caption,
        CLIENT_COLUMNS,
        &clients,
        bench.cores,
        cells,
    );
    for client in &clients {
        let own = efficiency(client);
        // The best over the same protocol: what that protocol let any client reach here.
        let same_protocol = |other: &Outcome| match other.case.http2 == client.case.http2 {
            true => efficiency(other),
            false => f64::NAN, // left out, as best_by leaves out what is not a number
        };
        let protocol_best = best_by(&clients, same_protocol);
        match client.case.slide.model {
            "tokio" => {
                section
                    .goals
                    .push(of_best(client, own, best, protocol_best, &clients));
                let h2load = clients.iter().find(|other| {
                    other.case.http2 == client.case.http2 && other.case.slide.model == "h2load"
                });
                section.goals.extend(
                    h2load.map(|h2load| of_h2load(client, own, h2load, efficiency(h2load))),
                );
            }
            "reference" => section
                .goals
                .push(reference_goal(client, own, protocol_best, delay)),
            _ => {}
        }
    }
    // A smoke run's goals mean nothing, so it explains none.
    if bench.smoke {
        return Ok(section);
    }
    if missed.iter().any(|label| label == "threads") {
        section.note(note("scale.why-threads-miss").with("width", width).text());
    }
    if missed.iter().any(|label| label == "tokio") {
        let why = note("scale.why-tokio-misses")
            .with("width", width)
            .with("rounds", requests.div_ceil(width))
            .with("requests", requests);
        section.note(why.text());
    }
    Ok(section)
}

/// The goal: slide 7's efficiency at least [`OF_BEST`] of the best client's in this run.
fn of_best(
    client: &Outcome,
    own: f64,
    best: Option<(&Outcome, f64)>,
    protocol_best: Option<(&Outcome, f64)>,
    clients: &[&Outcome],
) -> Goal {
    let label = client.case.label();
    let what = format!("scale: {label} efficiency ≥ {OF_BEST} × the best client's");
    let Some((best, best_efficiency)) = best else {
        return Goal::missed(what, "not measured".into(), "no client succeeded".into());
    };
    let (ratio, best_label) = (own / best_efficiency, best.case.label());
    let shown = floor_to(ratio, 3);
    let measured = format!("{shown} ({own:.3} against {best_efficiency:.3}, {best_label})");
    let failed = clients::why_failed(client);
    Goal::judge(what, measured, failed, ratio >= OF_BEST, || {
        // Beside the reference over the same protocol, what the slide's client adds.
        let reference = clients.iter().find(|other| {
            other.case.http2 == client.case.http2 && other.case.slide.model == "reference"
        });
        let reference = reference.map(|r| us(r.cpu_per_request()));
        let why = note("scale.short-of-best")
            .with("label", &label)
            .with("over", ms(client.wall_s() * (1.0 - own)))
            .with("client", us(client.cpu_per_request()))
            .with("server", us(client.server_per_request()))
            .with("best", best_label)
            .with("best_client", us(best.cpu_per_request()))
            .with("best_server", us(best.server_per_request()))
            .with("reference", judge::or_dash(reference));
        why.text() + &protocol_limit(client, protocol_best, Some(best_efficiency))
    })
}

/// The goal: slide 7's efficiency at least [`OF_BEST`] of h2load's over the same protocol, a
/// client in C that does nothing else.
fn of_h2load(client: &Outcome, own: f64, h2load: &Outcome, h2load_efficiency: f64) -> Goal {
    let (label, protocol) = (client.case.label(), client.case.protocol());
    let what = format!("scale: {label} efficiency ≥ {OF_BEST} × h2load's over {protocol}");
    let ratio = own / h2load_efficiency;
    let shown = floor_to(ratio, 3);
    let measured = format!("{shown} ({own:.3} against {h2load_efficiency:.3})");
    let h2load_failed = || clients::why_failed(h2load).map(|why| format!("h2load: {why}"));
    let failed = clients::why_failed(client).or_else(h2load_failed);
    Goal::judge(what, measured, failed, ratio >= OF_BEST, || {
        let (mine, theirs) = (client.cpu_per_request(), h2load.cpu_per_request());
        format!(
            "per request {label} used {} of CPU, h2load {}",
            us(mine),
            us(theirs)
        )
    })
}

/// The goal: the reference client at least [`REFERENCE`] of the floor.
fn reference_goal(
    client: &Outcome,
    own: f64,
    protocol_best: Option<(&Outcome, f64)>,
    delay: Duration,
) -> Goal {
    let what = format!("scale: {} efficiency ≥ {REFERENCE:.2}", client.case.label());
    let (floor, wall) = (client.floor_s(delay, 1), client.wall_s());
    let shown = floor_to(own, 3);
    let measured = format!("{shown} ({} over a {} floor)", secs(wall), secs(floor));
    let failed = clients::why_failed(client);
    Goal::judge(what, measured, failed, own >= REFERENCE, || {
        let why = note("scale.reference-short")
            .with("over", ms(wall - floor))
            .with("client", us(client.cpu_per_request()))
            .with("server", us(client.server_per_request()));
        why.text() + &protocol_limit(client, protocol_best, None)
    })
}

/// What the best client over the same protocol reached in this run (or that this one was it):
/// how far that protocol lets any client go against this server. Against the best client of
/// all, when it is given, as a ratio too.
fn protocol_limit(client: &Outcome, best: Option<(&Outcome, f64)>, of: Option<f64>) -> String {
    let Some((best, efficiency)) = best else {
        return String::new();
    };
    let protocol = client.case.protocol();
    if best.case.label() == client.case.label() {
        return note("scale.protocol-own-best")
            .with("protocol", protocol)
            .text();
    }
    let ratio = of.map_or_else(String::new, |of| {
        format!(", {:.3} × the best", efficiency / of)
    });
    note("scale.protocol-best")
        .with("protocol", protocol)
        .with("best", best.case.label())
        .with("efficiency", format!("{efficiency:.3}"))
        .with("ratio", ratio)
        .text()
}
