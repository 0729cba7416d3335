//! The clock, each result as it arrives, and the summary at the end — or, after Ctrl-C, the
//! summary of what got done.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::future::Future;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FetchError;
use crate::interrupt;
use crate::retry;
use crate::slide::Args;
use crate::timeline;

/// How many columns the `--timeline` chart spans.
const TIMELINE_WIDTH: usize = 60;

/// When the run started, and how often to try a failed request again (`--retries`). `Copy`, so
/// every thread or task can time its own requests.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
    retries: u32,
}

/// One request's outcome, with when it started and finished (measured from the run's start).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fetched {
    /// Which request this was: 1 to N.
    pub index: usize,
    pub started: Duration,
    pub finished: Duration,
    pub result: Result<Uuid, FetchError>,
    /// Why each earlier try failed, oldest first, when `--retries` tried it again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retried: Vec<FetchError>,
}

impl Fetched {
    /// This request on the run's time axis, as the `--json` summary reports it.
    fn span(&self) -> serde_json::Value {
        serde_json::json!({
            "index": self.index,
            "start_s": self.started.as_secs_f64(),
            "end_s": self.finished.as_secs_f64(),
            "ok": self.result.is_ok(),
            "attempts": self.retried.len() + 1,
        })
    }
}

impl Clock {
    pub fn start() -> Self {
        Clock {
            start: Instant::now(),
            retries: 0,
        }
    }

    /// The same clock, trying each failed request again up to `retries` times.
    pub fn with_retries(self, retries: u32) -> Self {
        Clock { retries, ..self }
    }

    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Runs one blocking fetch — again after a pause if it failed and `--retries` allows
    /// (see `retry.rs`) — and notes when it started and finished.
    pub fn time(&self, index: usize, fetch: impl FnMut() -> Result<Uuid, FetchError>) -> Fetched {
        let started = self.elapsed();
        let (result, retried) = retry::blocking(self.retries, fetch);
        Fetched {
            index,
            started,
            finished: self.elapsed(),
            result,
            retried,
        }
    }

    /// Awaits one fetch, made by `fetch` (and made again, after a `sleep` on the runtime's
    /// timer, if it failed and `--retries` allows), and notes when it started and finished.
    pub async fn time_async<F, S>(
        &self,
        index: usize,
        fetch: impl FnMut() -> F,
        sleep: impl Fn(Duration) -> S,
    ) -> Fetched
    where
        F: Future<Output = Result<Uuid, FetchError>>,
        S: Future<Output = ()>,
    {
        let started = self.elapsed();
        let (result, retried) = retry::non_blocking(self.retries, fetch, sleep).await;
        Fetched {
            index,
            started,
            finished: self.elapsed(),
            result,
            retried,
        }
    }
}

/// A run in progress: prints each result as it arrives, then the summary.
///
/// A handle on the report, which a signal may have to print from another thread while the
/// slide's own threads are blocked in their requests.
#[derive(Debug)]
pub struct Run {
    report: Arc<Mutex<Report>>,
}

/// What a run has recorded so far, and how to sum it up.
#[derive(Debug)]
pub(crate) struct Report {
    slide: &'static str,
    model: &'static str,
    args: Args,
    /// The URL as printed: a password in it shows as `****`.
    shown_url: String,
    clock: Clock,
    fetched: Vec<Fetched>,
    notes: Vec<Note>,
    /// The summary is printed once, by `finish` or by a signal, whichever comes first.
    summarized: bool,
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
        let report = Arc::new(Mutex::new(Report {
            slide,
            model,
            args: args.clone(),
            shown_url: without_password(&args.url),
            clock: Clock::start().with_retries(args.retries),
            fetched: Vec::with_capacity(args.requests),
            notes: Vec::new(),
            summarized: false,
        }));
        interrupt::watch(report.clone());
        Run { report }
    }

    fn report(&self) -> MutexGuard<'_, Report> {
        // A thread that panicked while printing leaves nothing half-done that matters here.
        self.report.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// For a slide that learns only during the run how many requests it had in flight at
    /// once (slide 8: its workers' `--concurrency`, added up). Never more than the requests.
    pub fn set_concurrency(&mut self, concurrency: usize) {
        let mut report = self.report();
        report.args.concurrency = concurrency.min(report.args.requests);
    }

    /// Adds a figure of this slide's own to the summary: `shown` ends the summary line, and
    /// `value` goes in the `--json` line under `key`.
    pub fn note(
        &mut self,
        key: &'static str,
        value: impl Into<serde_json::Value>,
        shown: impl Into<String>,
    ) {
        self.report().notes.push(Note {
            key,
            value: value.into(),
            shown: shown.into(),
        });
    }

    /// The run's clock, to hand to whoever makes the requests.
    pub fn clock(&self) -> Clock {
        self.report().clock
    }

    /// Takes one result and prints it: `  0.512s  #07  <uuid>`.
    pub fn record(&mut self, fetched: Fetched) {
        self.report().record(fetched);
    }

    /// Stops the clock, prints the summary (and the JSON line with `--json`), and gives the
    /// exit code: 0 when every request succeeded, 1 when any failed, 128 + the signal's number
    /// when a signal ended the run early (130 for Ctrl-C, 143 for SIGTERM).
    pub fn finish(self) -> ExitCode {
        if interrupt::interrupted() {
            interrupt::run_hooks();
        }
        let code = self.report().summarize();
        ExitCode::from(u8::try_from(code).unwrap_or(1))
    }
}

impl Report {
    fn record(&mut self, fetched: Fetched) {
        if !self.args.quiet && !self.summarized {
            let width = self.args.requests.to_string().len().max(2);
            let outcome = match &fetched.result {
                Ok(uuid) => uuid.to_string(),
                Err(err) => format!("failed: {err}"),
            };
            let retried = match fetched.retried.len() {
                0 => String::new(),
                n => {
                    let causes: Vec<String> =
                        fetched.retried.iter().map(|e| e.to_string()).collect();
                    let plural = if n == 1 { "y" } else { "ies" };
                    format!("  (after {n} retr{plural}: {})", causes.join("; "))
                }
            };
            let secs = fetched.finished.as_secs_f64();
            say(&format!(
                "{secs:>7.3}s  #{:0width$}  {outcome}{retried}",
                fetched.index
            ));
        }
        self.fetched.push(fetched);
    }

    /// Prints the summary, once, and gives the exit code. After a signal: what got done, and
    /// which requests did not finish.
    pub(crate) fn summarize(&mut self) -> i32 {
        let signal = interrupt::interrupted_by();
        let code = match signal {
            Some(sig) => 128 + sig,
            None => 0,
        };
        if std::mem::replace(&mut self.summarized, true) {
            return code;
        }
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
        // Requests never answered are failures too: a crashed worker's, or, after a signal,
        // the ones still in flight or not yet started.
        let missing = self.args.requests.saturating_sub(self.fetched.len());
        if missing > 0 {
            let kind = if signal.is_some() {
                "interrupted"
            } else {
                "missing"
            };
            by_kind.insert(kind, missing);
        }
        let mut retried_by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        for err in self.fetched.iter().flat_map(|f| &f.retried) {
            *retried_by_kind.entry(err.kind()).or_default() += 1;
        }
        let retries: usize = retried_by_kind.values().sum();
        let failed = errors.len() + missing;
        let per_second = self.fetched.len() as f64 / wall.max(f64::EPSILON);
        let first_error = errors.first().map(|err| self.describe(err));

        let failures = if failed == 0 {
            String::new()
        } else {
            let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
            format!(" {failed} failed ({}),", kinds.join(", "))
        };
        let retried = match (self.args.retries, retries) {
            (0, _) => String::new(),
            (_, 1) => " 1 retry,".into(),
            (_, n) => format!(" {n} retries,"),
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
            "{}: {}/{} ok, {unique} unique,{failures}{retried} {wall:.2} s, {per_second:.1} req/s, concurrency {}{notes}",
            self.slide,
            uuids.len(),
            self.args.requests,
            self.args.concurrency,
        ));
        if self.args.json {
            let mut summary = serde_json::json!({
                "slide": self.slide,
                "model": self.model,
                "url": self.shown_url,
                "requests": self.args.requests,
                "concurrency": self.args.concurrency,
                "ok": uuids.len(),
                "failed": failed,
                "failures": by_kind,
                "missing": missing,
                "unique": unique,
                "retries": retries,
                "retried": retried_by_kind,
                "wall_s": wall,
                "req_per_s": per_second,
                "first_error": first_error,
                "interrupted": signal.map(interrupt::signal_name),
                "timeline": self.fetched.iter().map(Fetched::span).collect::<Vec<_>>(),
            });
            for note in &self.notes {
                summary[note.key] = note.value.clone();
            }
            say(&summary.to_string());
        }
        if let Some(sig) = signal {
            eprintln!(
                "{}: {}: stopped after {} of {} requests; not finished: {}",
                self.slide,
                interrupt::signal_name(sig),
                self.fetched.len(),
                self.args.requests,
                self.unfinished()
            );
            return code;
        }
        if failed == 0 {
            return 0;
        }
        let first = first_error.unwrap_or_else(|| format!("{missing} requests got no answer"));
        eprintln!(
            "{}: {failed} of {} requests failed; first: {first}",
            self.slide, self.args.requests
        );
        1
    }

    /// The requests not recorded, as ranges: `#4-#9, #12, #15-#50`. At most a few ranges:
    /// a line, not a list.
    fn unfinished(&self) -> String {
        const MOST: usize = 8;
        let done: BTreeSet<usize> = self.fetched.iter().map(|f| f.index).collect();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for index in (1..=self.args.requests).filter(|i| !done.contains(i)) {
            match ranges.last_mut() {
                Some((_, last)) if *last + 1 == index => *last = index,
                _ => ranges.push((index, index)),
            }
        }
        if ranges.is_empty() {
            return "none".into();
        }
        let mut text = String::new();
        for (n, &(first, last)) in ranges.iter().take(MOST).enumerate() {
            let sep = if n == 0 { "" } else { ", " };
            let _ = match first == last {
                true => write!(text, "{sep}#{first}"),
                false => write!(text, "{sep}#{first}-#{last}"),
            };
        }
        if ranges.len() > MOST {
            text.push_str(", …");
        }
        text
    }

    /// `GET URL: what went wrong — what to do`, the line a learner reads first.
    fn describe(&self, err: &FetchError) -> String {
        let what = match err {
            FetchError::Timeout => format!("{err} after {:?}", self.args.timeout),
            _ => err.to_string(),
        };
        match err.hint() {
            Some(hint) => format!("GET {}: {what} — {hint}", self.shown_url),
            None => format!("GET {}: {what}", self.shown_url),
        }
    }
}

/// The URL with `****` for its password, if it has one: fit to print.
pub fn without_password(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            // Fails only for URLs that cannot have a password, and this one has one.
            let _ = url.set_password(Some("****"));
            url.into()
        }
        _ => text.to_owned(),
    }
}

/// Prints one line on stdout. A closed stdout (`| head`) ends the printing, not the run.
fn say(line: &str) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(requests: usize, done: &[usize]) -> Report {
        let args = Args {
            url: "http://127.0.0.1:8080/uuid".into(),
            requests,
            concurrency: 1,
            timeout: Duration::from_secs(1),
            retries: 0,
            json: false,
            quiet: true,
            timeline: false,
        };
        let mut report = Report {
            slide: "slide",
            model: "model",
            shown_url: args.url.clone(),
            args,
            clock: Clock::start(),
            fetched: Vec::new(),
            notes: Vec::new(),
            summarized: false,
        };
        for &index in done {
            report
                .fetched
                .push(Clock::start().time(index, || Ok(Uuid::nil())));
        }
        report
    }

    #[test]
    fn unfinished_requests_are_named_as_ranges() {
        assert_eq!(report(5, &[]).unfinished(), "#1-#5");
        assert_eq!(report(9, &[1, 2, 5, 9]).unfinished(), "#3-#4, #6-#8");
        assert_eq!(report(3, &[1, 2, 3]).unfinished(), "none");
        let every_other: Vec<usize> = (1..=40).step_by(2).collect();
        let text = report(40, &every_other).unfinished();
        assert!(
            text.starts_with("#2, #4, #6") && text.ends_with(", …"),
            "{text}"
        );
    }

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            without_password("http://me:hunter2@127.0.0.1:8080/uuid"),
            "http://me:****@127.0.0.1:8080/uuid"
        );
        assert_eq!(
            without_password("http://127.0.0.1/uuid"),
            "http://127.0.0.1/uuid"
        );
    }
}
