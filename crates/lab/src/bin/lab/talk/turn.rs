//! One slide's turn in the talk: what it runs against, its banner, and its run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lab::Binaries;
use lab::talk::Slide;

use super::build::{Background, Waited};
use super::flags::{Flags, host_of};
use super::slide::{self, Ended};
use super::stand_in::{self, Known};
use crate::queue::Queue;
use crate::shown::shown;
use crate::shown::{NAME, RULE};
use common::{Signal, SignalFlag};

/// What the talk hands every slide.
pub struct Talk<'a> {
    pub flags: &'a Flags,
    pub bins: &'a Binaries,
    pub signals: &'a SignalFlag,
    /// The UUID endpoint every slide fetches from.
    pub url: String,
    /// Where each slide's output goes, as `NAME.json`: the talk's own directory.
    pub dir: &'a Path,
    /// The build of the other slides, when it goes on while the talk runs.
    pub build: Option<&'a Background>,
    /// `--first-in-debug`: the debug build, which has what was built first.
    pub first: Option<&'a Binaries>,
}

/// What one slide's turn came to.
pub enum Turn {
    /// It ran and its record ends with its summary; `ok` when it got every UUID.
    Ran { ok: bool },
    /// It printed no summary (it did not start, exited early, crashed, or what it runs against
    /// did not start): its record ends with a stand-in that says `why`.
    StandIn { why: String },
    /// It is not built, or needs a redis-server this machine cannot have: no row.
    Skipped,
    /// Not even a stand-in could be written (it has said why): no row.
    Failed,
    /// A signal stopped the lab (its number) during the turn.
    Stopped(Signal),
}

impl Talk<'_> {
    /// The slide's record: its stdout, whose last line is the summary the table reads.
    pub fn record(&self, slide: &Slide) -> PathBuf {
        self.dir.join(format!("{}.json", slide.binary))
    }

    /// The debug build of `binary` when it was built first, for a quick start, and the release
    /// build does not have it yet.
    pub fn built_first(&self, binary: &str) -> Option<PathBuf> {
        let first = self.first?;
        let packages = self.flags.build_rest_after.iter().flatten();
        let released = self.build.is_some_and(|build| build.has(binary));
        let built = packages.into_iter().any(|package| package == binary);
        (built && !released).then(|| first.path(binary).ok())?
    }

    pub fn turn(&self, slide: &Slide) -> Turn {
        let program = match self.built_first(slide.binary) {
            Some(program) => program,
            None => match self.when_built(slide) {
                Ok(program) => program,
                Err(turn) => return turn,
            },
        };
        let started = Instant::now();
        let mut args = self.flags.run_args(&self.url);
        // Stopped when this turn ends (the worker first, then its Redis): no other slide uses it.
        let queue = match slide.queue {
            false => None,
            true => match (self.start_queue(slide), self.signals.get()) {
                (Some(Ok(queue)), _) => Some(queue),
                // A Ctrl-C reaches the services too: then that is why they did not start.
                (_, Some(signal)) => return Turn::Stopped(signal),
                (Some(Err(err)), None) => {
                    eprintln!("{NAME}: {err}");
                    return self.stand_in(slide, started, format!("did not run: {err}"));
                }
                (None, None) => return Turn::Skipped,
            },
        };
        if let Some(queue) = &queue {
            args.extend(["--redis".to_owned(), queue.redis.url()]);
        }
        banner(slide, &shown(&program), &args);
        args.push("--json".to_owned());
        if self.flags.timeline {
            args.push("--timeline".to_owned());
        }
        let record = self.record(slide);
        let why = match slide::run(&program, &args, &record, self.signals) {
            Ok(Ended::Interrupted(signal)) => return Turn::Stopped(signal),
            Ok(Ended::Exited { status, said }) => {
                if let (false, Some(queue)) = (status.success(), &queue) {
                    let worker = queue.worker.output();
                    eprintln!("{NAME}: the worker said:\n{}", worker.trim_end());
                }
                if stand_in::has_summary(&record) {
                    return Turn::Ran {
                        ok: status.success(),
                    };
                }
                stand_in::why(status, said.as_deref())
            }
            Err(err) => {
                eprintln!("{NAME}: {}: {err}", slide.binary);
                err
            }
        };
        self.stand_in(slide, started, why)
    }
    /// The slide's program, once cargo has built it and its companion when the rest builds
    /// while the talk runs; else the turn it comes to instead.
    fn when_built(&self, slide: &Slide) -> Result<PathBuf, Turn> {
        if let Some(build) = self.build {
            let mut needed = vec![slide.binary];
            needed.extend(slide.companion.map(|companion| companion.binary));
            match build.wait_for(&needed, self.signals) {
                Waited::Built => {}
                Waited::Stopped(signal) => return Err(Turn::Stopped(signal)),
                Waited::NotBuilt(why) => {
                    eprintln!("{NAME}: slide {}: {why}", slide.number);
                    return Err(self.stand_in(slide, Instant::now(), why));
                }
            }
        }
        // Not built: not a slide of this build.
        self.bins.path(slide.binary).map_err(|_| Turn::Skipped)
    }

    /// Ends the record of a slide that printed no summary with a stand-in that says `why`.
    fn stand_in(&self, slide: &Slide, started: Instant, why: String) -> Turn {
        let work = self.flags.work.as_ref();
        let known = Known {
            url: &self.url,
            requests: self.flags.requests,
            work: work.map_or(Duration::ZERO, |work| work.duration),
            wall: started.elapsed(),
        };
        let summary = stand_in::summary(slide, &known, &why);
        match stand_in::append(&self.record(slide), &summary) {
            Ok(()) => Turn::StandIn { why },
            Err(err) => {
                eprintln!("{NAME}: {}: {err}", slide.binary);
                Turn::Failed
            }
        }
    }

    /// The Redis and worker a queue slide needs, or `None` when redis-server is not installed
    /// and cannot be: then the slide is skipped, loudly, and that is no failure of the talk.
    fn start_queue(&self, slide: &Slide) -> Option<Result<Queue, lab::Error>> {
        let skip = || {
            eprintln!(
                "{NAME}: SKIPPING SLIDE {}, {}: redis-server is not installed; see above for \
                 how to install it",
                slide.number, slide.title
            );
        };
        if !install_redis_server() {
            skip();
            return None;
        }
        // The worker fetches only from hosts it allows: the one the other slides fetch from.
        match Queue::start(self.bins, &host_of(&self.url)) {
            Err(err) if err.is_missing_program() => {
                eprintln!("{NAME}: {err}");
                skip();
                None
            }
            started => Some(started),
        }
    }
}

/// Runs scripts/install-redis-server.sh, which installs redis-server if it can and says how
/// if it cannot. False when it could not. Outside the workspace there is no script: then
/// starting redis-server says whether it is there.
pub fn install_redis_server() -> bool {
    let script = Path::new("scripts/install-redis-server.sh");
    if !script.is_file() {
        return true;
    }
    // No stdin: it asks for a sudo password only when someone is there to type it.
    let status = Command::new("bash")
        .arg(script)
        .stdin(Stdio::null())
        .status();
    status.is_ok_and(|status| status.success())
}

/// The slide's number and title, what the talk said it took, and the command that runs it,
/// each line at most [`COLUMNS`] wide: on a projector a wider line wraps.
fn banner(slide: &Slide, program: &str, args: &[String]) {
    say!("\n{RULE}");
    say!(" Slide {}: {}.", slide.number, slide.title);
    say!(
        " The talk: {} (deck), {} (speaker notes)",
        slide.deck,
        slide.notes
    );
    if let Some(worker) = slide.companion.filter(|_| slide.queue) {
        say!(
            " One {} runs the jobs; the talk timed only the enqueueing.",
            worker.binary
        );
    }
    for line in command_lines(program, args) {
        say!("{line}");
    }
    say!("{RULE}");
}

/// How wide a line of the talk may be.
const COLUMNS: usize = 80;

/// ` $ PROGRAM ARGS`, broken before an option with a shell's ` \` where the line would pass
/// [`COLUMNS`], so that it still pastes as one command.
fn command_lines(program: &str, args: &[String]) -> Vec<String> {
    let mut lines = vec![format!(" $ {program}")];
    let mut words = args.iter().peekable();
    while let Some(word) = words.next() {
        // An option and its value stay together.
        let mut piece = word.clone();
        if word.starts_with('-')
            && let Some(value) = words.next_if(|next| !next.starts_with('-'))
        {
            piece = format!("{piece} {value}");
        }
        let last = lines.len() - 1;
        if lines[last].chars().count() + 1 + piece.chars().count() + " \\".len() > COLUMNS {
            lines[last].push_str(" \\");
            lines.push(format!("     {piece}"));
        } else {
            lines[last] = format!("{} {piece}", lines[last]);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_command_breaks_before_an_option_and_fits_80_columns() {
        let args: Vec<String> = [
            "--url",
            "http://127.0.0.1:33183/uuid",
            "--requests",
            "50",
            "--redis",
            "redis://127.0.0.1:40633",
            "--timeline",
        ]
        .map(String::from)
        .to_vec();
        let lines = command_lines("target/release/slide08-producer", &args);
        assert_eq!(
            lines,
            [
                " $ target/release/slide08-producer --url http://127.0.0.1:33183/uuid \\",
                "     --requests 50 --redis redis://127.0.0.1:40633 --timeline",
            ]
        );
        let short = command_lines("target/release/slide04-sync", &args[..2]);
        assert_eq!(
            short,
            [" $ target/release/slide04-sync --url http://127.0.0.1:33183/uuid"]
        );
    }
}
