//! The comparison as the terminal shows it: one table of at most 80 columns, then what the
//! floor is and what the talk said.

use std::fmt::Write;

use crate::table::{Comparison, digits};

impl Comparison {
    /// The table for the terminal, every line at most 80 columns: at the font size a projector
    /// needs, a wider line wraps and the columns no longer line up. The concurrency is in each
    /// slide's own summary line above it (and in report.html); the talk's figures go below.
    /// The cores each slide used are a column only with `--work`: without it, what a slide
    /// computes is the little it takes to parse an answer, and the column says nothing.
    pub fn text_table(&self) -> String {
        const CORES: usize = 5;
        let with_cores = !self.work.is_zero();
        let header = [
            "slide",
            "model",
            "wall",
            "floor",
            "efficiency",
            "cores",
            "speed-up",
            "ok",
        ];
        let mut lines: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
        for row in &self.rows {
            let s = &self.summaries[row.summary];
            lines.push(vec![
                row.talk.map_or("?", |t| t.number).to_owned(),
                row.what.clone(),
                digits(row.seconds),
                row.floor.map_or("-".into(), digits),
                row.efficiency().map_or("-".into(), |e| format!("{e:.2}")),
                format!("{:.1}", s.cores_used),
                row.speedup.map_or("-".into(), |x| format!("{x:.1}x")),
                format!("{}/{}", s.ok, s.requests),
            ]);
        }
        if !with_cores {
            for line in &mut lines {
                line.remove(CORES);
            }
        }
        let widths: Vec<usize> = (0..lines[0].len())
            .map(|c| {
                lines
                    .iter()
                    .map(|l| l[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for (n, line) in lines.iter().enumerate() {
            // Slide and model read left to right; the figures are right-aligned, so that
            // their decimal points line up.
            let cells: Vec<String> = line
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (cell, w))| match c {
                    0 | 1 => format!("{cell:<w$}"),
                    _ => format!("{cell:>w$}"),
                })
                .collect();
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
            if n == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                let _ = writeln!(out, "{}", rule.join("  "));
            }
        }
        let cores = match with_cores {
            true => "; cores = CPU time / wall",
            false => "",
        };
        let _ = writeln!(
            out,
            "wall and floor in seconds; efficiency = floor / wall{cores}"
        );
        match self.delay {
            Some(_) => {
                let _ = writeln!(out, "{}", self.floor_note());
            }
            None => {
                let _ = writeln!(
                    out,
                    "no floor claimed: the server's delay is not ours to know"
                );
            }
        }
        for line in self.talk_note() {
            let _ = writeln!(out, "{line}");
        }
        out
    }

    /// How the floor was found, and which models cannot reach it: lines of at most 80 columns.
    pub fn floor_note(&self) -> String {
        let Some(d) = self.delay else {
            return String::new();
        };
        if self.work.is_zero() {
            return format!(
                "floor = ceil(N / C) x d, the least any model can take, with d = {d:?}"
            );
        }
        let mut note = format!(
            "floor = max(ceil(N / C) x (d + w), N x w / min(C, K)), the least time possible\n\
             for N requests, C in flight, delay d = {d:?}, work w = {w:?} and K = {k} cores",
            w = self.work,
            k = self.cores,
        );
        let mut one_thread: Vec<&str> = Vec::new();
        for talk in self.rows.iter().filter_map(|row| row.talk) {
            // The queue has two rows, and one model.
            if talk.one_thread && !one_thread.contains(&talk.model) {
                one_thread.push(talk.model);
            }
        }
        match one_thread.as_slice() {
            [] => {}
            [one] => note += &format!("\n{one} runs on one thread, so it uses one core at most"),
            [many @ .., last] => {
                note += &format!(
                    "\n{} and {last} run on one thread, so one core at most",
                    many.join(", ")
                )
            }
        }
        note
    }

    /// What the talk said each slide took, by model, in lines of at most 80 columns. A line
    /// never starts with a number, which a reader could take for a slide's row.
    fn talk_note(&self) -> Vec<String> {
        let mut said: Vec<String> = Vec::new();
        for talk in self.rows.iter().filter_map(|row| row.talk) {
            let figure = format!("{} {} / {}", talk.model, talk.deck, talk.notes);
            if talk.deck != "not shown" && !said.contains(&figure) {
                said.push(figure);
            }
        }
        if said.is_empty() {
            return Vec::new();
        }
        wrap("the talk said (deck / speaker's notes):", &said, 80)
    }
}

/// `first` then `pieces`, separated by "; ", in lines of at most `width` columns. A piece is
/// never split; the lines after the first are indented.
fn wrap(first: &str, pieces: &[String], width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    for (n, piece) in pieces.iter().enumerate() {
        let piece = if n + 1 < pieces.len() {
            format!("{piece};")
        } else {
            piece.clone()
        };
        if line.chars().count() + 1 + piece.chars().count() > width {
            lines.push(line);
            line = format!("  {piece}");
        } else {
            line = format!("{line} {piece}");
        }
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::table::Summary;
    use crate::table::tests::summary;

    #[test]
    fn the_cores_are_a_column_only_with_work() {
        let delay = Some(Duration::from_secs(1));
        let with_work = Comparison::new(the_talk(), delay, 2).text_table();
        let header = |text: &str| text.lines().next().unwrap_or_default().to_owned();
        assert!(header(&with_work).contains("cores"), "{with_work}");
        assert!(with_work.contains("cores = CPU time / wall"), "{with_work}");
        let without: Vec<Summary> = the_talk()
            .into_iter()
            .map(|mut s| {
                s.work_s = 0.0;
                s
            })
            .collect();
        let text = Comparison::new(without, delay, 2).text_table();
        assert!(!text.contains("cores"), "{text}");
        assert!(header(&text).ends_with("speed-up     ok"), "{text}");
    }

    #[test]
    fn no_delay_no_floor() {
        let table = Comparison::new(vec![summary("slide04-sync", "sync", 1, 50.0)], None, 2);
        assert_eq!(table.rows[0].floor, None);
        assert!(table.text_table().contains("no floor claimed"));
    }

    /// The talk as run with `scripts/run-all.sh --work 20ms` on 2 cores: every slide, and the
    /// queue's two rows.
    fn the_talk() -> Vec<Summary> {
        let slide = |slide: &str, model: &str, concurrency: usize, wall_s: f64, cores: f64| {
            let mut s = summary(slide, model, concurrency, wall_s);
            s.work_s = 0.02;
            s.cores_used = cores;
            s
        };
        let mut queue = slide("slide08-producer", "queue", 32, 2.046, 0.6);
        queue.enqueue_s = Some(0.000_63);
        let mut blocking = slide("slide07b-blocking", "blocking", 50, 2.013, 1.0);
        blocking.ok = 49;
        vec![
            slide("slide04-sync", "sync", 1, 51.07, 0.1),
            slide("slide05-multiprocess", "processes", 2, 25.56, 0.2),
            slide("slide06-threads", "threads", 40, 2.049, 0.6),
            slide("slide07a-coroutines", "coroutines", 50, 2.012, 1.0),
            slide("slide07-tokio", "tokio", 50, 2.008, 1.0),
            blocking,
            queue,
        ]
    }

    #[test]
    fn the_table_fits_80_columns() {
        let table = Comparison::new(the_talk(), Some(Duration::from_secs(1)), 2);
        assert_eq!(table.rows.len(), 8);
        let text = table.text_table();
        for line in text.lines() {
            assert!(
                line.chars().count() <= 80,
                "{} columns: {line:?}\n{text}",
                line.len()
            );
        }
        for word in [
            "queue: enqueue only",
            "queue: end to end",
            "blocking",
            "49/50",
            "speed-up",
            "tokio 2 s / 5-6 s",
            "sync, coroutines, tokio and blocking run on one thread",
        ] {
            assert!(text.contains(word), "{word:?} missing:\n{text}");
        }
    }

    #[test]
    fn no_note_line_starts_like_a_row() {
        // Lines after the table start with a word, never with a number like a slide's.
        let table = Comparison::new(the_talk(), Some(Duration::from_secs(1)), 4);
        let text = table.text_table();
        let rows = text
            .lines()
            .filter(|line| line.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .count();
        assert_eq!(rows, 8, "{text}");
    }

    #[test]
    fn figures_line_up_on_the_right() {
        let table = Comparison::new(the_talk(), Some(Duration::from_secs(1)), 2);
        let text = table.text_table();
        let ends: Vec<usize> = text
            .lines()
            .filter(|line| line.contains("/50"))
            .map(|line| line.len())
            .collect();
        assert_eq!(ends.len(), 8, "{text}");
        assert!(ends.iter().all(|end| *end == ends[0]), "{text}");
    }
}
