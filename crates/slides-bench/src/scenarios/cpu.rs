//! 6. CPU-bound work: each answer also costs `--work` of CPU, and a core to spend it on.
//!
//! Each slide spends it where its model does its work (a thread, a child process, a task).
//! Waiting overlaps; computing needs cores, and a model that runs on one thread has one. Then
//! slide 7b, whose one thread each request blocks, beside slide 7.

use std::time::Duration;

use super::cases;
use crate::bench::Bench;
use crate::judge;
use crate::notes::{Note, note};
use crate::outcome::Outcome;
use crate::rounds::{run_cases, section};
use crate::section::{Goal, Section, Table};
use crate::units::{ceil_to, ms, secs};

/// The goal: with the talk's 50 requests and their work, threads take at most this share of
/// tokio's wall time on this machine.
const THREADS_OF_TOKIO: f64 = 0.7;

/// The goal: slide 7b takes at least this share of N × delay, one request after the other.
const BLOCKED_OF_SERIAL: f64 = 0.95;

/// The header of the two tables with work.
const COLUMNS: &str = "\
    model | width | work (N × w) | floor on K cores | one-core floor | wall (median, min–max) | \
    floor ÷ wall | one-core floor ÷ wall | CPU (user+sys) | cores used | cores used (slide's own) | \
    peak in flight | failed";

/// The header of the blocked loop's table.
const BLOCKED_COLUMNS: &str = "\
    model | tasks | floor | one at a time (N × d) | wall (median, min–max) | peak in flight | failed";

struct Part {
    requests: usize,
    delay: Duration,
    work: Duration,
}

pub fn run(bench: &Bench) -> Result<Section, String> {
    let ms = Duration::from_millis;
    let part = |requests, delay, work| Part {
        requests,
        delay: ms(delay),
        work: ms(work),
    };
    // The larger part runs every model `width` wide; the others at their own default widths.
    let (talk, large, width, blocked) = if bench.smoke {
        (part(6, 10, 2), part(20, 10, 1), 5, part(4, 10, 0))
    } else {
        (
            part(50, 100, 20),
            part(1_000, 100, 5),
            100,
            part(10, 200, 0),
        )
    };
    let talk_cases = cases::cpu_talk(talk.requests, talk.work);
    let large_cases = cases::cpu_at_scale(large.requests, width, large.work)?;
    let blocked_cases = cases::blocked_loop(blocked.requests)?;
    let at_talk = run_cases(bench, "cpu", talk.delay, &talk_cases)?;
    let at_large = run_cases(bench, "cpu", large.delay, &large_cases)?;
    let at_blocked = run_cases(bench, "cpu", blocked.delay, &blocked_cases)?;

    // The larger part's caption: its width, and what the models left out would take.
    let serial = large.requests as f64 * (large.delay + large.work).as_secs_f64();
    let large_caption = note("cpu.large-caption")
        .with("width", width)
        .with("serial", secs(serial));
    let intro = note("cpu.intro")
        .with("cores", bench.cores)
        .with("threads_of_tokio", THREADS_OF_TOKIO)
        .with("blocked_of_serial", BLOCKED_OF_SERIAL);
    let all = [at_talk.as_slice(), &at_large, &at_blocked].concat();
    let mut section = section("6. CPU-bound work", intro.text(), "cpu", &all, COLUMNS);
    section.tables = vec![
        work_table(&talk, &at_talk, bench.cores, note("cpu.talk-caption")),
        work_table(&large, &at_large, bench.cores, large_caption),
        blocked_table(&blocked, &at_blocked, bench.cores),
    ];
    section.note(note("cpu.queue-left-out").text());
    let threads = threads_against_tokio(&talk, &at_talk, bench.cores);
    section
        .goals
        .extend([threads, one_at_a_time(&blocked, &at_blocked)]);
    Ok(section)
}

/// A table of the models with work: each one's floors, its wall, and the cores it used.
fn work_table(part: &Part, outcomes: &[Outcome], cores: usize, caption: Note) -> Table {
    let caption = caption
        .with("requests", part.requests)
        .with("delay", ms(part.delay.as_secs_f64()))
        .with("work", ms(part.work.as_secs_f64()))
        .with("cores", cores);
    let mut table = Table::new(caption.text(), COLUMNS);
    for outcome in outcomes {
        let case = &outcome.case;
        let floor = outcome.floor_s(part.delay, cores);
        // Only a model that runs on one thread has a floor of its own: one core's.
        let one_core = case
            .slide
            .one_thread
            .then(|| outcome.best_s(part.delay, cores));
        let wall = outcome.wall_s();
        table.rows.push(vec![
            case.label(),
            outcome.concurrency(cores).to_string(),
            secs(case.requests as f64 * case.work.as_secs_f64()),
            secs(floor),
            judge::or_dash(one_core.map(secs)),
            judge::wall_cell(outcome),
            format!("{:.2}", floor / wall),
            judge::or_dash(one_core.map(|best| format!("{:.2}", best / wall))),
            judge::cpu_cell(outcome),
            format!("{:.2}", outcome.cores_used()),
            judge::or_dash(outcome.slide_cores_used().map(|used| format!("{used:.2}"))),
            judge::or_dash(outcome.server_peak_in_flight().map(|peak| peak.to_string())),
            judge::failed_cell(outcome),
        ]);
    }
    table
}

/// Slide 7b beside slide 7: the same tasks, and one request in flight instead of all of them.
fn blocked_table(part: &Part, outcomes: &[Outcome], cores: usize) -> Table {
    let caption = note("cpu.blocked-caption")
        .with("requests", part.requests)
        .with("delay", ms(part.delay.as_secs_f64()));
    let mut table = Table::new(caption.text(), BLOCKED_COLUMNS);
    let serial = part.requests as f64 * part.delay.as_secs_f64();
    for outcome in outcomes {
        table.rows.push(vec![
            outcome.case.label(),
            outcome.concurrency(cores).to_string(),
            secs(outcome.floor_s(part.delay, cores)),
            secs(serial),
            judge::wall_cell(outcome),
            judge::or_dash(outcome.server_peak_in_flight().map(|peak| peak.to_string())),
            judge::failed_cell(outcome),
        ]);
    }
    table
}

/// The goal: threads, which can work on every core, well ahead of tokio, which has one.
fn threads_against_tokio(part: &Part, outcomes: &[Outcome], cores: usize) -> Goal {
    let what = format!(
        "cpu: threads' wall ≤ {THREADS_OF_TOKIO} × tokio's ({} requests, {} delay, {} work each)",
        part.requests,
        ms(part.delay.as_secs_f64()),
        ms(part.work.as_secs_f64())
    );
    let find = |model| outcomes.iter().find(|o| o.case.label() == model);
    let (Some(threads), Some(tokio)) = (find("threads"), find("tokio")) else {
        let why = "no threads or tokio row".into();
        return Goal::missed(what, "not measured".into(), why);
    };
    let (threads_wall, tokio_wall) = (threads.wall_s(), tokio.wall_s());
    let ratio = threads_wall / tokio_wall;
    let measured = format!(
        "{} ({} against {})",
        ceil_to(ratio, 2),
        secs(threads_wall),
        secs(tokio_wall)
    );
    let failed = judge::why_failed(threads).or_else(|| judge::why_failed(tokio));
    Goal::judge(what, measured, failed, ratio <= THREADS_OF_TOKIO, || {
        note("cpu.threads-slow")
            .with("threads_cores", format!("{:.2}", threads.cores_used()))
            .with("tokio_cores", format!("{:.2}", tokio.cores_used()))
            .with("cores", cores)
            .with("floor", secs(threads.floor_s(part.delay, cores)))
            .with("best", secs(tokio.best_s(part.delay, cores)))
            .text()
    })
}

/// The goal: slide 7b runs its requests one after the other, and the server sees one at a time.
fn one_at_a_time(part: &Part, outcomes: &[Outcome]) -> Goal {
    let serial = part.requests as f64 * part.delay.as_secs_f64();
    let at_least = BLOCKED_OF_SERIAL * serial;
    let what = format!(
        "cpu: blocking, {} requests at {}, takes ≥ {} with 1 in flight at the server",
        part.requests,
        ms(part.delay.as_secs_f64()),
        secs(at_least)
    );
    let Some(blocked) = outcomes.iter().find(|o| o.case.label() == "blocking") else {
        return Goal::missed(what, "not measured".into(), "no blocking row".into());
    };
    // Every run must take that long: the fastest one decides.
    let fastest = blocked.wall_range().map_or(f64::NAN, |(low, _)| low);
    let peak = blocked.server_peak_in_flight();
    let measured = format!(
        "{} at the fastest of {} runs; peak in flight {}",
        secs(fastest),
        blocked.runs.len(),
        peak.map_or_else(|| "not read".into(), |peak| peak.to_string())
    );
    let fast = fastest.is_nan() || fastest < at_least;
    let overlapped = peak.is_some_and(|peak| peak != 1);
    let fast = fast.then(|| note("cpu.blocked-fast").with("serial", secs(serial)).text());
    let why: Vec<String> = [fast, overlapped.then(|| note("cpu.blocked-overlap").text())]
        .into_iter()
        .flatten()
        .collect();
    let failed = judge::why_failed(blocked);
    Goal::judge(what, measured, failed, why.is_empty(), || why.join("; "))
}
