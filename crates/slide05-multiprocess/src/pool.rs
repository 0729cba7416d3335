//! The plumbing of slide 5's pool, which is not the lesson but keeps it honest: starting the
//! children, turning their stdout lines into one stream of events, noticing a child that died,
//! and stopping and reaping every child however the parent ends, so none is left behind.

use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{self, Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use harness::{Args, Clock, Fetched};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::SLIDE;

/// The program each child runs, found next to this one.
const CHILD: &str = "slide05-child";

/// What the pool tells `fetch_all`.
pub enum Event {
    /// A child's answer, placed on the run's clock.
    Answered(Fetched),
    /// A child died working on this request, for the first time: another child may try it.
    Lost(usize),
}

/// P child processes and one channel on which everything they say arrives.
pub struct Pool {
    children: Vec<Worker>,
    messages: Receiver<Message>,
    /// Requests that have already cost a child: they are not tried a third time.
    retried: HashSet<usize>,
}

/// One child process, as the parent sees it.
struct Worker {
    process: Child,
    /// Where request numbers go. `None` once closed.
    stdin: Option<ChildStdin>,
    /// The request it is working on.
    busy: Option<usize>,
    /// False once it has ended and been reaped.
    alive: bool,
}

/// What the helper threads forward to the parent's one channel.
enum Message {
    /// Child number n wrote this line.
    Line(usize, String),
    /// Child number n closed its stdout: it has ended.
    Closed(usize),
    /// The parent got this signal.
    Signal(i32),
}

impl Pool {
    /// Starts `args.concurrency` children, each told the URL and the timeout.
    pub fn start(args: &Args) -> Result<Pool, String> {
        let program = child_program()?;
        let (messages_in, messages) = mpsc::channel();
        forward_signals(messages_in.clone()).map_err(|err| format!("watch for Ctrl-C: {err}"))?;
        // Built up child by child, so that if one cannot start, dropping the pool stops the
        // ones that did.
        let mut pool = Pool {
            children: Vec::with_capacity(args.concurrency),
            messages,
            retried: HashSet::new(),
        };
        for number in 0..args.concurrency {
            let mut process = Command::new(&program)
                .arg(&args.url)
                .arg(format!("{}s", args.timeout.as_secs_f64()))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                // A process group of its own: Ctrl-C at the terminal then reaches the parent
                // alone, which stops its children itself instead of watching them die one by one.
                .process_group(0)
                .spawn()
                .map_err(|err| format!("run {}: {err}", program.display()))?;
            let stdin = process.stdin.take();
            let stdout = process.stdout.take();
            pool.children.push(Worker {
                process,
                stdin,
                busy: None,
                alive: true,
            });
            if let Some(stdout) = stdout {
                forward_lines(number, stdout, messages_in.clone())
                    .map_err(|err| format!("read child {}: {err}", number + 1))?;
            }
        }
        Ok(pool)
    }

    /// A child that is alive and has no request.
    pub fn free_child(&self) -> Option<usize> {
        self.children
            .iter()
            .position(|child| child.alive && child.busy.is_none())
    }

    /// Sends the request number down the child's stdin.
    pub fn give(&mut self, number: usize, index: usize) {
        let child = &mut self.children[number];
        child.busy = Some(index);
        let sent = match &mut child.stdin {
            Some(stdin) => stdin.write_all(format!("{index}\n").as_bytes()),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        };
        if sent.is_err() {
            // Its end of the pipe is closed, so it is dying; make sure, and let its closed
            // stdout report it, with this request as lost.
            let _ = child.process.kill();
        }
    }

    /// The next answer or lost request; `None` once nothing is in flight: every request handed
    /// out is answered, or no child is left to answer.
    pub fn next(&mut self, clock: Clock) -> Option<Event> {
        while self.children.iter().any(|child| child.busy.is_some()) {
            // recv() fails only once every sender is gone, and then nothing more can come.
            let event = match self.messages.recv().ok()? {
                Message::Line(number, line) => {
                    self.answer(number, &line, clock).map(Event::Answered)
                }
                Message::Closed(number) => self.bury(number).map(Event::Lost),
                Message::Signal(signal) => self.interrupted(signal),
            };
            if event.is_some() {
                return event;
            }
        }
        None
    }

    /// A child's line: its answer, which the child timed on its own clock. It took `took`, and
    /// it has just arrived, so on the run's clock it started `took` before now.
    fn answer(&mut self, number: usize, line: &str, clock: Clock) -> Option<Fetched> {
        let child = &mut self.children[number];
        match serde_json::from_str::<Fetched>(line) {
            Ok(fetched) if child.busy == Some(fetched.index) => {
                child.busy = None;
                let finished = clock.elapsed();
                let took = fetched.finished.saturating_sub(fetched.started);
                let started = finished.saturating_sub(took);
                Some(Fetched {
                    started,
                    finished,
                    ..fetched
                })
            }
            _ => {
                let pid = child.process.id();
                let shown: String = line.chars().take(60).collect();
                say(&format!(
                    "child {} (pid {pid}) wrote {shown:?}, not its answer; stopping it",
                    number + 1
                ));
                // Its stdout closes as it dies, and bury() deals with its request.
                let _ = child.process.kill();
                None
            }
        }
    }

    /// A child whose stdout closed has ended: reap it, say so, and give back its request if it
    /// may be tried again.
    fn bury(&mut self, number: usize) -> Option<usize> {
        let child = &mut self.children[number];
        let pid = child.process.id();
        child.stdin = None;
        // Killing first makes the wait certain to return: closing stdout is not quite exiting.
        let _ = child.process.kill();
        let status = child
            .process
            .wait()
            .map_or_else(|err| format!("status unknown: {err}"), |s| s.to_string());
        child.alive = false;
        let busy = child.busy.take();
        let who = format!("child {} (pid {pid}) died", number + 1);
        let Some(index) = busy else {
            say(&format!("{who} while idle ({status})"));
            return None;
        };
        let any_left = self.children.iter().any(|child| child.alive);
        let retry = any_left && self.retried.insert(index);
        let fate = if retry {
            "another child will try it again"
        } else if !any_left {
            "no child is left to try it again"
        } else {
            "it is not tried again: it has already cost a child"
        };
        say(&format!("{who} while fetching #{index} ({status}); {fate}"));
        retry.then_some(index)
    }

    /// Ctrl-C, SIGTERM or SIGHUP: stop every child, then exit as that signal would have.
    fn interrupted(&mut self, signal: i32) -> ! {
        self.stop();
        let name = signal_hook::low_level::signal_name(signal).unwrap_or("a signal");
        say(&format!(
            "{name}: stopped and reaped all {} children",
            self.children.len()
        ));
        process::exit(128 + signal)
    }

    /// Closes every child's stdin, kills it and reaps it: no orphans, no zombies.
    fn stop(&mut self) {
        for child in &mut self.children {
            child.stdin = None;
        }
        for child in self.children.iter_mut().filter(|child| child.alive) {
            let _ = child.process.kill();
            let _ = child.process.wait();
            child.alive = false;
        }
    }
}

/// However the parent ends — the work done, an error, a panic — its children go with it.
impl Drop for Pool {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `slide05-child`, next to this program: cargo builds both into the same directory.
fn child_program() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|err| format!("find this program's path: {err}"))?;
    let program = me.with_file_name(CHILD);
    if program.is_file() {
        return Ok(program);
    }
    // `cargo run` builds only the binary it runs, so this is the usual way to get here.
    let release = match me.parent() {
        Some(dir) if dir.ends_with("release") => " --release",
        _ => "",
    };
    Err(format!(
        "{} is missing; build both binaries with `cargo build{release} -p slide05-multiprocess`",
        program.display()
    ))
}

/// std cannot wait on several pipes at once, so each child's stdout gets a small thread that
/// forwards its lines to the one channel the parent reads. (Python's `Pool` has such threads too.)
fn forward_lines(number: usize, stdout: ChildStdout, messages: Sender<Message>) -> io::Result<()> {
    thread::Builder::new()
        .name(format!("child-{}", number + 1))
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if messages.send(Message::Line(number, line)).is_err() {
                    return;
                }
            }
            let _ = messages.send(Message::Closed(number));
        })
        .map(drop)
}

/// Turns Ctrl-C, SIGTERM and SIGHUP into a message like any other, so that the parent stops
/// its children before it exits instead of leaving them behind.
fn forward_signals(messages: Sender<Message>) -> io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if messages.send(Message::Signal(signal)).is_err() {
                    return;
                }
            }
        })
        .map(drop)
}

/// One line on stderr, under the slide's name.
fn say(message: &str) {
    eprintln!("{}: {message}", SLIDE.name);
}
