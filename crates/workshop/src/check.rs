//! `check NAME`: build the exercise, run it against an httpbin-lite of its own, and say in
//! plain words, one line per property, what holds and what does not, with a hint for the first
//! failure. Every property is seen from outside the program: its summary line, the server's
//! count of requests in flight, and what the OS shows of its threads and child processes.
//! Time is reported too, but never the only judge.

use std::time::Duration;

use common::Summary;
use lab::Httpbin;

use crate::exercise::{Exercise, Runs, Shape};
use crate::queue::{self, Stopped};
use crate::run::{self, LIMIT, Ran, Sample, Width};
use crate::workspace::{Built, Workspace};

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

/// What `check` found about one property.
struct Line {
    /// `None` for a note that is not judged.
    holds: Option<bool>,
    text: String,
    /// Shown if this is the first property that does not hold.
    hint: &'static str,
}

impl Line {
    fn judged(holds: bool, text: String, hint: &'static str) -> Line {
        Line {
            holds: Some(holds),
            text,
            hint,
        }
    }

    fn note(text: String) -> Line {
        Line {
            holds: None,
            text,
            hint: "",
        }
    }
}

/// Builds, runs and judges the exercise; prints each line as it goes. Gives whether every
/// property holds. An `Err` means the check itself could not run (no cargo, no httpbin-lite).
pub fn check(workspace: &Workspace, exercise: &Exercise) -> Result<bool, String> {
    println!(
        "Checking {} (slide {}): {}",
        exercise.name(),
        exercise.slide,
        exercise.path()
    );
    if let Built::Failed(said) = build(workspace, exercise)? {
        let text = "it does not compile: the compiler's messages are above".to_owned();
        let hint = compile_hint(exercise, &said);
        return Ok(report(exercise, &[Line::judged(false, text, hint)]));
    }
    let httpbin = Httpbin::start(&workspace.bins, DELAY, &[])
        .map_err(|err| format!("httpbin-lite: {err}"))?;
    let width = exercise.width();
    let requests = exercise.run.requests;
    let how = match (exercise.run.runs, exercise.run.concurrency) {
        (Runs::Itself, None) => format!("{requests} requests"),
        (Runs::Itself, Some(c)) => format!("{requests} requests, --concurrency {c}"),
        (Runs::QueueWorker, _) => format!(
            "the producer's {requests} jobs, through a redis-server of its own, to your worker \
             (--concurrency {width})"
        ),
    };
    println!(
        "  {how}; httpbin-lite on {} answers each /uuid after {} ms",
        httpbin.addr(),
        DELAY.as_millis()
    );
    let given = Width {
        flag: exercise.run.concurrency,
        expected: width,
    };
    let ran = run::run(workspace, exercise, &httpbin, given)?;
    let served = count(&httpbin, "served")?;
    let peak = count(&httpbin, "peak_in_flight")?;
    let mut lines = judge(exercise, &ran, served, peak, width);
    // A second width says only something of a program that ran to its end at the first.
    let ran_to_end = lines.first().is_some_and(|line| line.holds == Some(true));
    if let Some(narrow) = exercise.run.narrower
        && ran_to_end
    {
        lines.push(narrower(workspace, exercise, narrow)?);
    }
    let passed = report(exercise, &lines);
    // What went wrong may be in its own words; a todo!() has said all it has to say.
    let worker_said = ran.worker.as_ref().map(|worker| worker.output.as_str());
    let todo = [Some(ran.stderr.as_str()), worker_said]
        .into_iter()
        .flatten()
        .any(|said| said.contains("not yet implemented"));
    if !passed && !todo {
        show_tail(&ran.stderr);
    }
    Ok(passed)
}

/// `cargo build` of what the check runs beside the exercise (httpbin-lite, the slide's other
/// programs), then of the exercise: see [`Workspace::cargo_build`].
pub fn build(workspace: &Workspace, exercise: &Exercise) -> Result<Built, String> {
    let mut talk: Vec<&str> = vec!["httpbin-lite"];
    talk.extend(exercise.run.also_build);
    workspace.cargo_build(&talk, &[exercise.package])
}

/// The hint for a build that failed: for an error a learner meets writing this model, what to
/// do about it; otherwise, to start from the first.
fn compile_hint(exercise: &Exercise, said: &str) -> &'static str {
    // The first error, from its `error[E…]` line to the blank line after it, without `error`.
    let start = said
        .match_indices("error")
        .map(|(at, _)| at)
        .find(|&at| at == 0 || said[..at].ends_with('\n'));
    let from_first = start.map_or("", |at| &said[at + "error".len()..]);
    let first = from_first.split("\n\n").next().unwrap_or_default();
    // A thread or task that may outlive what it borrows: std::thread::spawn and tokio::spawn
    // want `'static`.
    let escapes =
        first.starts_with("[E0521]") || (first.starts_with("[E0373]") && first.contains("'static"));
    if escapes && !exercise.hints.escapes.is_empty() {
        exercise.hints.escapes
    } else if first.starts_with("[E0373]") {
        MOVE
    } else if first.starts_with("[E0382]") && first.contains("in previous iteration of loop") {
        JOIN_IN_LOOP
    } else {
        "fix the first error first; the others often follow from it"
    }
}

/// The hint for a closure that borrows what ends before the thread or task that runs it.
const MOVE: &str = "the closure borrows a variable that ends before its thread or task does \
                    (a loop's number, say): write `move ||` or `async move`, so it takes its \
                    own copy";

/// The hint for a value used up in one round of a loop and wanted again in the next.
const JOIN_IN_LOOP: &str = "one round of the loop uses up what the next round needs; if it is \
                            a join or an .await, wait after the loop that starts them all, not \
                            inside it";

/// The same run at a smaller `--concurrency`, against an httpbin-lite of its own: a model that
/// keeps to the width it is given has that many requests in flight; one that keeps a width of
/// its own (a task per request, a fixed number of threads) does not.
fn narrower(workspace: &Workspace, exercise: &Exercise, narrow: usize) -> Result<Line, String> {
    let httpbin = Httpbin::start(&workspace.bins, DELAY, &[])
        .map_err(|err| format!("httpbin-lite: {err}"))?;
    println!("  again with --concurrency {narrow}, on an httpbin-lite of its own");
    let given = Width {
        flag: Some(narrow),
        expected: narrow,
    };
    let ran = run::run(workspace, exercise, &httpbin, given)?;
    let peak = count(&httpbin, "peak_in_flight")?;
    let requests = exercise.run.requests;
    let with = format!("with --concurrency {narrow}");
    let ok = Summary::from_output(&ran.stdout).map_or(0, |summary| summary.ok);
    let hints = &exercise.hints;
    let line = if ok < requests {
        let text = format!("{with}, {ok} of the {requests} requests were answered");
        Line::judged(false, text, hints.answers)
    } else if peak == narrow {
        let text = format!(
            "{with}, the server had {} in flight at once: it keeps to the width it is given",
            self::requests(peak)
        );
        Line::judged(true, text, "")
    } else if peak > narrow {
        let text = format!(
            "{with}, the server still saw {peak} requests in flight at once: it ignores the \
             width it is given"
        );
        Line::judged(false, text, hints.ignores_width)
    } else {
        let text = format!(
            "{with}, the server saw at most {} in flight at once, and it should see {narrow}",
            self::requests(peak)
        );
        Line::judged(false, text, hints.too_few)
    };
    Ok(line)
}

/// One of httpbin-lite's counts: `served`, `peak_in_flight`.
fn count(httpbin: &Httpbin, name: &str) -> Result<usize, String> {
    let stats = httpbin.stats().map_err(|err| err.to_string())?;
    let count = stats[name].as_u64();
    let count = count.ok_or_else(|| format!("httpbin-lite's /stats has no {name}: {stats}"))?;
    usize::try_from(count).map_err(|err| err.to_string())
}

/// Every property, one line each.
fn judge(exercise: &Exercise, ran: &Ran, served: usize, peak: usize, width: usize) -> Vec<Line> {
    // The queue's worker is where the exercise runs: its panic is the one that counts.
    let worker_said = ran
        .worker
        .as_ref()
        .map_or("", |worker| worker.output.as_str());
    if let Some((place, panic)) = panic_message(worker_said).or(panic_message(&ran.stderr)) {
        if panic.starts_with("not yet implemented") {
            let text = format!(
                "not written yet: `{}` still says todo!() — open {}",
                exercise.shown,
                exercise.path()
            );
            return vec![Line::judged(
                false,
                text,
                "write the lesson where the ✎ lines say",
            )];
        }
        let text = format!("it panicked at {place}: {panic}");
        let hint = "that line is where; the message is why";
        return vec![Line::judged(false, text, hint)];
    }
    let Some(status) = ran.status else {
        let text = format!(
            "it was still running after {} s, so the check stopped it",
            LIMIT.as_secs()
        );
        return vec![Line::judged(false, text, exercise.hints.hangs)];
    };
    let summary = match Summary::from_output(&ran.stdout) {
        Ok(summary) => summary,
        Err(_) => {
            let text = format!("it ended ({status}) without its summary line");
            let hint = "main prints the summary after fetch_all returns: let fetch_all return";
            return vec![Line::judged(false, text, hint)];
        }
    };
    let requests = exercise.run.requests;
    let mut lines = vec![Line::judged(
        true,
        "it ran to the end and printed its summary".to_owned(),
        "",
    )];
    let answered = answers(exercise, &summary, served, requests);
    let all_answered = answered.holds == Some(true);
    lines.push(answered);
    lines.push(in_flight(exercise, peak, width));
    lines.extend(shape(exercise, &ran.sample, width));
    // Time says something only of a run that did all its work.
    lines.push(match all_answered {
        true => time(&summary, requests, width),
        false => Line::note("its time is not judged: not every request was answered".to_owned()),
    });
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
            Line::judged(false, text, queue::STOPS)
        }
        Err(err) => Line::judged(false, format!("stopping the worker: {err}"), queue::STOPS),
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
fn in_flight(exercise: &Exercise, peak: usize, width: usize) -> Line {
    let promise = exercise.run.promise;
    if peak == width {
        let text = format!(
            "the server had {} in flight at once: {promise}",
            requests(peak)
        );
        return Line::judged(true, text, "");
    }
    let should = format!("and it should see {width} ({promise})");
    let (text, hint) = match peak {
        0 => (
            format!("the server saw no request at all, {should}: none of them ran"),
            exercise.hints.too_few,
        ),
        1 if width > 1 => (
            format!(
                "the server never saw more than 1 request in flight, {should}: your requests \
                 still run one after another"
            ),
            exercise.hints.too_few,
        ),
        _ if peak < width => (
            format!("the server saw at most {peak} requests in flight at once, {should}"),
            exercise.hints.too_few,
        ),
        _ => (
            format!("the server saw {peak} requests in flight at once, {should}"),
            exercise.hints.too_many,
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
    let sample = match sample {
        Ok(sample) => sample,
        Err(why) => {
            let text = format!("its threads and processes were not looked at: {why}");
            return Some(Line::note(text));
        }
    };
    let Sample {
        in_flight,
        threads,
        children,
    } = *sample;
    let at = match in_flight {
        1 => "while 1 request was in flight".to_owned(),
        n => format!("while {n} requests were in flight"),
    };
    let line = match shape {
        Shape::ChildPerRequest => {
            let holds = children == width;
            let text = match (holds, children == in_flight) {
                (true, true) => format!("{children} child processes {at}: one per request"),
                (true, false) => format!("{children} child processes {at}: the pool's {width}"),
                (false, _) => format!("{children} child processes {at}; the pool has {width}"),
            };
            Line::judged(holds, text, hint)
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
            Line::judged(holds, text, hint)
        }
        Shape::OneThread => {
            let holds = threads == 1;
            let text = match holds {
                true => format!("one thread {at}: every request on the same one"),
                false => format!("{threads} threads {at}; this model runs every request on one"),
            };
            Line::judged(holds, text, hint)
        }
    };
    Some(line)
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

/// Prints the lines, the first failure with its hint, and a last line that says what next.
/// Gives whether every judged property holds.
fn report(exercise: &Exercise, lines: &[Line]) -> bool {
    let mut hinted = false;
    for line in lines {
        let mark = match line.holds {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "–",
        };
        let mut text = format!("{mark} {}", line.text);
        if line.holds == Some(false) && !hinted && !line.hint.is_empty() {
            text += &format!(" (hint: {})", line.hint);
            hinted = true;
        }
        println!("{text}");
    }
    let judged = lines.iter().filter(|line| line.holds.is_some()).count();
    let holding = lines.iter().filter(|line| line.holds == Some(true)).count();
    let passed = holding == judged;
    let name = exercise.name();
    let counted = match judged {
        1 => String::new(),
        _ => format!(" {holding} of {judged} hold."),
    };
    match passed {
        true => println!(
            "Passed: your {name} is the slide's model, seen from outside. Next: scripts/exercise.sh list"
        ),
        false => println!(
            "Not yet.{counted} Edit {} and run scripts/exercise.sh check {name} again (or \
             `watch {name}`, which checks on every save).",
            exercise.path()
        ),
    }
    passed
}

/// Where the first panic in `stderr` happened and its message: `thread '…' panicked at
/// FILE:LINE:COLUMN:`, then the message on the next line.
fn panic_message(stderr: &str) -> Option<(String, String)> {
    let mut lines = stderr.lines();
    let (_, place) = lines.find_map(|line| line.split_once("panicked at "))?;
    let message = lines.next().unwrap_or("(no message)").trim();
    Some((place.trim_end_matches(':').to_owned(), message.to_owned()))
}

/// The last few lines the program wrote on stderr, set off from the check's own.
fn show_tail(stderr: &str) {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    if lines.is_empty() {
        return;
    }
    println!("What it said on stderr, at the end:");
    for line in &lines[lines.len().saturating_sub(6)..] {
        println!("  │ {line}");
    }
}

/// "1 request", "5 requests".
fn requests(n: usize) -> String {
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
        let exercise = crate::exercise::find("threads").unwrap_or_else(|err| panic!("{err}"));
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
    fn compile_errors_a_learner_meets_get_their_own_hint() {
        let threads = crate::exercise::find("threads").unwrap_or_else(|err| panic!("{err}"));
        let tokio = crate::exercise::find("tokio").unwrap_or_else(|err| panic!("{err}"));
        let escapes = "   Compiling ex06-threads\nerror[E0521]: borrowed data escapes outside of \
                       function\n  --> src/main.rs:50:9\n   |\n50 |  thread::spawn(\n\n\
                       error: could not compile";
        assert!(compile_hint(threads, escapes).contains("thread::scope"));
        assert!(compile_hint(tokio, escapes).contains("join_all"));
        let outlives = "error[E0373]: closure may outlive the current function, but it borrows \
                        `index`\n  = note: function requires argument type to outlive `'static`";
        assert!(compile_hint(threads, outlives).contains("thread::scope"));
        let scoped = "error[E0373]: closure may outlive the current function, but it borrows \
                      `index`\nhelp: to force the closure to take ownership of `index`, use \
                      the `move` keyword";
        assert!(compile_hint(threads, scoped).contains("move ||"));
        let used_up = "error[E0382]: use of moved value: `handle`\n  value moved here, in \
                       previous iteration of loop";
        assert!(compile_hint(threads, used_up).contains("after the loop"));
        let other = "error[E0425]: cannot find value `x` in this scope";
        assert!(compile_hint(threads, other).contains("first error first"));
    }

    #[test]
    fn a_server_that_saw_nothing_says_so() {
        let exercise = crate::exercise::find("coroutines").unwrap_or_else(|err| panic!("{err}"));
        let line = in_flight(exercise, 0, 20);
        assert_eq!(line.holds, Some(false));
        assert!(line.text.contains("no request at all"), "{}", line.text);
        assert!(!line.text.contains("one after another"), "{}", line.text);
    }
}
