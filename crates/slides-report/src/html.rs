//! `report.html`: the table and a timeline per slide on one time axis, in one file that needs
//! no network and no JavaScript — it can be mailed, or opened from a USB stick.

use std::fmt::Write;

use crate::table::{Comparison, Span, seconds};

const WIDTH: f64 = 960.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
/// Past this many requests, several share a row of the picture.
const MAX_ROWS: usize = 100;

pub fn render(comparison: &Comparison) -> String {
    let mut page = String::new();
    page.push_str(concat!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<title>async-slides: the comparison</title>\n<style>\n",
        "body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #1f2937; }\n",
        "table { border-collapse: collapse; margin: 1rem 0; }\n",
        "th, td { padding: .3rem .45rem; border-bottom: 1px solid #e5e7eb; text-align: right; white-space: nowrap; }\n",
        "th:nth-child(2), td:nth-child(2), th:last-child, td:last-child { text-align: left; }\n",
        "th:last-child, td:last-child { white-space: normal; }\n",
        "svg { display: block; margin-bottom: 1.5rem; }\n",
        "svg text { font: 11px system-ui, sans-serif; fill: #4b5563; }\n",
        ".note { color: #6b7280; }\n",
        "</style>\n</head>\n<body>\n",
        "<h1>Introduction to Async programming — the comparison</h1>\n",
    ));
    let delay = match comparison.delay {
        Some(d) => format!("each answer delayed {d:?} by httpbin-lite"),
        None => "against a server whose delay we do not control, so no floor is claimed".into(),
    };
    let _ = writeln!(
        page,
        "<p class=\"note\">Measured on this machine, {delay}.</p>"
    );
    table(&mut page, comparison);
    timelines(&mut page, comparison);
    page.push_str("</body>\n</html>\n");
    page
}

fn table(page: &mut String, comparison: &Comparison) {
    page.push_str("<table>\n<tr><th>slide</th><th>model</th><th>requests</th><th>concurrency</th>");
    page.push_str("<th>wall</th><th>floor</th><th>efficiency</th><th>cores</th><th>speed-up</th>");
    page.push_str("<th>ok</th>");
    page.push_str("<th>the talk (deck / notes)</th></tr>\n");
    for row in &comparison.rows {
        let s = &comparison.summaries[row.summary];
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{:.1}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>",
            escape(row.talk.map_or("?", |t| t.number)),
            escape(&row.what),
            s.requests,
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
    page.push_str("</table>\n");
    if comparison.delay.is_some() {
        let _ = writeln!(
            page,
            "<p class=\"note\">{}. efficiency = floor ÷ wall; cores = CPU time ÷ wall.</p>",
            escape(&comparison.floor_note())
        );
    }
}

fn timelines(page: &mut String, comparison: &Comparison) {
    page.push_str(
        "<h2>Timelines</h2>\n<p class=\"note\">One bar per request, from when it was \
                   sent to when its answer arrived; every slide on the same time axis, so a \
                   short picture is a fast run. Red is a failure.</p>\n",
    );
    let longest = comparison
        .summaries
        .iter()
        .map(|s| s.wall_s)
        .fold(f64::EPSILON, f64::max);
    for s in &comparison.summaries {
        let title = lab::talk::find(&s.slide).map_or(s.slide.clone(), |t| {
            format!("Slide {}: {} ({})", t.number, t.title, s.slide)
        });
        let _ = writeln!(page, "<h3>{} — {}</h3>", escape(&title), seconds(s.wall_s));
        if s.timeline.is_empty() {
            page.push_str("<p class=\"note\">No timeline recorded for this run.</p>\n");
            continue;
        }
        svg(page, &s.timeline, longest);
    }
}

/// One slide's requests as bars on a time axis from 0 to `longest` seconds.
fn svg(page: &mut String, spans: &[Span], longest: f64) {
    let per_row = spans.len().div_ceil(MAX_ROWS).max(1);
    let rows = spans.len().div_ceil(per_row);
    let row_height = (300.0 / rows as f64).clamp(3.0, 10.0);
    let plot = WIDTH - LEFT - RIGHT;
    let top = 4.0;
    let bottom = top + rows as f64 * row_height;
    let height = bottom + 22.0;
    let x = |t: f64| LEFT + t / longest * plot;
    let _ = writeln!(
        page,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" role=\"img\">"
    );
    // Gridlines and their labels, at a round step.
    let step = nice_step(longest / 8.0);
    let mut tick = 0.0;
    while tick <= longest + step * 1e-9 {
        let _ = writeln!(
            page,
            "<line x1=\"{0:.1}\" y1=\"{top}\" x2=\"{0:.1}\" y2=\"{bottom:.1}\" stroke=\"#e5e7eb\"/>\
             <text x=\"{0:.1}\" y=\"{1:.1}\" text-anchor=\"middle\">{2}</text>",
            x(tick),
            bottom + 15.0,
            tick_label(tick, step)
        );
        tick += step;
    }
    let mut sorted: Vec<&Span> = spans.iter().collect();
    sorted.sort_by_key(|span| span.index);
    // Bars sharing a row are see-through, so where more overlap the row is darker.
    let opacity = if per_row == 1 {
        1.0
    } else {
        (2.0 / per_row as f64).max(0.08)
    };
    for (n, span) in sorted.iter().enumerate() {
        let row = n / per_row;
        let y = top + row as f64 * row_height;
        let colour = if span.ok { "#2563eb" } else { "#dc2626" };
        let _ = writeln!(
            page,
            "<rect x=\"{:.2}\" y=\"{y:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{colour}\" \
             fill-opacity=\"{opacity:.2}\"><title>#{} {:.3}–{:.3} s</title></rect>",
            x(span.start_s),
            (x(span.end_s) - x(span.start_s)).max(1.0),
            (row_height - 1.0).max(1.0),
            span.index,
            span.start_s,
            span.end_s,
        );
    }
    let label = if per_row == 1 {
        "requests".to_owned()
    } else {
        format!("{per_row} per row")
    };
    let _ = writeln!(
        page,
        "<text x=\"4\" y=\"{:.1}\">{label}</text><text x=\"4\" y=\"{:.1}\">seconds</text>\n</svg>",
        top + 10.0,
        bottom + 15.0
    );
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = raw.max(1e-4);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

fn tick_label(t: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{t:.decimals$}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(6.2), 10.0);
        assert_eq!(nice_step(0.13), 0.2);
        assert_eq!(nice_step(0.04), 0.05);
        assert_eq!(tick_label(0.25, 0.05), "0.25");
        assert_eq!(tick_label(20.0, 10.0), "20");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
