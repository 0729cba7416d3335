//! `lab talk --race`: every slide of the talk starts at the same instant, each against an
//! httpbin-lite of its own, so that one slide's load cannot slow another's server; slide 8 with
//! its Redis and worker, and with `--python` the talk's own programs too. On a terminal, a live
//! line per racer: its answers so far, what its server has in flight now, its time, and its
//! place once it is done. Through a pipe, a plain line as each one finishes. Then the usual
//! table, in finishing order, and results.json and report.html as after the talk.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{Signal, SignalFlag, Summary};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use lab::talk::{self, Slide};
use lab::{Binaries, Httpbin};
use nix::sys::signal::{Signal as Kill, kill, killpg};
use nix::unistd::Pid;

use super::NAME;
use super::flags::Flags;
use super::stand_in::{self, Known};
use super::turn::install_redis_server;
use crate::queue::Queue;

/// How often the live lines are brought up to date (each asks its server what is in flight).
const TICK: Duration = Duration::from_millis(100);

/// How often to look for racers that have finished: their places come from it.
const LOOK: Duration = Duration::from_millis(5);

/// After Ctrl-C, how long a racer has to print what it got done before it is killed.
const GRACE: Duration = Duration::from_millis(1500);

/// One program in the race, with what it runs against.
struct Racer {
    /// `7   tokio`, or `7   asyncio (Python)`: its live line's first words.
    label: String,
    slide: &'static Slide,
    /// Its stdout, whose last line is the summary the table reads.
    record: PathBuf,
    server: Httpbin,
    /// Slide 8's Redis and worker, stopped when the racer is dropped.
    _queue: Option<Queue>,
    /// Python runs under bash, in a process group of its own: a signal goes to the whole group.
    python: bool,
    child: Child,
    /// Lines of results so far (one per answer, or per failed request).
    answers: Arc<AtomicUsize>,
    copier: Option<JoinHandle<io::Result<()>>>,
    /// Its last line on stderr: a racer that ends without its summary says why there.
    said: Option<JoinHandle<Option<String>>>,
    bar: ProgressBar,
    /// The instant every racer started.
    start: Instant,
    /// How it ended: its exit status and its time, or `None` while it runs.
    ended: Option<(ExitStatus, Duration)>,
}

/// A racer with what it runs against started, and itself not yet.
struct Ready {
    label: String,
    slide: &'static Slide,
    record: PathBuf,
    server: Httpbin,
    queue: Option<Queue>,
    program: PathBuf,
    args: Vec<String>,
    python: bool,
}

/// What the race came to: each record in finishing order, the racers that did not get every
/// UUID, and the signal that stopped it, if one did.
pub struct Raced {
    pub records: Vec<PathBuf>,
    pub failures: usize,
    pub stopped: Option<Signal>,
}

/// Starts every slide of `flags` at once and follows them to the end (or to a signal).
pub fn race(flags: &Flags, bins: &Binaries, signals: &SignalFlag, dir: &Path) -> Raced {
    let live = io::stdout().is_terminal();
    let screen = match live {
        true => MultiProgress::with_draw_target(ProgressDrawTarget::stdout_with_hz(10)),
        false => MultiProgress::with_draw_target(ProgressDrawTarget::hidden()),
    };
    let delay = flags.delay();
    // Every server first (and Redis and the worker), so that the racers start together.
    let mut ready = Vec::new();
    let mut failures = 0;
    for slide in flags.slides() {
        let mut entrants = vec![(slide.binary, None)];
        if flags.python {
            let originals = talk::python_originals(slide);
            entrants.extend(originals.map(|python| (python.file, Some(python.program))));
        }
        for (name, python) in entrants {
            match Ready::prepare(slide, python, flags, bins, dir) {
                Ok(one) => ready.push(one),
                Err(why) => {
                    eprintln!("{NAME}: {name} does not race: {why}");
                    failures += 1;
                }
            }
        }
    }
    say!(
        "==> the race: {} at once, each against its own httpbin-lite answering after {}",
        ready.len(),
        delay.text
    );
    let start = Instant::now();
    let mut racers = Vec::new();
    for one in ready {
        match one.go(start, &screen, flags.requests) {
            Ok(racer) => racers.push(racer),
            Err(why) => {
                eprintln!("{NAME}: {why}");
                failures += 1;
            }
        }
    }
    let mut finished = Vec::new();
    let mut stopped = None;
    let mut shown = Instant::now();
    while finished.len() < racers.len() {
        if let Some(signal) = signals.get() {
            stop_all(&mut racers, &mut finished);
            stopped = Some(signal);
            break;
        }
        for (index, racer) in racers.iter_mut().enumerate() {
            if racer.ended.is_none() && racer.poll() {
                finished.push(index);
                racer.show_end(finished.len(), live);
            }
        }
        if shown.elapsed() >= TICK {
            racers
                .iter()
                .filter(|racer| racer.ended.is_none())
                .for_each(Racer::show_progress);
            shown = Instant::now();
        }
        thread::sleep(LOOK);
    }
    // From the start to the last finish: how long they took together.
    let took = racers
        .iter()
        .filter_map(|racer| racer.ended)
        .map(|(_, wall)| wall)
        .max();
    say!(
        "==> the race took {:.2} s, from the start to the last finish",
        took.unwrap_or_default().as_secs_f64()
    );
    let mut records = Vec::new();
    for index in finished {
        let racer = &mut racers[index];
        let (ok, record) = racer.settle(flags);
        failures += usize::from(!ok);
        records.extend(record);
    }
    Raced {
        records,
        failures,
        stopped,
    }
}

impl Ready {
    /// Its own httpbin-lite, and for slide 8 a Redis and a worker.
    fn prepare(
        slide: &'static Slide,
        python: Option<&str>,
        flags: &Flags,
        bins: &Binaries,
        dir: &Path,
    ) -> Result<Ready, String> {
        let server =
            Httpbin::start(bins, flags.delay().duration, &[]).map_err(|e| e.to_string())?;
        // A Python queue starts its own (scripts/python.sh does).
        let queue = match slide.queue && python.is_none() {
            true if !install_redis_server() => return Err("no redis-server here".into()),
            true => Some(Queue::start(bins, "127.0.0.1").map_err(|err| err.to_string())?),
            false => None,
        };
        let mut args = vec!["--url".to_owned(), server.url("/uuid")];
        args.extend(["--requests".to_owned(), flags.requests.to_string()]);
        if let Some(queue) = &queue {
            args.extend(["--redis".to_owned(), queue.redis.url()]);
        }
        args.push("--json".to_owned());
        let (program, label, record) = match python {
            Some(program) => {
                args.splice(0..0, ["scripts/python.sh".to_owned(), program.to_owned()]);
                let label = format!("{:<3} {program} (Python)", slide.number);
                (
                    PathBuf::from("bash"),
                    label,
                    format!("python-{program}.json"),
                )
            }
            None => {
                let program = bins.path(slide.binary).map_err(|err| err.to_string())?;
                let label = format!("{:<3} {}", slide.number, slide.model);
                (program, label, format!("{}.json", slide.binary))
            }
        };
        Ok(Ready {
            label,
            slide,
            record: dir.join(record),
            server,
            queue,
            program,
            args,
            python: python.is_some(),
        })
    }

    /// Starts it, its output into its record and its live line onto `screen`.
    fn go(self, start: Instant, screen: &MultiProgress, requests: usize) -> Result<Racer, String> {
        let record = &self.record;
        let file = File::create(record).map_err(|err| format!("{}: {err}", record.display()))?;
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group: a Ctrl-C reaches it once, passed on from here.
            .process_group(0)
            .spawn()
            .map_err(|err| format!("cannot start {}: {err}", self.program.display()))?;
        let answers = Arc::new(AtomicUsize::new(0));
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let counted = Arc::clone(&answers);
        let copier = stdout.map(|out| thread::spawn(move || copy(out, file, &counted)));
        let said = stderr.map(|err| thread::spawn(move || last_line(err)));
        let style = ProgressStyle::with_template("{prefix:22} [{bar:20}] {pos:>4}/{len:<4} {msg}")
            .map_err(|err| err.to_string())?
            .progress_chars("=> ");
        let bar = screen.add(ProgressBar::new(requests as u64).with_style(style));
        bar.set_prefix(self.label.clone());
        Ok(Racer {
            label: self.label,
            slide: self.slide,
            record: self.record,
            server: self.server,
            _queue: self.queue,
            python: self.python,
            child,
            answers,
            copier,
            said,
            bar,
            start,
            ended: None,
        })
    }
}

impl Racer {
    /// True once it has exited (then `ended` holds how).
    fn poll(&mut self) -> bool {
        match self.child.try_wait() {
            Ok(Some(status)) => {
                self.ended = Some((status, self.start.elapsed()));
                true
            }
            Ok(None) => false,
            // It cannot be waited for: it ends here, as a failure.
            Err(_) => {
                let _ = self.child.kill();
                let status = self.child.wait().unwrap_or_else(|_| failed());
                self.ended = Some((status, self.start.elapsed()));
                true
            }
        }
    }

    /// Its live line: answers so far, in flight at its server now, its time.
    fn show_progress(&self) {
        self.bar
            .set_position(self.answers.load(Ordering::Relaxed) as u64);
        let in_flight = self.server.stats().ok();
        let in_flight = in_flight
            .and_then(|stats| stats["in_flight"].as_u64())
            .unwrap_or(0);
        let secs = self.start.elapsed().as_secs_f64();
        self.bar
            .set_message(format!("{in_flight:>5} in flight {secs:>6.1} s"));
    }

    /// Its line once it is done: its place, its time, and the most its server had in flight.
    fn show_end(&self, place: usize, live: bool) {
        let (status, wall) = self.ended.unwrap_or_default();
        let peak = self.server.stats().ok();
        let peak = peak
            .and_then(|stats| stats["peak_in_flight"].as_u64())
            .unwrap_or(0);
        let answers = self.answers.load(Ordering::Relaxed);
        let outcome = match status.success() {
            true => ordinal(place),
            false => "failed".to_owned(),
        };
        let secs = wall.as_secs_f64();
        self.bar.set_position(answers as u64);
        self.bar
            .finish_with_message(format!("{outcome:>5} {secs:>7.2} s peak {peak}"));
        if !live {
            say!(
                "{outcome:>6}  {}: {answers} answers in {secs:.2} s, at most {peak} in flight at \
                 its server",
                self.label.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
    }

    /// Reads what it left: whether it got every UUID, and its record if the table can read it
    /// (a slide that printed no summary gets a stand-in; a Python program, no row).
    fn settle(&mut self, flags: &Flags) -> (bool, Option<PathBuf>) {
        let copied = self.copier.take().map(JoinHandle::join);
        let said = self.said.take().and_then(|said| said.join().ok().flatten());
        let (status, wall) = self.ended.unwrap_or_default();
        if stand_in::has_summary(&self.record) {
            return (status.success(), Some(self.record.clone()));
        }
        if let Some(Ok(Err(err))) = copied {
            eprintln!("{NAME}: cannot keep {}'s output: {err}", self.label);
        }
        let why = stand_in::why(status, said.as_deref());
        eprintln!("{NAME}: {}: {why}", self.label);
        if self.python {
            return (false, None);
        }
        let known = Known {
            url: &self.server.url("/uuid"),
            requests: flags.requests,
            work: Duration::ZERO,
            wall,
        };
        let summary = stand_in::summary(self.slide, &known, &why);
        match stand_in::append(&self.record, &summary) {
            Ok(()) => (false, Some(self.record.clone())),
            Err(err) => {
                eprintln!("{NAME}: {err}");
                (false, None)
            }
        }
    }
}

/// Ctrl-C: every racer still running gets it once, and has [`GRACE`] to print what it got
/// done; then it and whatever it started are killed. Each is `finished`, in the order it ended.
fn stop_all(racers: &mut [Racer], finished: &mut Vec<usize>) {
    for racer in racers.iter().filter(|racer| racer.ended.is_none()) {
        let pid = Pid::from_raw(racer.child.id() as i32);
        // A slide hears it and sums up; Python's bash passes it to no one, so its group hears it.
        let _ = match racer.python {
            true => killpg(pid, Kill::SIGINT),
            false => kill(pid, Kill::SIGINT),
        };
    }
    let deadline = Instant::now() + GRACE;
    loop {
        for (index, racer) in racers.iter_mut().enumerate() {
            if racer.ended.is_none() && racer.poll() {
                finished.push(index);
                racer.bar.abandon_with_message("stopped");
            }
        }
        if finished.len() == racers.len() || Instant::now() >= deadline {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    for (index, racer) in racers.iter_mut().enumerate() {
        // Its group too: a pool's children, Python's worker.
        let _ = killpg(Pid::from_raw(racer.child.id() as i32), Kill::SIGKILL);
        if racer.ended.is_none() {
            let status = racer.child.wait().unwrap_or_else(|_| failed());
            racer.ended = Some((status, racer.start.elapsed()));
            finished.push(index);
            racer.bar.abandon_with_message("killed");
        }
    }
}

/// After the table: the racers shared this machine's cores, and the CPU each used, in lines
/// of at most 80 columns.
pub fn share_note(records: &[PathBuf]) {
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let summaries = records
        .iter()
        .filter_map(|record| std::fs::read_to_string(record).ok())
        .filter_map(|text| Summary::from_output(&text).ok());
    let used: Vec<String> = summaries
        .map(|summary| {
            // A Python original's summary names its file; a slide's, its binary.
            let name = match summary.slide.ends_with(".py") {
                true => summary.slide,
                false => summary.model,
            };
            format!("{name} {:.2} s", summary.cpu_s)
        })
        .collect();
    let mut line = format!("The racers shared this machine's {cores} cores; the CPU each used:");
    for (n, part) in used.iter().enumerate() {
        let part = match n + 1 == used.len() {
            true => format!(" {part}."),
            false => format!(" {part},"),
        };
        if line.chars().count() + part.chars().count() > 80 {
            say!("{line}");
            line = "   ".to_owned();
        }
        line.push_str(&part);
    }
    say!("{line}");
}

/// The status of a racer that could not be waited for: exit code 1.
fn failed() -> ExitStatus {
    ExitStatus::from_raw(1 << 8)
}

/// Why `--race` does not go with a flag given with it, if one does.
pub fn refused(flags: &Flags) -> Option<&'static str> {
    if flags.work.is_some() {
        Some(
            "--race with --work: the racers share this machine's cores, and CPU-bound slides would slow each other; give --work without --race",
        )
    } else if flags.url.is_some() {
        Some(
            "--race with --url: each racer gets an httpbin-lite of its own; give --url without --race",
        )
    } else if flags.timeline {
        Some(
            "--race with --timeline: the race has no \"after each slide\" for a chart; report.html draws each racer's timeline",
        )
    } else {
        None
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Copies the racer's stdout into its record, counting the lines of results: `  0.512s  #07 …`.
fn copy(stdout: impl io::Read, mut record: File, answers: &AtomicUsize) -> io::Result<()> {
    for line in BufReader::new(stdout).split(b'\n') {
        let line = line?;
        record.write_all(&line)?;
        record.write_all(b"\n")?;
        let text = String::from_utf8_lossy(&line);
        let mut words = text.split_whitespace();
        let timed = words.next().is_some_and(|word| word.ends_with('s'));
        if timed && words.next().is_some_and(|word| word.starts_with('#')) {
            answers.fetch_add(1, Ordering::Relaxed);
        }
    }
    record.flush()
}

/// The last line on stderr that is not blank.
fn last_line(stderr: impl io::Read) -> Option<String> {
    let lines = BufReader::new(stderr).lines().map_while(Result::ok);
    lines.filter(|line| !line.trim().is_empty()).last()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_as_people_say_them() {
        let said: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal).to_vec();
        assert_eq!(
            said,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
    }
}
