//! What a check holds a run to, one line per property, each seen from outside the program: how
//! it ended, its answers, how long it took (reported, but never the only judge), and how the
//! queue's worker stopped. Its width is judged in `width.rs`.

use std::time::Duration;

use common::Summary;

use crate::exercise::Exercise;
use crate::run::{LIMIT, Ran, Stopped};

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

    pub fn note(text: String) -> Line {
        let (holds, hint) = (None, "");
        Line { holds, text, hint }
    }
}

/// Whether the run ended as a program should, with its summary line: the summary, or the one
/// line that says how it did not (not written yet, a panic, hung, no summary).
pub fn ended(exercise: &Exercise, ran: &Ran) -> Result<Summary, Line> {
    // The queue's worker is where the exercise runs: its panic is the one that counts.
    let worker_said = ran.worker.as_ref().map_or("", |w| w.output.as_str());
    if let Some((place, panic)) = panic_message(worker_said).or(panic_message(&ran.stderr)) {
        if panic.starts_with("not yet implemented") {
            let text = format!(
                "not written yet: `{}` still says todo!() — open {}",
                exercise.shown,
                exercise.path()
            );
            return Err(Line::judged(
                false,
                text,
                "write the lesson where the ✎ lines say",
            ));
        }
        let text = format!("it panicked at {place}: {panic}");
        return Err(Line::judged(
            false,
            text,
            "that line is where; the message is why",
        ));
    }
    let Some(status) = ran.status else {
        let text = format!(
            "it was still running after {} s, so the check stopped it",
            LIMIT.as_secs()
        );
        return Err(Line::judged(false, text, exercise.hints.hangs));
    };
    Summary::from_output(&ran.stdout).map_err(|_| {
        let text = format!("it ended ({status}) without its summary line");
        let hint = "main prints the summary after fetch_all returns: let fetch_all return";
        Line::judged(false, text, hint)
    })
}

/// The queue's worker, asked to stop as Ctrl-C asks it: it lets its jobs finish and exits 0.
pub fn stops(worker: &Stopped) -> Line {
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
pub fn answers(exercise: &Exercise, summary: &Summary, served: usize, requests: usize) -> Line {
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

/// Wall time against the floor, ⌈requests ÷ width⌉ × the delay: reported, and generous.
pub fn time(summary: &Summary, requests: usize, width: usize) -> Line {
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
}
