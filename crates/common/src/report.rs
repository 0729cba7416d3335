//! The report: each result printed as it arrives, then the summary.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::{Display, Write as _};
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use uuid::Uuid;

use crate::clock::{Clock, Fetched};
use crate::cpu::process_cpu;
use crate::error::FetchError;
use crate::flags::{Flags, without_password};
use crate::quote::quote;
use crate::signal::Signal;
use crate::summary::{Span, Summary};
use crate::timeline;

/// How many columns the `--timeline` chart spans.
const TIMELINE_WIDTH: usize = 60;

/// A run's results so far. A cheap handle: clones share the same results, so a thread that
/// hears Ctrl-C can print what the others got done.
#[derive(Debug, Clone)]
pub struct Report {
    shared: Arc<Mutex<Results>>,
}

#[derive(Debug)]
struct Results {
    slide: String,
    model: String,
    flags: Flags,
    concurrency: usize,
    clock: Clock,
    fetched: Vec<Fetched>,
    /// The summary is printed once, whoever asks first; a later ask gets the same exit code.
    finished: Option<ExitCode>,
}

impl Report {
    /// Starts the clock for `flags.requests` requests, at most `concurrency` at a time.
    pub fn start(slide: &str, model: &str, flags: &Flags, concurrency: usize) -> Report {
        let results = Results {
            slide: slide.into(),
            model: model.into(),
            flags: flags.clone(),
            concurrency,
            clock: Clock::start(),
            fetched: Vec::with_capacity(flags.requests),
            finished: None,
        };
        Report {
            shared: Arc::new(Mutex::new(results)),
        }
    }

    /// Says on stderr that only `started` workers could start, and why (the OS refused more
    /// threads), and makes the summary say that `started` ran at a time, not what
    /// [`Report::start`] was told.
    pub fn started_only(&self, started: usize, why: impl Display) {
        let mut results = self.results();
        let asked = results.concurrency;
        eprintln!(
            "{}: only {started} of {asked} {} could start ({}); they make every request",
            results.slide,
            results.model,
            quote(&why.to_string())
        );
        results.concurrency = started;
    }

    fn results(&self) -> MutexGuard<'_, Results> {
        // A thread that panicked while printing leaves nothing half-done that matters here.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The run's clock, to hand to whoever makes the requests.
    pub fn clock(&self) -> Clock {
        self.results().clock
    }

    /// Prints one result, `  0.512s  #07  <uuid>` (unless `--quiet`), and keeps it.
    pub fn record(&self, fetched: Fetched) {
        let mut results = self.results();
        if !results.flags.quiet && results.finished.is_none() {
            say(&results.line(&fetched));
        }
        results.fetched.push(fetched);
    }

    /// Prints the summary and gives the exit code: 0 when every request succeeded, 1 when any
    /// failed, 128 + the signal's number when `stopped_by` one (130 for Ctrl-C, 143 SIGTERM).
    pub fn finish(&self, stopped_by: Option<Signal>) -> ExitCode {
        self.finish_with(stopped_by, |_| {})
    }

    /// [`Report::finish`], after `add` has put figures of the slide's own in the summary.
    pub fn finish_with(
        &self,
        stopped_by: Option<Signal>,
        add: impl FnOnce(&mut Summary),
    ) -> ExitCode {
        self.finish_after(stopped_by, || {}, add)
    }

    /// [`Report::finish_with`], after `clean_up`, run while no other thread can finish the
    /// report: a slide whose clean-up ends its own run (killing its children) cannot then print
    /// a summary of its own before the signal's.
    pub(crate) fn finish_after(
        &self,
        stopped_by: Option<Signal>,
        clean_up: impl FnOnce(),
        add: impl FnOnce(&mut Summary),
    ) -> ExitCode {
        let mut results = self.results();
        clean_up();
        if let Some(code) = results.finished {
            return code;
        }
        let code = results.print(stopped_by, add);
        results.finished = Some(code);
        code
    }
}

impl Results {
    /// Prints the summary, and anything that went wrong on stderr; gives the exit code.
    fn print(&self, stopped_by: Option<Signal>, add: impl FnOnce(&mut Summary)) -> ExitCode {
        let mut summary = self.summary(stopped_by);
        add(&mut summary);
        if self.flags.timeline {
            let wall = self.clock.elapsed();
            say(timeline::render(&self.fetched, wall, TIMELINE_WIDTH).trim_end());
        }
        say(&summary.line());
        if self.flags.json {
            say(&summary.to_json());
        }
        if let Some(signal) = stopped_by {
            eprintln!(
                "{}: {}: stopped after {} of {} requests; not finished: {}",
                summary.slide,
                signal.name(),
                self.fetched.len(),
                summary.requests,
                self.unfinished()
            );
            return signal.exit_code();
        }
        if summary.failed == 0 {
            return ExitCode::SUCCESS;
        }
        let first = summary.first_error.clone();
        let first = first.unwrap_or_else(|| format!("{} requests got no answer", summary.missing));
        eprintln!(
            "{}: {} of {} requests failed; first: {first}",
            summary.slide, summary.failed, summary.requests
        );
        ExitCode::FAILURE
    }

    /// `  0.512s  #07  <uuid>`, and why it was tried again if it was.
    fn line(&self, fetched: &Fetched) -> String {
        let width = self.flags.requests.to_string().len().max(2);
        let outcome = match &fetched.result {
            Ok(uuid) => uuid.to_string(),
            Err(err) => format!("failed: {err}"),
        };
        let retried = match fetched.retried.len() {
            0 => String::new(),
            n => {
                let causes: Vec<String> = fetched.retried.iter().map(|e| e.to_string()).collect();
                let plural = if n == 1 { "y" } else { "ies" };
                format!("  (after {n} retr{plural}: {})", causes.join("; "))
            }
        };
        let secs = fetched.finished.as_secs_f64();
        format!(
            "{secs:>7.3}s  #{:0width$}  {outcome}{retried}",
            fetched.index
        )
    }

    fn summary(&self, stopped_by: Option<Signal>) -> Summary {
        let wall = self.clock.elapsed().as_secs_f64();
        let cpu_s = process_cpu().as_secs_f64();
        let uuids: Vec<Uuid> = self
            .fetched
            .iter()
            .filter_map(|f| f.result.clone().ok())
            .collect();
        let errors: Vec<&FetchError> = self
            .fetched
            .iter()
            .filter_map(|f| f.result.as_ref().err())
            .collect();
        let mut failures: BTreeMap<String, usize> = BTreeMap::new();
        for err in &errors {
            *failures.entry(err.kind().into()).or_default() += 1;
        }
        // Requests never answered fail too: a crashed worker's, or, after a signal, the ones
        // still in flight or not yet started.
        let missing = self.flags.requests.saturating_sub(self.fetched.len());
        if missing > 0 {
            let kind = if stopped_by.is_some() {
                "interrupted"
            } else {
                "missing"
            };
            failures.insert(kind.into(), missing);
        }
        let mut retried: BTreeMap<String, usize> = BTreeMap::new();
        for err in self.fetched.iter().flat_map(|f| &f.retried) {
            *retried.entry(err.kind().into()).or_default() += 1;
        }
        let mut timeline: Vec<Span> = self.fetched.iter().map(Fetched::span).collect();
        timeline.sort_by_key(|span| span.index);
        Summary {
            slide: self.slide.clone(),
            model: self.model.clone(),
            url: quote(&without_password(self.flags.url.as_str())),
            requests: self.flags.requests,
            concurrency: self.concurrency,
            ok: uuids.len(),
            failed: errors.len() + missing,
            failures,
            missing,
            unique: uuids.iter().collect::<HashSet<_>>().len(),
            max_retries: self.flags.retries,
            retries: retried.values().sum(),
            retried,
            wall_s: wall,
            // Only answers count: when every request fails, no rate is claimed.
            req_per_s: uuids.len() as f64 / wall.max(f64::EPSILON),
            work_s: self.flags.work.as_secs_f64(),
            cpu_s,
            cores_used: cpu_s / wall.max(f64::EPSILON),
            first_error: errors.first().map(|err| self.describe(err)),
            interrupted: stopped_by.map(|signal| signal.name().into()),
            timeline,
            enqueue_s: None,
            workers: None,
            duplicates: None,
        }
    }

    /// `GET URL: what went wrong — what to do`, the line a learner reads first.
    fn describe(&self, err: &FetchError) -> String {
        let url = quote(&without_password(self.flags.url.as_str()));
        let what = match err {
            FetchError::Timeout => format!("{err} after {:?}", self.flags.timeout),
            _ => err.to_string(),
        };
        match err.hint() {
            Some(hint) => format!("GET {url}: {what} — {hint}"),
            None => format!("GET {url}: {what}"),
        }
    }

    /// The requests not recorded, as a few ranges: `#4-#9, #12, #15-#50`.
    fn unfinished(&self) -> String {
        const MOST: usize = 8;
        let done: BTreeSet<usize> = self.fetched.iter().map(|f| f.index).collect();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for index in (1..=self.flags.requests).filter(|i| !done.contains(i)) {
            match ranges.last_mut() {
                Some((_, last)) if *last + 1 == index => *last = index,
                _ => ranges.push((index, index)),
            }
        }
        let mut text = String::new();
        for (n, &(first, last)) in ranges.iter().take(MOST).enumerate() {
            let sep = if n == 0 { "" } else { ", " };
            let _ = match first == last {
                true => write!(text, "{sep}#{first}"),
                false => write!(text, "{sep}#{first}-#{last}"),
            };
        }
        match ranges.len() {
            0 => "none".into(),
            n if n > MOST => text + ", …",
            _ => text,
        }
    }
}

/// Prints one line on stdout. A closed stdout (`| head`) ends the printing, not the run.
fn say(line: &str) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
