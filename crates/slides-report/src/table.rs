//! The comparison: each slide's measured time beside the floor and beside the talk's figure.

use std::time::Duration;

use serde_json::{Value, json};

use lab::talk::{self, Slide, floor};

pub use common::{Span, Summary};

/// One line of the table. The queue gets two: enqueue, and end to end.
#[derive(Debug, Clone)]
pub struct Row {
    pub talk: Option<&'static Slide>,
    /// Index into `Comparison::summaries`.
    pub summary: usize,
    pub what: String,
    pub seconds: f64,
    pub floor: Option<f64>,
    pub speedup: Option<f64>,
}

impl Row {
    /// floor ÷ wall: 1.0 means the model wasted nothing but the unavoidable waiting.
    pub fn efficiency(&self) -> Option<f64> {
        self.floor
            .map(|floor| floor / self.seconds.max(f64::EPSILON))
    }
}

#[derive(Debug)]
pub struct Comparison {
    pub delay: Option<Duration>,
    /// The CPU work each answer asked for (`--work`), the same for every run.
    pub work: Duration,
    /// The cores of this machine, K in the floor.
    pub cores: usize,
    pub summaries: Vec<Summary>,
    pub rows: Vec<Row>,
}

impl Comparison {
    /// The rows in the talk's order, each Python original right after its slide; anything the
    /// talk does not know goes last.
    pub fn new(mut summaries: Vec<Summary>, delay: Option<Duration>, cores: usize) -> Self {
        let order = |s: &Summary| {
            let (slide, python) = match talk::python_original(&s.slide) {
                Some((python, slide)) => (slide.binary, Some(python.file)),
                None => (s.slide.as_str(), None),
            };
            let at = talk::SLIDES.iter().position(|t| t.binary == slide);
            let python_at = python.map(|file| {
                let at = talk::PYTHON_ORIGINALS.iter().position(|p| p.file == file);
                at.unwrap_or_default()
            });
            (at.unwrap_or(usize::MAX), python_at)
        };
        summaries.sort_by_key(order);
        Comparison::as_given(summaries, delay, cores)
    }

    /// The rows in the order of `summaries`: the race's, by when each one finished.
    pub fn as_given(summaries: Vec<Summary>, delay: Option<Duration>, cores: usize) -> Self {
        let sync_wall = summaries
            .iter()
            .find(|s| s.model == "sync" && s.interrupted.is_none())
            .map(|s| (s.requests, s.wall_s));

        let mut rows = Vec::new();
        for (i, s) in summaries.iter().enumerate() {
            // A Python original's rows say so, under its slide's number.
            let (talk, python) = match talk::python_original(&s.slide) {
                Some((_, slide)) => (Some(slide), "Python "),
                None => (talk::find(&s.slide), ""),
            };
            if let Some(enqueue) = s.enqueue_s {
                // Enqueueing finishes no request, so it gets neither floor nor speed-up.
                rows.push(Row {
                    talk,
                    summary: i,
                    what: format!("{python}{}: enqueue only", s.model),
                    seconds: enqueue,
                    floor: None,
                    speedup: None,
                });
            }
            // A slide that answered nothing (it did not build, or did not start) has a wall time
            // of next to nothing, and one stopped by a signal did not make all of its requests:
            // no floor or speed-up can be set beside either.
            let answered = s.ok > 0 && s.interrupted.is_none();
            let floor = delay
                .filter(|_| answered)
                .map(|d| floor(s.requests, s.concurrency, d.as_secs_f64(), s.work_s, cores));
            let speedup = sync_wall
                .filter(|(requests, _)| answered && *requests == s.requests)
                .map(|(_, wall)| wall / s.wall_s.max(f64::EPSILON));
            let what = match s.enqueue_s {
                Some(_) => format!("{python}{}: end to end", s.model),
                None => format!("{python}{}", s.model),
            };
            rows.push(Row {
                talk,
                summary: i,
                what,
                seconds: s.wall_s,
                floor,
                speedup,
            });
        }
        let work = summaries.iter().map(|s| s.work_s).fold(0.0, f64::max);
        Comparison {
            delay,
            work: Duration::from_secs_f64(work),
            cores,
            summaries,
            rows,
        }
    }

    /// Everything in the table, for scripts: `results.json`.
    pub fn to_json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let s = &self.summaries[row.summary];
                json!({
                    "slide": row.talk.map(|t| t.number),
                    "binary": s.slide,
                    "model": row.what,
                    "requests": s.requests,
                    "concurrency": s.concurrency,
                    "ok": s.ok,
                    "failed": s.failed,
                    "wall_s": row.seconds,
                    "floor_s": row.floor,
                    "efficiency": row.efficiency(),
                    "work_s": s.work_s,
                    "cpu_s": s.cpu_s,
                    "cores_used": s.cores_used,
                    "speedup_over_sync": row.speedup,
                    "talk_deck": row.talk.map(|t| t.deck),
                    "talk_notes": row.talk.map(|t| t.notes),
                })
            })
            .collect();
        json!({
            "delay_s": self.delay.map(|d| d.as_secs_f64()),
            "work_s": self.work.as_secs_f64(),
            "cores": self.cores,
            "rows": rows,
            "runs": self.summaries,
        })
    }
}

/// `50.11 s`, `2.003 s`, `0.0012 s`: enough digits to see the difference that matters.
pub fn seconds(s: f64) -> String {
    format!("{} s", digits(s))
}

/// The digits of `seconds`, for a column that says its unit once: `50.11`, `2.003`, `0.0012`.
pub fn digits(s: f64) -> String {
    match s {
        s if s >= 10.0 => format!("{s:.2}"),
        s if s >= 0.1 => format!("{s:.3}"),
        s => format!("{s:.4}"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A run of 50 requests, all answered: what the table's and the text's tests start from.
    pub(crate) fn summary(slide: &str, model: &str, concurrency: usize, wall_s: f64) -> Summary {
        Summary {
            slide: slide.into(),
            model: model.into(),
            requests: 50,
            concurrency,
            ok: 50,
            wall_s,
            ..Summary::default()
        }
    }

    #[test]
    fn rows_follow_the_talk_with_floor_efficiency_and_speedup() {
        let runs = vec![
            summary("slide07-tokio", "tokio", 50, 1.25),
            summary("slide04-sync", "sync", 1, 50.0),
        ];
        let table = Comparison::new(runs, Some(Duration::from_secs(1)), 2);
        assert_eq!(table.rows[0].what, "sync");
        assert_eq!(table.rows[1].floor, Some(1.0));
        assert_eq!(table.rows[1].efficiency(), Some(0.8));
        assert_eq!(table.rows[1].speedup, Some(40.0));
    }

    #[test]
    fn a_race_keeps_its_finishing_order_and_a_stopped_run_claims_no_floor() {
        let mut sync = summary("slide04-sync", "sync", 1, 25.0);
        (sync.ok, sync.interrupted) = (25, Some("SIGINT".into()));
        let runs = vec![summary("slide07-tokio", "tokio", 50, 1.25), sync];
        let table = Comparison::as_given(runs, Some(Duration::from_secs(1)), 2);
        let whats: Vec<&str> = table.rows.iter().map(|r| r.what.as_str()).collect();
        assert_eq!(whats, ["tokio", "sync"]);
        assert_eq!((table.rows[1].floor, table.rows[1].speedup), (None, None));
        assert_eq!(
            table.rows[0].speedup, None,
            "no finished sync run to be faster than"
        );
    }

    #[test]
    fn each_python_original_sits_right_after_its_slide() {
        let runs = vec![
            summary("threads.py", "threads", 40, 2.5),
            summary("slide07-tokio", "tokio", 50, 1.25),
            summary("sync.py", "sync", 1, 51.0),
            summary("slide06-threads", "threads", 40, 2.0),
            summary("slide04-sync", "sync", 1, 50.0),
        ];
        let table = Comparison::new(runs, Some(Duration::from_secs(1)), 2);
        let rows: Vec<(&str, &str)> = table
            .rows
            .iter()
            .map(|row| (row.talk.map_or("?", |t| t.number), row.what.as_str()))
            .collect();
        let want = [
            ("4", "sync"),
            ("4", "Python sync"),
            ("6", "threads"),
            ("6", "Python threads"),
            ("7", "tokio"),
        ];
        assert_eq!(rows, want);
        // Speed-ups are over the Rust sync slide's wall, the table's one baseline.
        assert_eq!(table.rows[3].speedup, Some(20.0));
    }

    #[test]
    fn the_queue_reports_enqueue_and_end_to_end_apart() {
        let mut queue = summary("slide08-producer", "queue", 50, 1.1);
        queue.enqueue_s = Some(0.002);
        let table = Comparison::new(vec![queue], Some(Duration::from_secs(1)), 2);
        let whats: Vec<&str> = table.rows.iter().map(|r| r.what.as_str()).collect();
        assert_eq!(whats, ["queue: enqueue only", "queue: end to end"]);
        assert_eq!(table.rows[0].floor, None, "enqueueing finishes no request");
        assert_eq!(table.rows[1].floor, Some(1.0));
    }

    #[test]
    fn a_slide_that_answered_nothing_gets_no_floor_and_no_speed_up() {
        let mut broken = summary("slide07b-blocking", "blocking", 50, 0.000_01);
        broken.ok = 0;
        let sync = summary("slide04-sync", "sync", 1, 50.0);
        let table = Comparison::new(vec![sync, broken], Some(Duration::from_secs(1)), 2);
        let row = &table.rows[1];
        assert_eq!(
            (row.floor, row.speedup, row.efficiency()),
            (None, None, None)
        );
    }

    #[test]
    fn with_work_the_floor_counts_the_cores() {
        let mut tokio = summary("slide07-tokio", "tokio", 50, 1.1);
        tokio.work_s = 0.02;
        let table = Comparison::new(vec![tokio], Some(Duration::from_millis(100)), 2);
        assert!(table.text_table().contains("tokio runs on one thread"));
    }
}
