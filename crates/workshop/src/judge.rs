//! What a check holds a run to, one line per property, each seen from outside the program: its
//! summary line, the server's count of requests in flight, and what the OS shows of its threads
//! and child processes. Time is reported too, but never the only judge.

use std::time::Duration;

use common::Summary;

use crate::exercise::{Exercise, Shape};
use crate::run::{LIMIT, Ran, Sample, Stopped};

/// How long httpbin-lite takes to answer each `/uuid`: long enough for every request of the
/// model's width to overlap, short enough that a check takes about a second.
pub const DELAY: Duration = Duration::from_millis(200);

/// A run may take this many times its floor, plus [`SLACK`], and still count as on time.
const GENEROUS: f64 = 3.0;
const SLACK: f64 = 0.5;

/// A wall time under this share of the floor is faster than the model can be.
const FLOOR_ROUNDING: f64 = 0.98;

/// The hint for a wall time under the floor.
const TOO_FAST: &str = "main starts the clock (Report::start) before fetch_all and stops it \
                        after: keep fetch_all's requests between the two, each timed by \
                        clock.time";

/// What the first failure about time gets as its hint.
const SLOW: &str = "something waits besides the server: a sleep, a lock held across a \
                    request, or one thread waiting for another";

/// The hint for a queue's worker that does not stop as it should.
const STOPS: &str = "wait for signals.next() beside a free slot, in a tokio::select!; once it \
                     comes, take no more jobs, wait for those in flight (running.join_next()), \
                     and return";

/// What a check found about one property.
pub struct Line {
    /// `None` for a note that is not judged.
    pub holds: Option<bool>,
    pub text: String,
    /// Shown if this is the first property that does not hold.
    pub hint: &'static str,
}

impl Line {
    pub fn judged(holds: bool, text: String, hint: &'static str) -> Line {
        let holds = Some(holds);
        Line { holds, text, hint }
    }

    fn note(text: String) -> Line {
        let (holds, hint) = (None, "");
        Line { holds, text, hint }
    }
}

/// Every property of a run at the model's full width, one line each.
pub fn judge(
    exercise: &Exercise,
    ran: &Ran,
    served: usize,
    peak: usize,
    width: usize,
) -> Vec<Line> {
    // The queue's worker is where the exercise runs: its panic is the one that counts.
    let worker_said = ran.worker.as_ref().map_or("", |w| w.output.as_str());
    if let Some((place, panic)) = panic_message(worker_said).or(panic_message(&ran.stderr)) {
        let line = match panic.starts_with("not yet implemented") {
            true => Line::judged(
                false,
                format!(
                    "not written yet: `{}` still says todo!() — open {}",
                    exercise.shown,
                    exercise.path()
                ),
                "write the lesson where the ✎ lines say",
            ),
            false => Line::judged(
                false,
                format!("it panicked at {place}: {panic}"),
                "that line is where; the message is why",
            ),
        };
        return vec![line];
    }
    let Some(status) = ran.status else {
        let text = format!(
            "it was still running after {} s, so the check stopped it",
            LIMIT.as_secs()
        );
        return vec![Line::judged(false, text, exercise.hints.hangs)];
    };
    let Ok(summary) = Summary::from_output(&ran.stdout) else {
        let text = format!("it ended ({status}) without its summary line");
        let hint = "main prints the summary after fetch_all returns: let fetch_all return";
        return vec![Line::judged(false, text, hint)];
    };
    let requests = exercise.run.requests;
    let ran_to_end = "it ran to the end and printed its summary".to_owned();
    let answered = answers(exercise, &summary, served, requests);
    // Time says something only of a run that did all its work.
    let time = match answered.holds {
        Some(true) => time(&summary, requests, width),
        _ => Line::note("its time is not judged: not every request was answered".to_owned()),
    };
    let mut lines = vec![Line::judged(true, ran_to_end, ""), answered];
    lines.push(in_flight(exercise, peak, width));
    lines.extend(shape(exercise, &ran.sample, width));
    lines.push(time);
    lines.extend(ran.worker.as_ref().map(stops));
    lines
}

/// The queue's worker, asked to stop as Ctrl-C asks it: it lets its jobs finish and exits 0.
fn stops(worker: &Stopped) -> Line {
    let took = worker.took.as_secs_f64();
    match &worker.status {
        Ok(status) if status.success() => {
            let text =
                format!("on SIGTERM the worker finished its jobs and exited 0 ({took:.1} s)");
            Line::judged(true, text, "")
        }
        Ok(status) => {
            let text = format!("on SIGTERM the worker ended with {status} after {took:.1} s");
            Line::judged(false, text, STOPS)
        }
        Err(err) => Line::judged(false, format!("stopping the worker: {err}"), STOPS),
    }
}

/// Every request answered, with a valid UUID of its own, each fetched once from the server.
fn answers(exercise: &Exercise, summary: &Summary, served: usize, requests: usize) -> Line {
    let hint = exercise.hints.answers;
    let text = if summary.ok < requests {
        let kinds: Vec<String> = summary
            .failures
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        let first = summary
            .first_error
            .as_ref()
            .map_or_else(String::new, |err| format!("; the first: {err}"));
        format!(
            "only {} of the {requests} requests were answered ({}{first})",
            summary.ok,
            kinds.join(", ")
        )
    } else if summary.unique < summary.ok {
        format!(
            "{} answers, but only {} different UUIDs: each answer must come from a request of \
             its own",
            summary.ok, summary.unique
        )
    } else if served != requests {
        format!(
            "the server served {served} requests for {requests} answers: fetch each request \
             number once"
        )
    } else {
        let text = format!(
            "all {requests} requests answered, each with a valid UUID of its own (the server \
             served {served})"
        );
        return Line::judged(true, text, hint);
    };
    Line::judged(false, text, hint)
}

/// The server's peak of requests in flight at once: the width the model promises.
pub fn in_flight(exercise: &Exercise, peak: usize, width: usize) -> Line {
    let promise = exercise.run.promise;
    if peak == width {
        let text = format!(
            "the server had {} in flight at once: {promise}",
            requests(peak)
        );
        return Line::judged(true, text, "");
    }
    let should = format!("and it should see {width} ({promise})");
    let hints = &exercise.hints;
    let (text, hint) = match peak {
        0 => (
            format!("the server saw no request at all, {should}: none of them ran"),
            hints.too_few,
        ),
        1 if width > 1 => (
            format!(
                "the server never saw more than 1 request in flight, {should}: your requests \
                 still run one after another"
            ),
            hints.too_few,
        ),
        _ if peak < width => (
            format!("the server saw at most {peak} requests in flight at once, {should}"),
            hints.too_few,
        ),
        _ => (
            format!("the server saw {peak} requests in flight at once, {should}"),
            hints.too_many,
        ),
    };
    Line::judged(false, text, hint)
}

/// What the OS showed at the model's full width: its child processes or its threads.
fn shape(exercise: &Exercise, sample: &Result<Sample, String>, width: usize) -> Option<Line> {
    let shape = exercise.run.shape?;
    let hint = exercise.hints.shape;
    // No look means no request was in flight while the check looked, which the server's count
    // has judged already, or an OS that shows neither /proc nor `ps -M`: a note, not a verdict.
    let &Sample {
        in_flight,
        threads,
        children,
    } = match sample {
        Ok(sample) => sample,
        Err(why) => {
            let text = format!("its threads and processes were not looked at: {why}");
            return Some(Line::note(text));
        }
    };
    let at = match in_flight {
        1 => "while 1 request was in flight".to_owned(),
        n => format!("while {n} requests were in flight"),
    };
    let (holds, text) = match shape {
        Shape::ChildPerRequest => {
            let holds = children == width;
            let text = match (holds, children == in_flight) {
                (true, true) => format!("{children} child processes {at}: one per request"),
                (true, false) => format!("{children} child processes {at}: the pool's {width}"),
                (false, _) => format!("{children} child processes {at}; the pool has {width}"),
            };
            (holds, text)
        }
        Shape::ThreadPerRequest => {
            let holds = threads > width;
            let text = match threads.checked_sub(in_flight) {
                Some(1) if holds => format!("{threads} threads {at}: one for each, and main's"),
                Some(more) if holds => format!(
                    "{threads} threads {at}: one for each, and {more} more (main's among them)"
                ),
                _ => format!(
                    "only {threads} threads {at}; {width} requests at once need more than \
                     {width}: one for each, and main's"
                ),
            };
            (holds, text)
        }
        Shape::OneThread => match threads {
            1 => (
                true,
                format!("one thread {at}: every request on the same one"),
            ),
            _ => (
                false,
                format!("{threads} threads {at}; this model runs every request on one"),
            ),
        },
    };
    Some(Line::judged(holds, text, hint))
}

/// Wall time against the floor, ⌈requests ÷ width⌉ × the delay: reported, and generous.
fn time(summary: &Summary, requests: usize, width: usize) -> Line {
    let rounds = requests.div_ceil(width.max(1));
    let floor = rounds as f64 * DELAY.as_secs_f64();
    let allowed = floor * GENEROUS + SLACK;
    let wall = summary.wall_s;
    // Faster than the floor cannot be: more were in flight than the width, or the clock missed
    // some of the run. A hair under it is the clocks' own rounding.
    if wall < floor * FLOOR_ROUNDING {
        let text = format!(
            "{wall:.2} s for {requests} requests, under the {floor:.2} s they take at least \
             {width} at a time: the clock did not time the whole run"
        );
        return Line::judged(false, text, TOO_FAST);
    }
    let text = format!(
        "{wall:.2} s for {requests} requests; {width} at a time, they take at least {floor:.2} s \
         (the check allows up to {allowed:.2} s)"
    );
    Line::judged(wall <= allowed, text, SLOW)
}

/// Where the first panic in `stderr` happened and its message: `thread '…' panicked at
/// FILE:LINE:COLUMN:`, then the message on the next line.
fn panic_message(stderr: &str) -> Option<(String, String)> {
    let mut lines = stderr.lines();
    let (_, place) = lines.find_map(|line| line.split_once("panicked at "))?;
    let message = lines.next().unwrap_or("(no message)").trim();
    Some((place.trim_end_matches(':').to_owned(), message.to_owned()))
}

/// "1 request", "5 requests".
pub fn requests(n: usize) -> String {
    match n {
        1 => "1 request".to_owned(),
        n => format!("{n} requests"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_read_from_its_two_lines() {
        let stderr = "thread 'main' panicked at exercises/06-threads/src/main.rs:52:5:\n\
                      not yet implemented: fetch_all: start the threads\n\
                      note: run with `RUST_BACKTRACE=1`\n";
        let (place, message) = panic_message(stderr).unwrap_or_default();
        assert_eq!(place, "exercises/06-threads/src/main.rs:52:5");
        assert_eq!(message, "not yet implemented: fetch_all: start the threads");
        assert_eq!(panic_message("slide06-threads: 20/20 ok"), None);
    }

    #[test]
    fn time_is_judged_generously_against_the_floor() {
        let mut summary = Summary {
            wall_s: 0.85,
            ..Summary::default()
        };
        // 20 requests 5 at a time: 4 rounds of 200 ms.
        assert_eq!(time(&summary, 20, 5).holds, Some(true));
        summary.wall_s = 4.0; // one after another
        assert_eq!(time(&summary, 20, 5).holds, Some(false));
        // Under the floor: not a fast model, a clock that missed the run.
        summary.wall_s = 0.22;
        let line = time(&summary, 20, 5);
        assert_eq!(line.holds, Some(false), "{}", line.text);
        assert!(line.text.contains("under the 0.80 s"), "{}", line.text);
    }

    #[test]
    fn the_threads_line_counts_what_it_saw() {
        let exercise = crate::names::find("threads").unwrap_or_else(|err| panic!("{err}"));
        let sample = |threads| {
            Ok(Sample {
                in_flight: 5,
                threads,
                children: 0,
            })
        };
        let six = shape(exercise, &sample(6), 5).map(|line| line.text);
        assert_eq!(
            six.as_deref(),
            Some("6 threads while 5 requests were in flight: one for each, and main's")
        );
        let seven = shape(exercise, &sample(7), 5).map(|line| line.text);
        assert_eq!(
            seven.as_deref(),
            Some(
                "7 threads while 5 requests were in flight: one for each, and 2 more (main's \
                 among them)"
            )
        );
        let five = shape(exercise, &sample(5), 5).map(|line| line.holds);
        assert_eq!(five, Some(Some(false)));
    }

    #[test]
    fn a_server_that_saw_nothing_says_so() {
        let exercise = crate::names::find("coroutines").unwrap_or_else(|err| panic!("{err}"));
        let line = in_flight(exercise, 0, 20);
        assert_eq!(line.holds, Some(false));
        assert!(line.text.contains("no request at all"), "{}", line.text);
        assert!(!line.text.contains("one after another"), "{}", line.text);
    }
}
