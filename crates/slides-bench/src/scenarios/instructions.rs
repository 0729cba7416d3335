//! 7. Instructions per request, under valgrind's callgrind.
//!
//! Slide 7's reqwest against the reference client's raw hyper, both over HTTP/1.1: callgrind
//! counts every instruction each executes.
//!
//! Each runs at two sizes; the growth from the smaller to the larger over the requests added is
//! what one more request costs, without starting the program, building the client and exiting.
//! Then the functions the slide's requests spend their instructions in, counted the same way.

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use super::cases;
use crate::bench::Bench;
use crate::callgrind;
use crate::case::Case;
use crate::massif::shorten;
use crate::notes::note;
use crate::section::{Section, Table};
use crate::tools;
use crate::units::{percent, ratio, thousands};
use crate::yardsticks::REFERENCE;

const COLUMNS: &str = "\
    client | protocol | in flight | instructions at {small} | instructions at {large} | \
    per request | × reference";

/// Frames that hold all of a run, not a part of a request: the runtime and the futures around
/// every task.
const WRAPPERS: &[&str] = &[
    "tokio::runtime",
    "<futures_util::",
    "<F as ",
    "futures_util::",
    "<core::",
    "core::",
    "std::",
    "main",
    "(below main)",
    "0x",
    "slide07_tokio::",
    "reference_client::",
];

/// How many functions the breakdown shows.
const SHOWN: usize = 20;

/// One client's counts at both sizes, smaller first: the whole run's, and each function's.
struct Counted {
    cases: [Case; 2],
    counts: [(u64, HashMap<String, u64>); 2],
}

impl Counted {
    /// Instructions one more request costs: the growth from the smaller size to the larger.
    fn per_request(&self, count: impl Fn(usize) -> u64) -> f64 {
        let added = self.cases[1].requests - self.cases[0].requests;
        (count(1) as f64 - count(0) as f64) / added as f64
    }

    fn whole_per_request(&self) -> f64 {
        self.per_request(|at| self.counts[at].0)
    }

    /// Each function's instructions per request, costliest first.
    fn functions_per_request(&self) -> Vec<(&str, f64)> {
        let count = |name: &str, at: usize| self.counts[at].1.get(name).copied().unwrap_or(0);
        let names = self.counts[1].1.keys().map(String::as_str);
        let mut functions: Vec<(&str, f64)> = names
            .map(|name| (name, self.per_request(|at| count(name, at))))
            .collect();
        functions.sort_by(|a, b| b.1.total_cmp(&a.1));
        functions
    }
}

pub fn run(bench: &Bench) -> Result<Section, String> {
    let (small, large, width) = if bench.smoke {
        (5, 20, 4)
    } else {
        (200, 2_000, 64)
    };
    let header = COLUMNS
        .replace("{small}", &small.to_string())
        .replace("{large}", &large.to_string());
    let intro = note("instructions.intro")
        .with("small", small)
        .with("large", large)
        .with("width", width);
    let title = "7. Instructions per request";
    let mut section = Section::new(title, intro.text(), Vec::new(), &header);
    if !tools::installed("valgrind") {
        section.note(note("instructions.no-valgrind").text());
        return Ok(section);
    }
    println!("\n==> instructions: valgrind --tool=callgrind, httpbin-lite answering at once");
    let server = bench.start_httpbin(Duration::ZERO)?;
    let url = server.url("/uuid");
    let mut counted = Vec::new();
    for slide in [cases::slide("tokio")?, &REFERENCE] {
        let cases = [small, large].map(|size| Case::at(slide, size, width));
        let small = profile(bench, &cases[0], &url)?;
        let counts = [small, profile(bench, &cases[1], &url)?];
        let command = format!("valgrind --tool=callgrind {}", cases[1].command("$URL"));
        section.commands.push(command);
        counted.push(Counted { cases, counts });
    }
    let model = |c: &&Counted| c.cases[1].slide.model;
    let reference = counted.iter().find(|c| model(c) == "reference");
    let reference = reference.map(Counted::whole_per_request);
    for client in &counted {
        let (case, per_request) = (&client.cases[1], client.whole_per_request());
        println!(
            "    {:<34} {per_request:>10.0} instructions per request",
            case.label()
        );
        section.row(vec![
            case.label(),
            case.protocol().into(),
            width.to_string(),
            thousands(client.counts[0].0 as f64),
            thousands(client.counts[1].0 as f64),
            thousands(per_request),
            ratio(per_request, reference),
        ]);
    }
    if let Some(tokio) = counted.iter().find(|c| model(c) == "tokio") {
        section.tables.push(breakdown(tokio, reference));
        section.notes.extend(url_note(tokio, reference));
    }
    Ok(section)
}

/// Where slide 7's instructions per request go: its costliest functions, callees included.
fn breakdown(tokio: &Counted, reference: Option<f64>) -> Table {
    let whole = tokio.whole_per_request();
    let caption = note("instructions.breakdown-caption")
        .with("whole", thousands(whole))
        .with("reference", thousands(reference.unwrap_or(f64::NAN)));
    let header = "function (callees included) | instructions per request | share of slide 7's";
    let mut table = Table::new(caption.text(), header);
    // A chain of wrappers (a future that only polls the next) shows one cost several times
    // over: of a run of functions within 3% of each other, the outermost stands for them.
    let mut last = f64::INFINITY;
    for (name, per) in tokio.functions_per_request() {
        let wrapper = WRAPPERS.iter().any(|wrapper| name.starts_with(wrapper));
        if per >= 0.6 * whole || wrapper || per >= 0.97 * last {
            continue;
        }
        last = per;
        let row = [
            format!("`{}`", shorten(name)),
            thousands(per),
            percent(per / whole),
        ];
        table.rows.push(row.to_vec());
        if table.rows.len() == SHOWN {
            break;
        }
    }
    table
}

/// What parsing the URL costs slide 7 per request, beside the reference client's whole request.
fn url_note(tokio: &Counted, reference: Option<f64>) -> Option<String> {
    let functions = tokio.functions_per_request();
    let costliest = |prefix: &str| functions.iter().find(|(name, _)| name.starts_with(prefix));
    let url = costliest("url::")?.1;
    let idna = costliest("idna::").map_or(0.0, |(_, per)| *per);
    let text = note("instructions.url")
        .with("url", thousands(url))
        .with("url_share", percent(url / tokio.whole_per_request()))
        .with("idna", thousands(idna))
        .with("reference", thousands(reference.unwrap_or(f64::NAN)));
    Some(text.text())
}

/// Runs the case under callgrind against `url`: its instructions, and each function's.
fn profile(bench: &Bench, case: &Case, url: &str) -> Result<(u64, HashMap<String, u64>), String> {
    let name = case.label().replace(' ', "-");
    let label = format!("instructions-{name}-n{}", case.requests);
    let (measured, text) = bench.under_valgrind("callgrind", &label, case, url)?;
    if measured.summary.as_ref().is_none_or(|s| s.failed > 0) {
        let log = measured.stdout.display();
        return Err(format!(
            "{label}: requests failed under callgrind (see {log})"
        ));
    }
    let total = callgrind::total(&text)
        .ok_or_else(|| format!("{label}: callgrind's profile has no instruction count"))?;
    let annotated = Command::new("callgrind_annotate")
        .args(["--inclusive=yes", "--threshold=100"])
        .arg(bench.work.join(format!("{label}.callgrind")))
        .output()
        .map_err(|err| format!("cannot run callgrind_annotate: {err}"))?;
    let annotated = String::from_utf8_lossy(&annotated.stdout);
    Ok((total, callgrind::inclusive(&annotated)))
}
