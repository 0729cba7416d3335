//! `check NAME`: build the exercise, run it against an httpbin-lite of its own, and say in
//! plain words, one line per property (see `judge.rs` and `width.rs`), what holds and what does
//! not, with a hint for the first failure.

use common::Summary;
use lab::Httpbin;

use crate::exercise::Exercise;
use crate::judge::{self, DELAY, Line};
use crate::run::{self, stat};
use crate::width;
use crate::workspace::{Built, Workspace};

/// The hint for a closure that borrows what ends before the thread or task that runs it.
const MOVE: &str = "the closure borrows a variable that ends before its thread or task does \
                    (a loop's number, say): write `move ||` or `async move`, so it takes its \
                    own copy";

/// The hint for a value used up in one round of a loop and wanted again in the next.
const JOIN_IN_LOOP: &str = "one round of the loop uses up what the next round needs; if it is \
                            a join or an .await, wait after the loop that starts them all, not \
                            inside it";

/// Builds, runs and judges the exercise; prints each line as it goes. Gives whether every
/// property holds. An `Err` means the check itself could not run (no cargo, no httpbin-lite).
pub fn check(workspace: &Workspace, exercise: &Exercise) -> Result<bool, String> {
    println!(
        "Checking {} (slide {}): {}",
        exercise.name(),
        exercise.slide,
        exercise.path()
    );
    let built = workspace.cargo_build(exercise.run.also_build, &[&exercise.package()])?;
    if let Built::Failed(said) = built {
        let text = "it does not compile: the compiler's messages are above".to_owned();
        let hint = compile_hint(exercise, &said);
        return Ok(report(exercise, &[Line::judged(false, text, hint)]));
    }
    let httpbin = httpbin(workspace)?;
    let (width, requests, flag) = (
        exercise.width(),
        exercise.run.requests,
        exercise.run.concurrency,
    );
    let how = match (exercise.is_queue_worker(), flag) {
        (false, None) => format!("{requests} requests"),
        (false, Some(c)) => format!("{requests} requests, --concurrency {c}"),
        (true, _) => format!(
            "the producer's {requests} jobs, through a redis-server of its own, to your worker \
             (--concurrency {width})"
        ),
    };
    println!(
        "  {how}; httpbin-lite on {} answers each /uuid after {} ms",
        httpbin.addr(),
        DELAY.as_millis()
    );
    let ran = run::run(workspace, exercise, &httpbin, flag, width)?;
    let (served, peak) = (stat(&httpbin, "served")?, stat(&httpbin, "peak_in_flight")?);
    let lines = match judge::ended(exercise, &ran) {
        Err(line) => vec![line],
        Ok(summary) => {
            let answered = judge::answers(exercise, &summary, served, requests);
            // Time says something only of a run that did all its work.
            let time = match answered.holds {
                Some(true) => judge::time(&summary, requests, width),
                _ => Line::note("its time is not judged: not every request was answered".into()),
            };
            let ran_to_end = "it ran to the end and printed its summary".to_owned();
            let mut lines = vec![Line::judged(true, ran_to_end, ""), answered];
            lines.push(width::in_flight(exercise, peak, width));
            lines.extend(width::shape(exercise, &ran.sample, width));
            lines.push(time);
            lines.extend(ran.worker.as_ref().map(judge::stops));
            // A second width says only something of a program that ran to its end at the first.
            if let Some(narrow) = exercise.run.narrower {
                lines.push(narrower(workspace, exercise, narrow)?);
            }
            lines
        }
    };
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

/// An httpbin-lite of the check's own, answering after [`DELAY`].
fn httpbin(workspace: &Workspace) -> Result<Httpbin, String> {
    Httpbin::start(&workspace.bins, DELAY, &[]).map_err(|err| format!("httpbin-lite: {err}"))
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

/// The same run at a smaller `--concurrency`, against an httpbin-lite of its own: see
/// [`width::narrower`].
fn narrower(workspace: &Workspace, exercise: &Exercise, narrow: usize) -> Result<Line, String> {
    let httpbin = httpbin(workspace)?;
    println!("  again with --concurrency {narrow}, on an httpbin-lite of its own");
    let ran = run::run(workspace, exercise, &httpbin, Some(narrow), narrow)?;
    let peak = stat(&httpbin, "peak_in_flight")?;
    let ok = Summary::from_output(&ran.stdout).map_or(0, |summary| summary.ok);
    Ok(width::narrower(exercise, ok, peak, narrow))
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
    let name = exercise.name();
    if holding == judged {
        println!(
            "Passed: your {name} is the slide's model, seen from outside. Next: scripts/exercise.sh list"
        );
        return true;
    }
    let counted = match judged {
        1 => String::new(),
        _ => format!(" {holding} of {judged} hold."),
    };
    println!(
        "Not yet.{counted} Edit {} and run scripts/exercise.sh check {name} again (or `watch \
         {name}`, which checks on every save).",
        exercise.path()
    );
    false
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_errors_a_learner_meets_get_their_own_hint() {
        let threads = crate::names::find("threads").unwrap_or_else(|err| panic!("{err}"));
        let tokio = crate::names::find("tokio").unwrap_or_else(|err| panic!("{err}"));
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
}
