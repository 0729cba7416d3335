//! One program in the race: what it runs against (its own httpbin-lite, and for slide 8 a Redis
//! and a worker), started before any racer; then the program itself, its output counted as it
//! comes, its live line kept up to date, and what it left read at the end.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use lab::talk::Slide;
use lab::{Binaries, Httpbin};

use super::flags::Flags;
use super::slide;
use super::stand_in::{self, Known};
use super::turn::install_redis_server;
use crate::queue::Queue;
use crate::shown::NAME;

/// One program in the race, running.
pub struct Racer {
    /// What it is and what it runs against (its Redis and worker stop when it is dropped).
    pub it: Ready,
    pub child: Child,
    /// Lines of results so far (one per answer, or per failed request).
    answers: Arc<AtomicUsize>,
    copier: Option<JoinHandle<io::Result<()>>>,
    /// Its last line on stderr: a racer that ends without its summary says why there.
    said: Option<JoinHandle<Option<String>>>,
    pub bar: ProgressBar,
    /// The instant every racer started.
    pub start: Instant,
    /// How it ended: its exit status and its time, or `None` while it runs.
    pub ended: Option<(ExitStatus, Duration)>,
}

/// A racer with what it runs against started, and itself not yet.
pub struct Ready {
    /// `7   tokio`, or `7   asyncio (Python)`: its live line's first words.
    label: String,
    slide: &'static Slide,
    /// Its stdout, whose last line is the summary the table reads.
    record: PathBuf,
    server: Httpbin,
    _queue: Option<Queue>,
    program: PathBuf,
    args: Vec<String>,
    /// Python runs under bash, in a process group of its own: a signal goes to the whole group.
    pub python: bool,
}

impl Ready {
    /// Its own httpbin-lite, and for slide 8 a Redis and a worker.
    pub fn prepare(
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
        // The race refuses --work, so none is passed on.
        let mut args = flags.run_args(&server.url("/uuid"));
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
            _queue: queue,
            program,
            args,
            python: python.is_some(),
        })
    }

    /// Starts it, its output into its record and its live line onto `screen`.
    pub fn go(
        self,
        start: Instant,
        screen: &MultiProgress,
        requests: usize,
    ) -> Result<Racer, String> {
        let (mut child, file) = slide::start(&self.program, &self.args, &self.record)?;
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
            it: self,
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
    pub fn poll(&mut self) -> bool {
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

    /// One of its server's counts (`GET /stats`); 0 if the server cannot say.
    fn stat(&self, name: &str) -> u64 {
        let stats = self.it.server.stats().ok();
        stats.and_then(|stats| stats[name].as_u64()).unwrap_or(0)
    }

    /// Its live line: answers so far, in flight at its server now, its time.
    pub fn show_progress(&self) {
        self.bar
            .set_position(self.answers.load(Ordering::Relaxed) as u64);
        let in_flight = self.stat("in_flight");
        let secs = self.start.elapsed().as_secs_f64();
        self.bar
            .set_message(format!("{in_flight:>5} in flight {secs:>6.1} s"));
    }

    /// Its line once it is done: its `place` (`1st`), its time, and the most its server had in
    /// flight.
    pub fn show_end(&self, place: &str, live: bool) {
        let (status, wall) = self.ended.unwrap_or_default();
        let peak = self.stat("peak_in_flight");
        let answers = self.answers.load(Ordering::Relaxed);
        let outcome = match status.success() {
            true => place.to_owned(),
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
                words(&self.it.label)
            );
        }
    }

    /// Its line once Ctrl-C stopped it (`how`: stopped, or killed when it did not stop).
    pub fn show_stopped(&self, how: &str, live: bool) {
        let answers = self.answers.load(Ordering::Relaxed);
        self.bar.set_position(answers as u64);
        self.bar.abandon_with_message(how.to_owned());
        if !live {
            say!("{how:>7}  {}: {answers} answers", words(&self.it.label));
        }
    }

    /// Reads what it left: whether it got every UUID, and its record if the table can read it
    /// (a slide that printed no summary gets a stand-in; a Python program, no row).
    pub fn settle(&mut self, flags: &Flags) -> (bool, Option<PathBuf>) {
        let copied = self.copier.take().map(JoinHandle::join);
        let said = self.said.take().and_then(|said| said.join().ok().flatten());
        let (status, wall) = self.ended.unwrap_or_default();
        if stand_in::has_summary(&self.it.record) {
            return (status.success(), Some(self.it.record.clone()));
        }
        if let Some(Ok(Err(err))) = copied {
            eprintln!("{NAME}: cannot keep {}'s output: {err}", self.it.label);
        }
        let why = stand_in::why(status, said.as_deref());
        eprintln!("{NAME}: {}: {why}", self.it.label);
        if self.it.python {
            return (false, None);
        }
        let known = Known {
            url: &self.it.server.url("/uuid"),
            requests: flags.requests,
            work: Duration::ZERO,
            wall,
        };
        let summary = stand_in::summary(self.it.slide, &known, &why);
        match stand_in::append(&self.it.record, &summary) {
            Ok(()) => (false, Some(self.it.record.clone())),
            Err(err) => {
                eprintln!("{NAME}: {err}");
                (false, None)
            }
        }
    }
}

/// A label as words with one space between them: `7a coroutines`.
fn words(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The status of a racer that could not be waited for: exit code 1.
pub fn failed() -> ExitStatus {
    ExitStatus::from_raw(1 << 8)
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
