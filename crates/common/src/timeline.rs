//! The timeline: when each request started and finished, drawn in the terminal.
//!
//! Sync draws a staircase, a pool of P draws waves P tall, tokio draws one block: the
//! shape of the chart is the concurrency model.

use std::fmt::Write;

use crate::summary::Span;

/// At most this many rows, so a chart fits a screen; more requests share a row, shaded by how
/// many of them were in flight.
const MAX_ROWS: usize = 20;

/// Shades for a bucketed row, from "one of its requests in flight" to "all of them".
const SHADES: [char; 4] = ['░', '▒', '▓', '█'];

/// Draws `spans`, in request order, on a time axis from 0 to `wall_s`, `width` cells wide.
pub(crate) fn render(spans: &[Span], wall_s: f64, width: usize) -> String {
    let width = width.max(10);
    let wall = wall_s.max(f64::EPSILON);
    let cell = |t: f64| ((t / wall) * width as f64) as usize;
    let per_row = spans.len().div_ceil(MAX_ROWS).max(1);
    let label_width = spans.last().map_or(2, |f| f.index.to_string().len().max(2));
    let pad = 2 * label_width + 2;

    let mut chart = String::new();
    for row in spans.chunks(per_row) {
        // How many of this row's requests were in flight during each cell.
        let mut busy = vec![0usize; width];
        let mut failed = vec![false; width];
        for f in row {
            let (from, to) = (cell(f.start_s).min(width - 1), cell(f.end_s).min(width - 1));
            for c in from..=to {
                busy[c] += 1;
                failed[c] |= !f.ok;
            }
        }
        let bar: String = busy
            .iter()
            .zip(&failed)
            .map(|(&n, &bad)| match n {
                0 => ' ',
                _ if bad => 'x',
                _ if per_row == 1 => '█',
                _ => {
                    SHADES[(n * SHADES.len())
                        .div_ceil(row.len())
                        .clamp(1, SHADES.len())
                        - 1]
                }
            })
            .collect();
        let first = row.first().map_or(0, |f| f.index);
        let label = match row.last() {
            Some(last) if per_row > 1 => {
                format!("#{first:0label_width$}-{:0label_width$}", last.index)
            }
            _ => format!("#{first:0label_width$}"),
        };
        let _ = writeln!(chart, "{label:>pad$} |{bar}|");
    }
    let _ = writeln!(chart, "{:>pad$}  {}", "", axis(wall, width));
    if per_row > 1 {
        let _ = writeln!(
            chart,
            "{per_row} requests a row; shade = how many of them were in flight; x = a failure"
        );
    }
    chart
}

/// The time axis under the bars: a label at each round step (every second for a run of a few
/// seconds), so that two charts of different lengths read differently, and the end.
fn axis(wall: f64, width: usize) -> String {
    let end = format!("{wall:.2}s");
    let mut line: Vec<char> = vec![' '; width + 2];
    let mut place = |at: usize, text: &str| {
        let around = at.saturating_sub(1)..(at + text.len() + 1).min(line.len());
        let free = at + text.len() <= line.len() && line[around].iter().all(|c| *c == ' ');
        if free {
            for (cell, c) in line[at..].iter_mut().zip(text.chars()) {
                *cell = c;
            }
        }
    };
    // The end first, flush right, so that no step label crowds it out.
    place(width + 2 - end.len(), &end);
    place(0, "0s");
    let step = [
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0,
    ]
    .into_iter()
    .find(|step| wall / step <= 6.0)
    .unwrap_or(600.0);
    let mut t = step;
    while t < wall {
        let label = format!("{}s", (t * 10.0).round() / 10.0);
        place((t / wall * width as f64) as usize + 1, &label);
        t += step;
    }
    line.into_iter().collect::<String>().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(index: usize, from_ms: u64, to_ms: u64) -> Span {
        Span {
            index,
            start_s: from_ms as f64 / 1000.0,
            end_s: to_ms as f64 / 1000.0,
            ok: true,
            attempts: 1,
        }
    }

    /// The column where each row's bar begins.
    fn starts(chart: &str) -> Vec<usize> {
        chart
            .lines()
            .filter_map(|line| line.split_once('|').map(|(_, bar)| bar))
            .filter(|bar| bar.contains('█'))
            .map(|bar| bar.chars().position(|c| c == '█').unwrap_or(usize::MAX))
            .collect()
    }

    #[test]
    fn sequential_requests_draw_a_staircase() {
        let spans: Vec<Span> = (0..5)
            .map(|i| span(i + 1, i as u64 * 100, (i as u64 + 1) * 100))
            .collect();
        let chart = render(&spans, 0.5, 50);
        assert_eq!(starts(&chart), vec![0, 10, 20, 30, 40], "\n{chart}");
    }

    #[test]
    fn requests_all_at_once_draw_one_block() {
        let spans: Vec<Span> = (1..=5).map(|i| span(i, 0, 500)).collect();
        let chart = render(&spans, 0.5, 50);
        assert_eq!(starts(&chart), vec![0; 5], "\n{chart}");
        assert!(
            chart.lines().take(5).all(|l| l.contains(&"█".repeat(50))),
            "\n{chart}"
        );
    }

    #[test]
    fn many_requests_share_rows() {
        let spans: Vec<Span> = (1..=1000).map(|i| span(i, 0, 100)).collect();
        let chart = render(&spans, 0.1, 40);
        let rows = chart.lines().filter(|l| l.contains('|')).count();
        assert_eq!(rows, MAX_ROWS, "\n{chart}");
        assert!(chart.contains("50 requests a row"), "\n{chart}");
        // All 20 of a row in flight at once: the darkest shade.
        assert!(
            chart
                .lines()
                .next()
                .is_some_and(|l| l.contains(&"█".repeat(40))),
            "\n{chart}"
        );
    }

    #[test]
    fn the_axis_marks_each_second_of_a_short_run() {
        let two = axis(2.01, 40);
        assert!(two.starts_with("0s ") && two.ends_with(" 2.01s"), "{two}");
        assert!(
            two.contains(" 1s ") && two.contains(" 0.5s ") && two.contains(" 1.5s "),
            "{two}"
        );
        let one = axis(1.0, 40);
        assert!(one.contains(" 0.6s ") && one.ends_with(" 1.00s"), "{one}");
        // 50 s: a label every 10 s, and the end.
        let long = axis(50.1, 60);
        assert!(long.contains("10s") && long.contains("40s") && long.ends_with("50.10s"));
    }

    #[test]
    fn failures_are_marked() {
        let mut failed = span(1, 0, 100);
        failed.ok = false;
        let chart = render(&[failed], 0.1, 20);
        assert!(chart.contains('x'), "\n{chart}");
    }
}
