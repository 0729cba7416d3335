//! `report.html`: one picture of every slide's concurrency, the table, and each slide's
//! timeline on a scale of its own, in one file that needs no network and no JavaScript — it
//! can be mailed, or opened from a USB stick. It is made for a projector: large dark text on
//! white, and charts that shrink with the page rather than run off it.

mod axis;
mod in_flight;
mod overview;
mod timeline;

use std::fmt::Write;

use crate::table::{Comparison, seconds};
use axis::escape;

/// Large, dark on white; the charts as wide as the page; a table too wide for the page
/// scrolls inside itself, so the page never does.
const STYLE: &str = "\
body { font: 18px/1.5 system-ui, sans-serif; color: #111111; background: #ffffff; \
margin: 0 auto; padding: 1rem 1.25rem 3rem; max-width: 1200px; }
h1 { font-size: 1.9rem; line-height: 1.25; }
h2 { font-size: 1.5rem; margin-top: 2.5rem; }
h3 { font-size: 1.25rem; margin: 2.25rem 0 .25rem; }
p { margin: .4rem 0; }
svg { display: block; width: 100%; height: auto; margin: .5rem 0 1rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid #8a8a8a; text-align: right; white-space: nowrap; }
th { border-bottom: 2px solid #111111; vertical-align: bottom; white-space: normal; }
th:nth-child(2), td:nth-child(2), th:last-child, td:last-child { text-align: left; }
";

pub fn render(comparison: &Comparison) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>async-slides: the comparison</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <h1>Introduction to Async programming — the comparison</h1>\n"
    );
    let delay = match comparison.delay {
        Some(d) => format!("each answer delayed {d:?} by httpbin-lite"),
        None => "against a server whose delay we do not control, so no floor is claimed".into(),
    };
    let _ = writeln!(
        page,
        "<p>Measured on this machine, {delay}. Every slide makes the same requests; what \
         changes is how many it keeps in flight.</p>"
    );
    overview::overview(&mut page, comparison);
    page.push_str(
        "<p>Each line counts the requests a slide had in flight, from its start to its last \
         answer; each bar is its wall time. The time axis is a log scale, so a 1-second slide \
         and a 50-second slide are both legible. The queue counts a job as in flight from when \
         it was put on the queue, waiting included.</p>\n",
    );
    page.push_str("<h2>The table</h2>\n");
    table(&mut page, comparison);
    page.push_str(
        "<h2>Each slide on its own scale</h2>\n<p>One bar per request, from when it was sent \
         to when its answer arrived; red is a failure. Each chart has a time axis of its own, \
         labelled in its own seconds: compare shapes here, and times in the picture above.</p>\n",
    );
    timeline::timelines(&mut page, comparison);
    page.push_str("</body>\n</html>\n");
    page
}

fn table(page: &mut String, comparison: &Comparison) {
    // The requests are in "ok" (50/50).
    page.push_str("<div class=\"scroll\">\n<table>\n<tr><th>slide</th><th>model</th>");
    page.push_str("<th>in flight</th><th>wall</th><th>floor</th>");
    page.push_str("<th>efficiency</th><th>cores</th><th>speed-up</th><th>ok</th>");
    page.push_str("<th>the talk (deck / notes)</th></tr>\n");
    for row in &comparison.rows {
        let s = &comparison.summaries[row.summary];
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{:.1}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>",
            escape(row.talk.map_or("?", |t| t.number)),
            escape(&row.what),
            s.concurrency,
            seconds(row.seconds),
            row.floor.map_or("-".into(), seconds),
            row.efficiency().map_or("-".into(), |e| format!("{e:.2}")),
            s.cores_used,
            row.speedup.map_or("-".into(), |x| format!("{x:.1}×")),
            s.ok,
            s.requests,
            escape(
                &row.talk
                    .map_or("-".into(), |t| format!("{} / {}", t.deck, t.notes))
            ),
        );
    }
    page.push_str("</table>\n</div>\n");
    let _ = writeln!(
        page,
        "<p>efficiency = floor ÷ wall; cores = CPU time ÷ wall; speed-up = sync's wall ÷ this \
         wall.</p>"
    );
    if comparison.delay.is_some() {
        let lines: Vec<String> = comparison.floor_note().lines().map(escape).collect();
        let _ = writeln!(page, "<p>{}.</p>", lines.join("<br>\n"));
    }
}
