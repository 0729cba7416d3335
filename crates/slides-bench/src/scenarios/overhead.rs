//! 3. Overhead: no delay at all, so all that is left is each model's own cost per request.
//!
//! wrk, on the same machine against the same server, is the yardstick; then slide 7 over
//! HTTP/1.1 and HTTP/2 beside the reference client, wrk and h2load, and the limit the server's
//! own CPU sets for every one of them.

use std::time::Duration;

use super::cases;
use crate::bench::Bench;
use crate::case::Case;
use crate::clients::{best_by, compared};
use crate::notes::note;
use crate::outcome::Outcome;
use crate::rounds::{run_cases, section};
use crate::section::{Goal, Section};
use crate::units::{floor_to, mb, percent, ratio, us};
use crate::yardsticks::{H2LOAD, WRK};
use crate::{clients, judge};

/// The goal: slide 7's requests/s at least this share of wrk's, each by its own clock.
const TOKIO_OF_WRK: f64 = 0.6;
/// The goal: the reference client's requests/s at least this share of wrk's, each by its own
/// clock.
const REFERENCE_OF_WRK: f64 = 0.85;

const COLUMNS: &str = "\
    model | width | requests/s (wall outside) | requests/s (slide's own clock) | \
    client CPU per request | of it in the kernel | httpbin-lite CPU per request | peak RSS | \
    × wrk (own clocks) | failed";

/// The columns of the table of clients and protocols between those every such table has.
const CLIENT_COLUMNS: &str = "\
    requests/s | httpbin-lite's limit | efficiency | × best | × wrk | client CPU per request | \
    httpbin-lite CPU per request | both on {cores} cores";

pub fn run(bench: &Bench) -> Result<Section, String> {
    let (requests, width, wrk_for) = if bench.smoke {
        (20, 4, 1)
    } else {
        (20_000, 64, 5)
    };
    let mut all = cases::overhead(requests, width);
    all.extend(cases::beside_slide_7(requests, width)?);
    let wrk = Case::at(&WRK, requests, width);
    let for_secs = Some(wrk_for);
    all.extend([
        Case { for_secs, ..wrk },
        Case::at(&H2LOAD, requests, width).over_http2(),
    ]);
    let outcomes = run_cases(bench, "overhead", Duration::ZERO, &all)?;
    let intro = note("overhead.intro")
        .with("requests", requests)
        .with("width", width)
        .with("wrk_for", wrk_for)
        .with("cores", bench.cores)
        .with("tokio_of_wrk", TOKIO_OF_WRK)
        .with("reference_of_wrk", REFERENCE_OF_WRK);
    let mut section = section("3. Overhead", intro.text(), "overhead", &outcomes, COLUMNS);
    let wrk = outcomes.iter().find(|o| o.case.slide.model == "wrk");
    let wrk_per_second = wrk.map(Outcome::per_second);
    for outcome in outcomes.iter().filter(|o| o.case.is_model()) {
        let per_second = requests as f64 / outcome.wall_s();
        let own_clock = outcome.own_per_second();
        section.row(vec![
            outcome.case.label(),
            outcome.concurrency(bench.cores).to_string(),
            format!("{per_second:.0}"),
            judge::or_dash(own_clock.map(|per_second| format!("{per_second:.0}"))),
            us(outcome.cpu_s() / requests as f64),
            percent(outcome.sys_share()),
            us(outcome.server_cpu_s() / requests as f64),
            mb(outcome.rss_kib()),
            judge::or_dash(own_clock.map(|own| ratio(own, wrk_per_second))),
            judge::failed_cell(outcome),
        ]);
    }
    if let Some(wrk) = wrk {
        section.row(vec![
            "wrk (C, one thread)".into(),
            width.to_string(),
            format!("{:.0}", wrk.per_second()),
            "–".into(),
            us(wrk.cpu_per_request()),
            percent(wrk.sys_share()),
            us(wrk.server_per_request()),
            mb(wrk.rss_kib()),
            "1.00".into(),
            clients::failed_cell(wrk),
        ]);
    } else {
        section.note(note("overhead.no-wrk").text());
    }
    section.note(note("overhead.cpu-per-request").text());

    let clients = compared(&outcomes);
    let cores = bench.cores as f64;
    // With no delay the floor is httpbin-lite's own CPU: N answers need N × its CPU per
    // answer, on every core at best. A server CPU time too small for /proc's clock ticks
    // gives no limit.
    let server_limit = |client: &Outcome| {
        Some(cores / client.server_per_request()).filter(|limit| limit.is_finite())
    };
    let best = best_by(&clients, Outcome::per_second).map(|(_, best)| best);
    let caption = note("overhead.clients-caption")
        .with("requests", requests)
        .with("width", width)
        .with("cores", bench.cores);
    let header = CLIENT_COLUMNS.replace("{cores}", &bench.cores.to_string());
    let server = clients.iter().map(|client| client.server_per_request());
    if let Some(lowest) = server
        .filter(|s| s.is_finite() && *s > 0.0)
        .min_by(f64::total_cmp)
    {
        let limit = note("overhead.server-limit")
            .with("cores", bench.cores)
            .with("server", us(lowest))
            .with("limit", format!("{:.0}", cores / lowest));
        section.note(limit.text());
    }
    let cells = |client: &Outcome| {
        let per_second = client.per_second();
        let bound = Some(client.bound(bench.cores)).filter(|bound| bound.is_finite());
        vec![
            format!("{per_second:.0}"),
            judge::or_dash(server_limit(client).map(|limit| format!("{limit:.0}"))),
            ratio(per_second, server_limit(client)),
            ratio(per_second, best),
            ratio(per_second, wrk_per_second),
            us(client.cpu_per_request()),
            us(client.server_per_request()),
            judge::or_dash(bound.map(|bound| format!("{bound:.0}"))),
        ]
    };
    clients::add_table(&mut section, caption, &header, &clients, bench.cores, cells);
    let mut tokio_missed = false;
    for (label, of_wrk) in [("tokio", TOKIO_OF_WRK), ("reference", REFERENCE_OF_WRK)] {
        let client = clients.iter().find(|client| client.case.label() == label);
        let goal = against_wrk(label, of_wrk, client, wrk, bench.cores);
        tokio_missed |= label == "tokio" && !goal.met;
        section.goals.push(goal);
    }
    // The note says why slide 7 misses; the reference client has no such note.
    if tokio_missed && wrk.is_some() && !bench.smoke {
        let why = note("overhead.why-tokio-misses").with("cores", bench.cores);
        section.note(why.text());
    }
    Ok(section)
}

/// The goal: `label`'s requests/s at least `of_wrk` of wrk's, each by its own clock (wrk's is
/// the time its threads ran); if short, what each request cost each side, and what that lets
/// two cores do.
fn against_wrk(
    label: &str,
    of_wrk: f64,
    client: Option<&&Outcome>,
    wrk: Option<&Outcome>,
    cores: usize,
) -> Goal {
    let what = format!("overhead: {label}'s requests/s ≥ {of_wrk} × wrk's, by their own clocks");
    let (Some(client), Some(wrk)) = (client, wrk) else {
        let why = if wrk.is_none() {
            "wrk is not installed"
        } else {
            "no row"
        };
        return Goal::missed(what, "not measured".into(), why.into());
    };
    let (outside, wrk_per_second) = (client.per_second(), wrk.per_second());
    let Some(per_second) = client.own_per_second() else {
        return Goal::missed(what, "not measured".into(), "it printed no summary".into());
    };
    let ratio = per_second / wrk_per_second;
    let measured = format!(
        "{} ({per_second:.0} against {wrk_per_second:.0} requests/s; {} with the program's \
         start and exit counted: {outside:.0})",
        floor_to(ratio, 3),
        floor_to(outside / wrk_per_second, 3)
    );
    let failed = clients::why_failed(client);
    Goal::judge(what, measured, failed, ratio >= of_wrk, || {
        let client_cpu = note("overhead.client-cpu")
            .with("label", label)
            .with("client", us(client.cpu_per_request()))
            .with("server", us(client.server_per_request()));
        let bounds = note("overhead.bounds")
            .with("label", label)
            .with("wrk_cpu", us(wrk.cpu_per_request()))
            .with("wrk_server", us(wrk.server_per_request()))
            .with("cores", cores)
            .with("client_bound", format!("{:.0}", client.bound(cores)))
            .with("wrk_bound", format!("{:.0}", wrk.bound(cores)));
        client_cpu.text() + &bounds.text()
    })
}
