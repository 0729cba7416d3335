//! Each slide's requests as bars, on a time axis of the slide's own: from 0 to a round number
//! just past its wall time. A 1-second slide is then as legible as a 50-second one; since two
//! charts of the same width no longer show the same time, the heading and the axis say the scale.

use std::fmt::Write;

use super::axis::{FONT, GRID, Linear, WIDTH, escape, nice_end, open_svg, tick_label};
use crate::table::{Comparison, Span, seconds};

/// Where the bars start on the left: room for a request's number ("#50").
const LEFT: f64 = 80.0;
const RIGHT: f64 = WIDTH - 30.0;
const TOP: f64 = 8.0;
/// Past this many requests, several share a row of the picture.
const MAX_ROWS: usize = 100;
const OK: &str = "#1f4e9c";
const FAILED: &str = "#c81e1e";

pub fn timelines(page: &mut String, comparison: &Comparison) {
    for s in &comparison.summaries {
        let title = match lab::talk::python_original(&s.slide) {
            Some((python, t)) => format!("Slide {} in Python: python/{}", t.number, python.file),
            None => lab::talk::find(&s.slide).map_or(s.slide.clone(), |t| {
                format!("Slide {}: {}", t.number, t.title)
            }),
        };
        let _ = writeln!(page, "<h3>{}</h3>", escape(&title));
        if s.timeline.is_empty() {
            let why = s
                .first_error
                .as_deref()
                .unwrap_or("the run recorded no requests");
            let _ = writeln!(page, "<p>No timeline: {}.</p>", escape(why));
            continue;
        }
        let (end, step) = nice_end(s.wall_s, 6.0);
        let _ = writeln!(
            page,
            "<p>{}: {} for {} requests, at most {} in flight. Its own scale: 0 to {} s.</p>",
            escape(&s.slide),
            seconds(s.wall_s),
            s.requests,
            s.concurrency,
            tick_label(end, step),
        );
        if s.enqueue_s.is_some() {
            page.push_str(
                "<p>A job's bar starts when the producer put it on the queue, so it counts \
                 the time the job waited there for a worker.</p>\n",
            );
        }
        svg(page, &s.timeline, end, step);
    }
}

/// One slide's requests as bars on a time axis from 0 to `end` seconds, a tick every `step`.
fn svg(page: &mut String, spans: &[Span], end: f64, step: f64) {
    let per_row = spans.len().div_ceil(MAX_ROWS).max(1);
    let rows = spans.len().div_ceil(per_row);
    let row_height = (320.0 / rows as f64).clamp(4.0, 16.0);
    let bottom = TOP + rows as f64 * row_height;
    let height = bottom + 62.0;
    let x = Linear {
        max: end,
        from: LEFT,
        to: RIGHT,
    };
    open_svg(
        page,
        "timeline",
        height,
        "one bar per request, on this slide's own time axis",
    );
    // Gridlines and their labels, at the round step.
    let mut tick = 0.0;
    while tick <= end + step * 1e-9 {
        let _ = writeln!(
            page,
            "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{bottom:.1}\" stroke=\"{GRID}\"/>\
             <text x=\"{0:.1}\" y=\"{1:.1}\" text-anchor=\"middle\">{2}</text>",
            x.at(tick),
            bottom + FONT + 4.0,
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
        let y = TOP + (n / per_row) as f64 * row_height;
        let colour = if span.ok { OK } else { FAILED };
        let _ = writeln!(
            page,
            "<rect x=\"{:.2}\" y=\"{y:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{colour}\" \
             fill-opacity=\"{opacity:.2}\"><title>#{} {:.3}–{:.3} s</title></rect>",
            x.at(span.start_s),
            (x.at(span.end_s) - x.at(span.start_s)).max(1.5),
            (row_height - 1.0).max(2.0),
            span.index,
            span.start_s,
            span.end_s,
        );
    }
    // The first and the last request's numbers, beside their rows, when they are apart.
    if let (Some(first), Some(last), true) = (sorted.first(), sorted.last(), rows > 2) {
        let _ = writeln!(
            page,
            "<text x=\"{0}\" y=\"{1:.1}\" text-anchor=\"end\">#{2}</text>\
             <text x=\"{0}\" y=\"{3:.1}\" text-anchor=\"end\">#{4}</text>",
            LEFT - 8.0,
            TOP + FONT * 0.8,
            first.index,
            bottom,
            last.index,
        );
    }
    let _ = writeln!(
        page,
        "<text x=\"{LEFT}\" y=\"{:.1}\">seconds since the slide started, on its own scale{}</text>",
        bottom + 2.0 * FONT + 10.0,
        if per_row == 1 {
            String::new()
        } else {
            format!("; {per_row} requests to a row")
        },
    );
    page.push_str("</svg>\n");
}
