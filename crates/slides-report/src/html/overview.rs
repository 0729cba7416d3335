//! The picture the report opens with: how many requests each slide kept in flight over time,
//! one line per slide, and below it a bar per slide for its wall time, on one time axis.
//!
//! The time axis is logarithmic. The slides take from about 1 s (tokio) to about 50 s (sync):
//! on a linear axis the fast ones are slivers 2 % wide, and the contrast the talk is about —
//! 50 in flight for 1 s against 1 in flight for 50 s — cannot be seen. On a log axis each ×10
//! is as wide as the next, so a 1-second slide and a 50-second slide are both legible, and a
//! line drops to zero right above where its slide's bar ends.

use std::fmt::Write;

use super::axis::{FONT, GRID, Linear, Log, WIDTH, escape, nice_end, open_svg, power_label};
use super::in_flight::{Steps, count_at, in_flight, peak};
use crate::table::{Comparison, Summary, seconds};

/// One colour per slide, in the talk's order: dark enough for white text on a bar and for a
/// thin line on white, and far enough apart to tell the lines apart.
const COLOURS: [&str; 8] = [
    "#1f4e9c", "#c2410c", "#15803d", "#7e22ce", "#b91c5c", "#0e7490", "#4d5d16", "#57534e",
];
/// Where the plots start on the left: room for a bar's label ("8 queue").
const LEFT: f64 = 190.0;
const RIGHT: f64 = WIDTH - 40.0;
/// The in-flight plot, top to bottom.
const TOP: f64 = 70.0;
const BOTTOM: f64 = 370.0;
/// Each slide's wall-time bar: a row this high, below the plot.
const BAR_ROW: f64 = 42.0;
const BARS_TOP: f64 = BOTTOM + 28.0;
/// How wide a slide's line is drawn.
const STROKE: f64 = 4.0;
/// The height of a line of text, to keep two labels apart.
const LINE: f64 = FONT + 3.0;

pub fn overview(page: &mut String, comparison: &Comparison) {
    let runs = &comparison.summaries;
    let Some(x) = time_axis(runs) else {
        return;
    };
    let steps: Vec<Steps> = runs.iter().map(|s| in_flight(&s.timeline)).collect();
    let most = steps.iter().map(|s| peak(s)).max().unwrap_or(0);
    // At least 0 to 5, so that one at a time still gets whole numbers on the axis.
    let (top_count, count_step) = nice_end(most.max(5) as f64, 5.0);
    let y = Linear {
        max: top_count,
        from: BOTTOM,
        to: TOP,
    };
    let bars_bottom = BARS_TOP + runs.len() as f64 * BAR_ROW;
    open_svg(
        page,
        "overview",
        bars_bottom + 76.0,
        "requests in flight over time and wall time, every slide",
    );
    time_grid(page, &x, bars_bottom);
    let mut count = 0.0;
    while count <= top_count + 1e-9 {
        let _ = writeln!(
            page,
            "<line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{RIGHT}\" y2=\"{0:.1}\" stroke=\"{GRID}\"/>\
             <text x=\"{1}\" y=\"{2:.1}\" text-anchor=\"end\">{count}</text>",
            y.at(count),
            LEFT - 10.0,
            y.at(count) + FONT * 0.35,
        );
        count += count_step;
    }
    let _ = writeln!(
        page,
        "<text x=\"{LEFT}\" y=\"{:.0}\" font-weight=\"bold\">requests in flight</text>",
        TOP - 40.0,
    );
    let labels = lines(page, runs, &steps, &x, &y);
    for label in place(labels) {
        let _ = writeln!(
            page,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\" fill=\"{}\" \
             stroke=\"#ffffff\" stroke-width=\"6\" paint-order=\"stroke\">{}</text>",
            label.left,
            label.y,
            label.colour,
            escape(&label.text)
        );
    }
    bars(page, runs, &x);
    page.push_str("</svg>\n");
}

/// The time axis, from two tenfolds before the fastest slide ends (its requests starting and
/// its answers arriving) to the round tenfold past the slowest. Only runs that recorded their
/// requests count: a slide that never started took almost no time, and would stretch the axis
/// for no one. None when no run did.
fn time_axis(runs: &[Summary]) -> Option<Log> {
    let walls = runs
        .iter()
        .filter(|s| !s.timeline.is_empty() && s.wall_s > 0.0)
        .map(|s| s.wall_s);
    let (fastest, slowest) = walls.fold((f64::MAX, 0.0f64), |(lo, hi), w| (lo.min(w), hi.max(w)));
    (slowest > 0.0).then(|| Log {
        lo: 10f64.powf(fastest.log10().floor() - 2.0),
        hi: 10f64.powf((slowest * 1.05).log10().ceil()),
        from: LEFT,
        to: RIGHT,
    })
}

/// The time grid through both parts of the picture: a labelled line at every tenfold, a
/// light one at ×2 and ×5; and what the axis is, under it.
fn time_grid(page: &mut String, x: &Log, bottom: f64) {
    let mut decade = x.lo;
    while decade <= x.hi * 1.001 {
        for (factor, labelled) in [(1.0, true), (2.0, false), (5.0, false)] {
            let t = decade * factor;
            if t > x.hi * 1.001 {
                break;
            }
            let (stroke, width) = if labelled {
                ("#a0a0a0", 1.5)
            } else {
                (GRID, 1.0)
            };
            let _ = writeln!(
                page,
                "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{bottom:.1}\" \
                 stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
                x.at(t)
            );
            if labelled {
                let _ = writeln!(
                    page,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    x.at(t),
                    bottom + 26.0,
                    power_label(t)
                );
            }
        }
        decade *= 10.0;
    }
    let _ = writeln!(
        page,
        "<text x=\"{LEFT}\" y=\"{:.1}\">seconds since the slide started: a log scale, \
         ×10 at each labelled line</text>",
        bottom + 60.0,
    );
}

/// A line per slide, the last slide first, so that the earlier ones stay on top; gives each
/// line's label, to be placed once all are known.
fn lines(page: &mut String, runs: &[Summary], steps: &[Steps], x: &Log, y: &Linear) -> Vec<Label> {
    let peaks: Vec<usize> = steps.iter().map(|s| peak(s)).collect();
    let mut labels = Vec::new();
    for (n, s) in runs.iter().enumerate().rev() {
        let steps = &steps[n];
        if steps.len() < 2 {
            continue;
        }
        let colour = COLOURS[n % COLOURS.len()];
        // Lines that peak alike would hide each other (tokio and the coroutines both keep 50
        // in flight for a second): they are drawn side by side, a line's width apart, like
        // the lines of a metro map.
        let alike = peaks.iter().filter(|peak| **peak == peaks[n]).count();
        let before = peaks[..n].iter().filter(|peak| **peak == peaks[n]).count();
        let aside = (before as f64 - (alike - 1) as f64 / 2.0) * STROKE;
        let _ = writeln!(
            page,
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{STROKE}\" \
             stroke-linejoin=\"round\" transform=\"translate(0 {aside:.1})\"/>",
            path(steps, x, y),
        );
        // Its label sits at the end of the line, level with where the slide was just before
        // its last answers: to the right, in the free space; but above the line, to its left,
        // when it ends too near the edge, or near the floor, where a slower slide's line
        // goes on to the right.
        let text = name(s);
        let width = text.chars().count() as f64 * FONT * 0.6;
        let end = x.at(s.wall_s);
        let level = y.at(count_at(steps, s.wall_s * 0.9) as f64) + aside;
        let (left, baseline) = if end + 8.0 + width <= WIDTH && level < BOTTOM - 2.0 * LINE {
            (end + 8.0, level + FONT * 0.35)
        } else {
            (end - 8.0 - width, level - 10.0)
        };
        labels.push(Label {
            left,
            width,
            y: baseline,
            text,
            colour,
        });
    }
    labels
}

/// A bar per slide from the left edge to its wall time, its figure written inside: every bar
/// is at least two tenfolds long, so the figure fits.
fn bars(page: &mut String, runs: &[Summary], x: &Log) {
    for (n, s) in runs.iter().enumerate() {
        let colour = COLOURS[n % COLOURS.len()];
        let top = BARS_TOP + n as f64 * BAR_ROW;
        let middle = top + (BAR_ROW - 8.0) / 2.0 + FONT * 0.35;
        let _ = writeln!(
            page,
            "<text x=\"{:.1}\" y=\"{middle:.1}\" text-anchor=\"end\" font-weight=\"bold\">{}</text>",
            LEFT - 10.0,
            escape(&name(s)),
        );
        if s.timeline.is_empty() {
            let _ = writeln!(
                page,
                "<text x=\"{:.1}\" y=\"{middle:.1}\">no requests recorded</text>",
                LEFT + 8.0
            );
            continue;
        }
        let _ = writeln!(
            page,
            "<rect x=\"{LEFT}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>\n\
             <text x=\"{:.1}\" y=\"{middle:.1}\" text-anchor=\"end\" font-weight=\"bold\" \
             fill=\"#ffffff\">{}</text>",
            (x.at(s.wall_s) - LEFT).max(1.0),
            BAR_ROW - 8.0,
            x.at(s.wall_s) - 8.0,
            seconds(s.wall_s),
        );
    }
}

/// "7 tokio": the slide's number and model; "7 Python asyncio" for its Python original.
fn name(s: &Summary) -> String {
    if let Some((_, talk)) = lab::talk::python_original(&s.slide) {
        return format!("{} Python {}", talk.number, s.model);
    }
    match lab::talk::find(&s.slide) {
        Some(talk) => format!("{} {}", talk.number, s.model),
        None => s.model.clone(),
    }
}

/// The steps as an SVG path: across, then up or down, at each change; from the first request
/// (or the left edge, if some were in flight by then) to the last answer.
fn path(steps: &[(f64, usize)], x: &Log, y: &Linear) -> String {
    let mut points: Vec<(f64, f64)> = Vec::new();
    for (when, count) in steps.iter().filter(|(t, _)| *t > x.lo) {
        let point = (x.at(*when), y.at(*count as f64));
        // Changes within one unit of the picture are drawn as the last of them: a request
        // that ends a moment before the next one starts is no dip to zero.
        match points.last_mut() {
            Some(last) if point.0 - last.0 < 1.0 => last.1 = point.1,
            _ => points.push(point),
        }
    }
    let (start, first) = match count_at(steps, x.lo) {
        // Nothing in flight yet: the line starts on the floor where the first request does,
        // rather than run along the floor under every other slide's.
        0 => (points.first().map_or(x.from, |p| p.0), y.at(0.0)),
        count => (x.at(x.lo), y.at(count as f64)),
    };
    let mut d = format!("M{start:.1},{first:.1}");
    for (across, up) in points {
        let _ = write!(d, " H{across:.1} V{up:.1}");
    }
    d
}

/// A line's name, where it is drawn: `y` is its baseline.
struct Label {
    left: f64,
    width: f64,
    y: f64,
    text: String,
    colour: &'static str,
}

/// Moves labels up until none covers another: the lowest stays, and each one that would
/// cover a label already placed goes above it.
fn place(mut labels: Vec<Label>) -> Vec<Label> {
    labels.sort_by(|a, b| b.y.total_cmp(&a.y));
    for i in 0..labels.len() {
        loop {
            let (placed, rest) = labels.split_at_mut(i);
            let label = &mut rest[0];
            let covered = placed.iter().find(|p| {
                p.left < label.left + label.width
                    && label.left < p.left + p.width
                    && (p.y - label.y).abs() < LINE
            });
            match covered {
                Some(p) => label.y = p.y - LINE,
                None => break,
            }
        }
    }
    labels
}
