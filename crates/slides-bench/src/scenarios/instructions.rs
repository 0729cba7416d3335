//! 7. Instructions per request, under valgrind's callgrind.
//!
//! Slide 7's reqwest against the reference client's raw hyper, both over HTTP/1.1: callgrind
//! counts every instruction each executes.
//!
//! Each runs at two sizes; the growth from the smaller to the larger over the requests added is
//! what one more request costs, without starting the program, building the client and exiting.
//! Then the functions the slide's requests spend their instructions in, counted the same way.

use std::collections::HashMap;
use std::fs;
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
use crate::units::percent;
use crate::yardsticks::REFERENCE;

/// The header of the scenario's table.
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
    totals: [u64; 2],
    functions: [HashMap<String, u64>; 2],
}

impl Counted {
    /// The requests added from the smaller size to the larger.
    fn added(&self) -> f64 {
        (self.cases[1].requests - self.cases[0].requests) as f64
    }

    /// Instructions one more request costs.
    fn per_request(&self) -> f64 {
        (self.totals[1] as f64 - self.totals[0] as f64) / self.added()
    }

    /// Each function's instructions per request added, as for the whole.
    fn function_per_request(&self) -> Vec<(String, f64)> {
        let [small, large] = &self.functions;
        let per_request = |(name, &count): (&String, &u64)| {
            let before = small.get(name).copied().unwrap_or(0);
            (name.clone(), (count as f64 - before as f64) / self.added())
        };
        let mut functions: Vec<(String, f64)> = large.iter().map(per_request).collect();
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
    let mut section = Section::new(
        "7. Instructions per request",
        intro.text(),
        Vec::new(),
        &header,
    );
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
        let [
            (small_total, small_functions),
            (large_total, large_functions),
        ] = [
            profile(bench, &cases[0], &url)?,
            profile(bench, &cases[1], &url)?,
        ];
        let command = cases[1].command("$URL");
        section
            .commands
            .push(format!("valgrind --tool=callgrind {command}"));
        counted.push(Counted {
            cases,
            totals: [small_total, large_total],
            functions: [small_functions, large_functions],
        });
    }
    let model = |c: &&Counted| c.cases[1].slide.model;
    let reference = counted.iter().find(|c| model(c) == "reference");
    let reference = reference.map(Counted::per_request);
    for client in &counted {
        let per_request = client.per_request();
        println!(
            "    {:<34} {:>10.0} instructions per request",
            client.cases[1].label(),
            per_request
        );
        section.row(vec![
            client.cases[1].label(),
            client.cases[1].protocol().into(),
            width.to_string(),
            thousands(client.totals[0] as f64),
            thousands(client.totals[1] as f64),
            thousands(per_request),
            reference.map_or_else(|| "–".into(), |r| format!("{:.2}", per_request / r)),
        ]);
    }
    if let Some(tokio) = counted.iter().find(|c| model(c) == "tokio") {
        section.tables.push(breakdown(tokio, reference));
        if let Some(note) = url_note(tokio, reference) {
            section.note(note);
        }
    }
    Ok(section)
}

/// Where slide 7's instructions per request go: its costliest functions, callees included.
fn breakdown(tokio: &Counted, reference: Option<f64>) -> Table {
    let whole = tokio.per_request();
    let caption = note("instructions.breakdown-caption")
        .with("whole", thousands(whole))
        .with("reference", reference.map_or_else(|| "–".into(), thousands));
    let mut table = Table::new(
        caption.text(),
        "function (callees included) | instructions per request | share of slide 7's",
    );
    // A chain of wrappers (a future that only polls the next) shows one cost several times
    // over: of a run of functions within 3% of each other, the outermost stands for them.
    let mut shown: Vec<(String, f64)> = Vec::new();
    let parts = tokio
        .function_per_request()
        .into_iter()
        .filter(|(name, per)| {
            *per < 0.6 * whole && !WRAPPERS.iter().any(|wrapper| name.starts_with(wrapper))
        });
    for (name, per) in parts {
        if shown.last().is_some_and(|(_, last)| per >= 0.97 * last) {
            continue;
        }
        shown.push((name, per));
        if shown.len() == SHOWN {
            break;
        }
    }
    for (name, per) in shown {
        table.rows.push(vec![
            format!("`{}`", shorten(&name)),
            thousands(per),
            percent(per / whole),
        ]);
    }
    table
}

/// What parsing the URL costs slide 7 per request, beside the reference client's whole request.
fn url_note(tokio: &Counted, reference: Option<f64>) -> Option<String> {
    let functions = tokio.function_per_request();
    let costliest = |prefix: &str| {
        functions
            .iter()
            .find(|(name, _)| name.starts_with(prefix))
            .map(|(_, per)| *per)
    };
    let url = costliest("url::")?;
    let idna = costliest("idna::").unwrap_or(0.0);
    let text = note("instructions.url")
        .with("url", thousands(url))
        .with("url_share", percent(url / tokio.per_request()))
        .with("idna", thousands(idna))
        .with("reference", reference.map_or_else(|| "–".into(), thousands));
    Some(text.text())
}

/// Runs the case under callgrind against `url`: its instructions, and each function's.
fn profile(bench: &Bench, case: &Case, url: &str) -> Result<(u64, HashMap<String, u64>), String> {
    let label = format!(
        "instructions-{}-n{}",
        case.label().replace(' ', "-"),
        case.requests
    );
    let out = bench.work.join(format!("{label}.callgrind"));
    let _ = fs::remove_file(&out);
    let mut args = vec![
        "--tool=callgrind".to_owned(),
        format!("--callgrind-out-file={}", out.display()),
        bench.program(case.binary())?.display().to_string(),
    ];
    args.extend(case.slide_args(url, None));
    let measured = bench.run_program(&label, "valgrind", &args, Duration::from_secs(300))?;
    if measured.summary.as_ref().is_none_or(|s| s.failed > 0) {
        return Err(format!(
            "{label}: requests failed under callgrind (see {})",
            measured.stdout.display()
        ));
    }
    let text = fs::read_to_string(&out).map_err(|err| {
        format!(
            "callgrind wrote no profile ({err}); valgrind said: {}",
            measured.last_error.unwrap_or_default()
        )
    })?;
    let total = callgrind::total(&text)
        .ok_or_else(|| format!("{} has no instruction count", out.display()))?;
    let annotated = Command::new("callgrind_annotate")
        .args(["--inclusive=yes", "--threshold=100"])
        .arg(&out)
        .output()
        .map_err(|err| format!("cannot run callgrind_annotate: {err}"))?;
    let annotated = String::from_utf8_lossy(&annotated.stdout);
    Ok((total, callgrind::inclusive(&annotated)))
}

/// A count with thousands separated: `68,712`.
fn thousands(value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_in_thousands() {
        assert_eq!(thousands(68_712.4), "68,712");
        assert_eq!(thousands(159_299_133.0), "159,299,133");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1_500.0), "-1,500");
        assert_eq!(thousands(f64::NAN), "–");
    }
}
