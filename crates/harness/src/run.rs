//! The clock, each result as it arrives, and the summary at the end.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FetchError;
use crate::slide::Args;
use crate::timeline;

/// How many columns the `--timeline` chart spans.
const TIMELINE_WIDTH: usize = 60;

/// When the run started. `Copy`, so every thread or task can time its own requests.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
}

/// One request's outcome, with when it started and finished (measured from the run's start).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fetched {
    /// Which request this was: 1 to N.
    pub index: usize,
    pub started: Duration,
    pub finished: Duration,
    pub result: Result<Uuid, FetchError>,
}

impl Fetched {
    /// This request on the run's time axis, as the `--json` summary reports it.
    fn span(&self) -> serde_json::Value {
        serde_json::json!({
            "index": self.index,
            "start_s": self.started.as_secs_f64(),
            "end_s": self.finished.as_secs_f64(),
            "ok": self.result.is_ok(),
        })
    }
}

impl Clock {
    pub fn start() -> Self {
        Clock {
            start: Instant::now(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Runs one blocking fetch and notes when it started and finished.
    pub fn time(&self, index: usize, fetch: impl FnOnce() -> Result<Uuid, FetchError>) -> Fetched {
        let started = self.elapsed();
        let result = fetch();
        Fetched {
            index,
            started,
            finished: self.elapsed(),
            result,
        }
    }

    /// Awaits one fetch and notes when it started and finished.
    pub async fn time_async(
        &self,
        index: usize,
        fetch: impl Future<Output = Result<Uuid, FetchError>>,
    ) -> Fetched {
        let started = self.elapsed();
        let result = fetch.await;
        Fetched {
            index,
            started,
            finished: self.elapsed(),
            result,
        }
    }
}

/// A run in progress: prints each result as it arrives, then the summary.
#[derive(Debug)]
pub struct Run {
    slide: &'static str,
    model: &'static str,
    args: Args,
    clock: Clock,
    fetched: Vec<Fetched>,
    notes: Vec<Note>,
}

/// A figure a slide measures beyond the usual ones (slide 8: the time to enqueue).
#[derive(Debug)]
struct Note {
    key: &'static str,
    value: serde_json::Value,
    shown: String,
}

impl Run {
    pub(crate) fn start(slide: &'static str, model: &'static str, args: &Args) -> Self {
        Run {
            slide,
            model,
            args: args.clone(),
            clock: Clock::start(),
            fetched: Vec::with_capacity(args.requests),
            notes: Vec::new(),
        }
    }

    /// For a slide that learns only during the run how many requests it had in flight at
    /// once (slide 8: its workers' `--concurrency`, added up). Never more than the requests.
    pub fn set_concurrency(&mut self, concurrency: usize) {
        self.args.concurrency = concurrency.min(self.args.requests);
    }

    /// Adds a figure of this slide's own to the summary: `shown` ends the summary line, and
    /// `value` goes in the `--json` line under `key`.
    pub fn note(
        &mut self,
        key: &'static str,
        value: impl Into<serde_json::Value>,
        shown: impl Into<String>,
    ) {
        self.notes.push(Note {
            key,
            value: value.into(),
            shown: shown.into(),
        });
    }

    /// The run's clock, to hand to whoever makes the requests.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Takes one result and prints it: `  0.512s  #07  <uuid>`.
    pub fn record(&mut self, fetched: Fetched) {
        if !self.args.quiet {
            let width = self.args.requests.to_string().len().max(2);
            let outcome = match &fetched.result {
                Ok(uuid) => uuid.to_string(),
                Err(err) => format!("failed: {err}"),
            };
            let secs = fetched.finished.as_secs_f64();
            say(&format!(
                "{secs:>7.3}s  #{:0width$}  {outcome}",
                fetched.index
            ));
        }
        self.fetched.push(fetched);
    }

    /// Stops the clock, prints the summary (and the JSON line with `--json`), and gives the
    /// exit code: 0 when every request succeeded, 1 when any failed.
    pub fn finish(self) -> ExitCode {
        let wall = self.clock.elapsed().as_secs_f64();
        let uuids: Vec<Uuid> = self
            .fetched
            .iter()
            .filter_map(|f| f.result.clone().ok())
            .collect();
        let unique = uuids.iter().collect::<HashSet<_>>().len();
        let errors: Vec<&FetchError> = self
            .fetched
            .iter()
            .filter_map(|f| f.result.as_ref().err())
            .collect();
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for err in &errors {
            *by_kind.entry(err.kind()).or_default() += 1;
        }
        // Requests never answered (a crashed worker, say) are failures too.
        let missing = self.args.requests.saturating_sub(self.fetched.len());
        if missing > 0 {
            by_kind.insert("missing", missing);
        }
        let failed = errors.len() + missing;
        let per_second = self.fetched.len() as f64 / wall.max(f64::EPSILON);
        let first_error = errors.first().map(|err| self.describe(err));

        let failures = if failed == 0 {
            String::new()
        } else {
            let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
            format!(" {failed} failed ({}),", kinds.join(", "))
        };
        if self.args.timeline {
            say(timeline::render(&self.fetched, self.clock.elapsed(), TIMELINE_WIDTH).trim_end());
        }
        let notes: String = self
            .notes
            .iter()
            .map(|n| format!(", {}", n.shown))
            .collect();
        say(&format!(
            "{}: {}/{} ok, {unique} unique,{failures} {wall:.2} s, {per_second:.1} req/s, concurrency {}{notes}",
            self.slide,
            uuids.len(),
            self.args.requests,
            self.args.concurrency,
        ));
        if self.args.json {
            let mut summary = serde_json::json!({
                "slide": self.slide,
                "model": self.model,
                "url": self.args.url,
                "requests": self.args.requests,
                "concurrency": self.args.concurrency,
                "ok": uuids.len(),
                "failed": failed,
                "failures": by_kind,
                "missing": missing,
                "unique": unique,
                "wall_s": wall,
                "req_per_s": per_second,
                "first_error": first_error,
                "timeline": self.fetched.iter().map(Fetched::span).collect::<Vec<_>>(),
            });
            for note in &self.notes {
                summary[note.key] = note.value.clone();
            }
            say(&summary.to_string());
        }
        if failed == 0 {
            return ExitCode::SUCCESS;
        }
        let first = first_error.unwrap_or_else(|| format!("{missing} requests got no answer"));
        eprintln!(
            "{}: {failed} of {} requests failed; first: {first}",
            self.slide, self.args.requests
        );
        ExitCode::FAILURE
    }

    /// `GET URL: what went wrong — what to do`, the line a learner reads first.
    fn describe(&self, err: &FetchError) -> String {
        let what = match err {
            FetchError::Timeout => format!("{err} after {:?}", self.args.timeout),
            _ => err.to_string(),
        };
        match err.hint() {
            Some(hint) => format!("GET {}: {what} — {hint}", self.args.url),
            None => format!("GET {}: {what}", self.args.url),
        }
    }
}

/// Prints one line on stdout. A closed stdout (`| head`) ends the printing, not the run.
fn say(line: &str) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}
