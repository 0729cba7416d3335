//! Running one slide with `--json`: its output streams to the screen line by line as it comes,
//! all of it goes to its record, `NAME.json` (whose last line, the JSON summary, is what the
//! table reads), its last line on stderr is kept (it says why, when a slide ends early), and a
//! Ctrl-C reaches it exactly once, from here.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::thread;
use std::time::Duration;

use common::{Signal, SignalFlag};
use nix::sys::signal::Signal as Kill;

/// How often to look for the slide's exit and for Ctrl-C.
const POLL: Duration = Duration::from_millis(20);

/// A slide that got Ctrl-C prints what it did and exits at once; past this it hangs.
const GRACE: Duration = Duration::from_secs(10);

/// How a slide's run ended.
pub enum Ended {
    /// It exited: 0 when every request got a UUID. `said`: its last line on stderr, if any.
    Exited {
        status: ExitStatus,
        said: Option<String>,
    },
    /// A signal stopped the lab, and so the slide.
    Interrupted(Signal),
}

/// Runs `program ARGS` to the end, its stdout into `record` and, but for JSON lines, onto
/// the screen; its stderr onto the screen too.
pub fn run(
    program: &Path,
    args: &[String],
    record: &Path,
    signals: &SignalFlag,
) -> Result<Ended, String> {
    let (mut child, file) = start(program, args, record)?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err("the slide's output was not piped".to_owned());
    };
    let copier = thread::spawn(move || copy(stdout, file));
    let passer = thread::spawn(move || pass_on(stderr));
    let ended = wait(&mut child, signals);
    // Both copies end when the slide's pipes close, which its exit (or the kill) brings.
    let said = passer.join().ok().flatten();
    let copied = copier
        .join()
        .map_err(|_| "the thread copying the slide's output panicked".to_owned())?;
    copied.map_err(|err| {
        format!(
            "cannot keep the slide's output in {}: {err}",
            record.display()
        )
    })?;
    // `wait` sees the exit; what the slide said on stderr came in through the other thread.
    match ended? {
        Ended::Exited { status, .. } => Ok(Ended::Exited { status, said }),
        interrupted => Ok(interrupted),
    }
}

/// Creates `record` and starts `program ARGS`, its stdout and stderr piped, with no stdin.
pub fn start(program: &Path, args: &[String], record: &Path) -> Result<(Child, File), String> {
    let file =
        File::create(record).map_err(|err| format!("cannot create {}: {err}", record.display()))?;
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A process group of its own, so that a Ctrl-C in the terminal reaches it once, passed
        // on from here, and not also straight from the terminal: a slide takes a second signal
        // as "exit now", before it has printed what it got done.
        .process_group(0)
        .spawn()
        .map_err(|err| format!("cannot start {}: {err}", program.display()))?;
    Ok((child, file))
}

/// Waits for the slide to exit, passing on a signal the lab gets.
fn wait(child: &mut Child, signals: &SignalFlag) -> Result<Ended, String> {
    let reaped = |err: io::Error| format!("cannot wait for the slide: {err}");
    loop {
        if let Some(status) = child.try_wait().map_err(reaped)? {
            return Ok(Ended::Exited { status, said: None });
        }
        if let Some(stop) = signals.get() {
            // The lab's signal, passed on; then SIGKILL if the slide has not exited by GRACE.
            let number = Kill::try_from(stop.number()).unwrap_or(Kill::SIGTERM);
            lab::signal_then_kill(child, number, GRACE).map_err(reaped)?;
            return Ok(Ended::Interrupted(stop));
        }
        thread::sleep(POLL);
    }
}

/// Copies the slide's stdout line by line: every line to `record`, all but the JSON summary
/// to the screen (people read the result lines; the table reads the summary).
fn copy(stdout: ChildStdout, mut record: File) -> io::Result<()> {
    let mut lines = BufReader::new(stdout);
    let mut line = Vec::new();
    let screen = io::stdout();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line)? == 0 {
            return record.flush();
        }
        record.write_all(&line)?;
        if !line.starts_with(b"{") {
            let shown = fitted(&String::from_utf8_lossy(&line));
            let mut screen = screen.lock();
            // A screen that went away (`| head`) is no reason to lose the record.
            let _ = screen
                .write_all(shown.as_bytes())
                .and_then(|()| screen.flush());
        }
    }
}

/// How wide a line on the screen may be: at the font size a projector needs, a wider one
/// wraps, wherever it falls.
const COLUMNS: usize = 80;

/// `line` as the screen shows it: a line wider than [`COLUMNS`] (a summary with many parts)
/// is broken after each ", " it must be to fit, its continuation indented. A line with no such
/// place to break stays whole. The record keeps every line as the slide wrote it.
fn fitted(line: &str) -> String {
    const INDENT: &str = "    ";
    let mut rest = line.trim_end_matches(['\n', '\r']);
    let mut out = String::new();
    let mut indent = "";
    while indent.len() + rest.chars().count() > COLUMNS {
        let room = COLUMNS - indent.len();
        // The last ", " that keeps this part, with its comma, within the room.
        let cut = rest
            .match_indices(", ")
            .map(|(at, _)| at + 1)
            .filter(|&end| rest[..end].chars().count() <= room)
            .last();
        let Some(cut) = cut else { break };
        out.push_str(indent);
        out.push_str(&rest[..cut]);
        out.push('\n');
        rest = &rest[cut + 1..];
        indent = INDENT;
    }
    out.push_str(indent);
    out.push_str(rest);
    out.push('\n');
    out
}

/// Copies the slide's stderr to the screen line by line, and gives its last line that is not
/// blank: a slide that ends without its summary says why there, last.
fn pass_on(stderr: ChildStderr) -> Option<String> {
    let mut lines = BufReader::new(stderr);
    let mut line = Vec::new();
    let mut last = None;
    loop {
        line.clear();
        // A pipe that cannot be read any more has nothing more to say: what came so far counts.
        if lines.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
            return last;
        }
        // Unbuffered, so each line shows as it comes; a screen that went away loses nothing.
        let _ = io::stderr().write_all(&line);
        let text = String::from_utf8_lossy(&line).trim().to_owned();
        if !text.is_empty() {
            last = Some(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_summary_breaks_after_a_comma_within_80_columns() {
        let producer = "slide08-producer: 50/50 ok, 50 unique, 0.21 s, 235.3 req/s, concurrency 32, \
                        enqueued in 0.49 ms, 1 worker, 0 duplicates\n";
        assert_eq!(
            fitted(producer),
            "slide08-producer: 50/50 ok, 50 unique, 0.21 s, 235.3 req/s, concurrency 32,\n    \
             enqueued in 0.49 ms, 1 worker, 0 duplicates\n"
        );
        let short = "slide04-sync: 50/50 ok, 50 unique, 5.17 s, 9.7 req/s, concurrency 1\n";
        assert_eq!(fitted(short), short);
        let unbreakable = format!("{}\n", "x".repeat(90));
        assert_eq!(fitted(&unbreakable), unbreakable);
    }
}
