//! The report: each result printed as it arrives, then the summary.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Display;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use uuid::Uuid;

use crate::clock::{Clock, Fetched};
use crate::cpu::process_cpu;
use crate::error::{FetchError, quote};
use crate::flags::{Flags, without_password};
use crate::signals::Signal;
use crate::summary::{Span, Summary};
use crate::timeline;

/// How many columns the `--timeline` chart spans.
const TIMELINE_WIDTH: usize = 60;

/// A run's results so far. A cheap handle: clones share the same results, so a thread that
/// hears Ctrl-C can print what the others got done.
#[derive(Debug, Clone)]
pub struct Report(Arc<Mutex<Results>>);

#[derive(Debug)]
struct Results {
    /// What the run was asked to do: the summary's first fields, known from the start.
    asked: Summary,
    flags: Flags,
    clock: Clock,
    /// The CPU used before the clock started (setting up, such as building the HTTP client and
    /// its root certificates), left out of the run's.
    cpu_before: Duration,
    fetched: Vec<Fetched>,
    /// The summary is printed once, whoever asks first; a later ask gets the same exit code.
    finished: Option<ExitCode>,
}

impl Report {
    /// Starts the clock for `flags.requests` requests, at most `concurrency` at a time.
    pub fn start(slide: &str, model: &str, flags: &Flags, concurrency: usize) -> Report {
        let asked = Summary {
            slide: slide.into(),
            model: model.into(),
            url: quote(&without_password(flags.url.as_str())),
            requests: flags.requests,
            concurrency,
            max_retries: flags.retries,
            work_s: flags.work.as_secs_f64(),
            ..Summary::default()
        };
        Report(Arc::new(Mutex::new(Results {
            asked,
            flags: flags.clone(),
            clock: Clock::start(),
            cpu_before: process_cpu(),
            fetched: Vec::with_capacity(flags.requests),
            finished: None,
        })))
    }

    /// Says on stderr that only `started` workers could start, and why (the OS refused more
    /// threads), and makes the summary say that `started` ran at a time.
    pub fn started_only(&self, started: usize, why: impl Display) {
        let mut results = self.results();
        let Summary { slide, model, .. } = &results.asked;
        eprintln!(
            "{slide}: only {started} of {} {model} could start ({}); they make every request",
            results.asked.concurrency,
            quote(&why.to_string())
        );
        results.asked.concurrency = started;
    }

    fn results(&self) -> MutexGuard<'_, Results> {
        // A thread that panicked while printing leaves nothing half-done that matters here.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
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
        let code = match results.finished {
            Some(code) => code,
            None => results.print(stopped_by, add),
        };
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
            let chart = timeline::render(&summary.timeline, summary.wall_s, TIMELINE_WIDTH);
            say(chart.trim_end());
        }
        say(&summary.line());
        if self.flags.json {
            say(&summary.to_json());
        }
        let (slide, requests, failed) = (&summary.slide, summary.requests, summary.failed);
        if let Some(signal) = stopped_by {
            eprintln!(
                "{slide}: {}: stopped after {} of {requests} requests; not finished: {}",
                signal.name(),
                self.fetched.len(),
                self.unfinished()
            );
            return signal.exit_code();
        }
        if failed == 0 {
            return ExitCode::SUCCESS;
        }
        let first = summary.first_error.clone();
        let first = first.unwrap_or_else(|| format!("{} requests got no answer", summary.missing));
        eprintln!("{slide}: {failed} of {requests} requests failed; first: {first}");
        ExitCode::FAILURE
    }

    /// `  0.512s  #07  <uuid>`, and why it was tried again if it was.
    fn line(&self, fetched: &Fetched) -> String {
        let width = self.flags.requests.to_string().len().max(2);
        let outcome = match &fetched.result {
            Ok(uuid) => uuid.to_string(),
            Err(err) => format!("failed: {err}"),
        };
        let causes: Vec<String> = fetched.retried.iter().map(ToString::to_string).collect();
        let retried = match causes.len() {
            0 => String::new(),
            1 => format!("  (after 1 retry: {})", causes[0]),
            n => format!("  (after {n} retries: {})", causes.join("; ")),
        };
        let secs = fetched.finished.as_secs_f64();
        format!(
            "{secs:>7.3}s  #{:0width$}  {outcome}{retried}",
            fetched.index
        )
    }

    fn summary(&self, stopped_by: Option<Signal>) -> Summary {
        let wall_s = self.clock.elapsed().as_secs_f64();
        let cpu_s = process_cpu().saturating_sub(self.cpu_before).as_secs_f64();
        let results = self.fetched.iter().map(|f| f.result.as_ref());
        let uuids: Vec<&Uuid> = results.clone().filter_map(Result::ok).collect();
        let errors: Vec<&FetchError> = results.filter_map(Result::err).collect();
        let mut failures = by_kind(errors.iter().copied());
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
        let retried = by_kind(self.fetched.iter().flat_map(|f| &f.retried));
        let mut timeline: Vec<Span> = self.fetched.iter().map(Fetched::span).collect();
        timeline.sort_by_key(|span| span.index);
        Summary {
            ok: uuids.len(),
            failed: errors.len() + missing,
            failures,
            missing,
            unique: uuids.iter().collect::<HashSet<_>>().len(),
            retries: retried.values().sum(),
            retried,
            wall_s,
            // Only answers count: when every request fails, no rate is claimed.
            req_per_s: uuids.len() as f64 / wall_s.max(f64::EPSILON),
            cpu_s,
            cores_used: cpu_s / wall_s.max(f64::EPSILON),
            first_error: errors.first().map(|err| self.describe(err)),
            interrupted: stopped_by.map(|signal| signal.name().into()),
            timeline,
            ..self.asked.clone()
        }
    }

    /// `GET URL: what went wrong — what to do`, the line a learner reads first.
    fn describe(&self, err: &FetchError) -> String {
        let url = &self.asked.url;
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
        let shown = ranges
            .iter()
            .take(MOST)
            .map(|&(first, last)| match first == last {
                true => format!("#{first}"),
                false => format!("#{first}-#{last}"),
            });
        let more = (ranges.len() > MOST).then(|| "…".to_owned());
        match ranges.is_empty() {
            true => "none".into(),
            false => shown.chain(more).collect::<Vec<_>>().join(", "),
        }
    }
}

/// How many of `errors` there are of each kind.
fn by_kind<'a>(errors: impl Iterator<Item = &'a FetchError>) -> BTreeMap<String, usize> {
    errors.fold(BTreeMap::new(), |mut counts, err| {
        *counts.entry(err.kind().into()).or_default() += 1;
        counts
    })
}

/// Prints one line on stdout. A closed stdout (`| head`) ends the printing, not the run.
fn say(line: &str) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}

#[cfg(test)]
#[path = "../unit_tests/report.rs"]
mod tests;
