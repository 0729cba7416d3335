//! The plumbing of slide 5's pool, which is not the lesson but keeps it honest: starting the
//! children, turning their stdout lines into one stream of events, noticing a child that died,
//! and stopping and reaping every child however the parent ends — the work done, an error, or
//! Ctrl-C — so none is left behind.

use std::collections::HashSet;
use std::io::{self, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use common::{Clock, Fetched, Flags, Signal};

use crate::child::{Message, child_program, forward_lines};

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
    processes: Children,
    messages: Receiver<Message>,
    /// Requests that have already cost a child: they are not tried a third time.
    retried: HashSet<usize>,
}

/// One child process, as the parent sees it. (The process itself is in [`Processes`].)
struct Worker {
    pid: u32,
    /// Where request numbers go. `None` once closed.
    stdin: Option<ChildStdin>,
    /// The request it is working on.
    busy: Option<usize>,
    /// False once it has ended and been reaped.
    alive: bool,
}

/// The child processes, child number n at index n: a handle for the thread that hears Ctrl-C,
/// which must stop and reap them while `fetch_all` waits for an answer.
#[derive(Clone, Default)]
pub struct Children(Arc<Mutex<Processes>>);

#[derive(Default)]
struct Processes {
    running: Vec<Child>,
    /// Set once a signal has stopped them all: no child starts or is reaped after that.
    stopped: bool,
}

impl Pool {
    /// Starts `processes` children, each told the URL, the timeout, the retries and the work.
    pub fn start(flags: &Flags, processes: usize) -> Result<Pool, String> {
        let program = child_program()?;
        let (messages_in, messages) = mpsc::channel();
        // Built up child by child, so that if one cannot start, dropping the pool stops the
        // ones that did.
        let mut pool = Pool {
            children: Vec::with_capacity(processes),
            processes: Children::default(),
            messages,
            retried: HashSet::new(),
        };
        for number in 0..processes {
            let mut command = Command::new(&program);
            command
                .arg(flags.url.as_str())
                .arg(format!("{}s", flags.timeout.as_secs_f64()))
                .arg(flags.retries.to_string())
                .arg(format!("{}s", flags.work.as_secs_f64()))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                // A process group of its own: Ctrl-C at the terminal then reaches the parent
                // alone, which stops its children itself instead of watching them die one by one.
                .process_group(0);
            let (pid, stdin, stdout) = pool
                .processes
                .spawn(&mut command)
                .map_err(|err| format!("run {}: {err}", program.display()))?;
            pool.children.push(Worker {
                pid,
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

    /// A handle on the children, for whoever must stop them on Ctrl-C.
    pub fn children(&self) -> Children {
        self.processes.clone()
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
            self.processes.kill(number);
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
                let shown: String = line.chars().take(60).collect();
                say(&format!(
                    "child {} (pid {}) wrote {shown:?}, not its answer; stopping it",
                    number + 1,
                    child.pid
                ));
                // Its stdout closes as it dies, and bury() deals with its request.
                self.processes.kill(number);
                None
            }
        }
    }

    /// A child whose stdout closed has ended: reap it, say so, and give back its request if it
    /// may be tried again.
    fn bury(&mut self, number: usize) -> Option<usize> {
        // Stopped by a signal: the summary is about to say so; nothing to add.
        let status = self.processes.reap(number)?;
        let status = status.map_or_else(|err| format!("status unknown: {err}"), |s| s.to_string());
        let child = &mut self.children[number];
        let pid = child.pid;
        child.stdin = None;
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
}

/// However the parent ends — the work done, an error, a panic — its children go with it.
impl Drop for Pool {
    fn drop(&mut self) {
        for child in &mut self.children {
            child.stdin = None;
        }
        self.processes.stop_all();
    }
}

impl Children {
    fn lock(&self) -> MutexGuard<'_, Processes> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a child and keeps it, unless a signal has stopped the pool already: under one
    /// lock, so that the Ctrl-C hook cannot run between the two and miss this child. Gives its
    /// pid and its pipes.
    fn spawn(
        &self,
        command: &mut Command,
    ) -> io::Result<(u32, Option<ChildStdin>, Option<ChildStdout>)> {
        let mut processes = self.lock();
        if processes.stopped {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "stopped by a signal",
            ));
        }
        let mut child = command.spawn()?;
        let pipes = (child.id(), child.stdin.take(), child.stdout.take());
        processes.running.push(child);
        Ok(pipes)
    }

    fn kill(&self, number: usize) {
        if let Some(child) = self.lock().running.get_mut(number) {
            let _ = child.kill();
        }
    }

    /// Kills child number n and waits for it, so it leaves no zombie. `None` if a signal has
    /// stopped the pool meanwhile.
    fn reap(&self, number: usize) -> Option<io::Result<ExitStatus>> {
        let mut processes = self.lock();
        if processes.stopped {
            return None;
        }
        let child = processes.running.get_mut(number)?;
        // Killing first makes the wait certain to return: closing stdout is not quite exiting.
        let _ = child.kill();
        Some(child.wait())
    }

    /// Kills and reaps every child: no orphans, no zombies. Gives how many there were.
    fn stop_all(&self) -> usize {
        let mut processes = self.lock();
        processes.stopped = true;
        for child in processes.running.iter_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        processes.running.len()
    }

    /// [`Children::stop_all`] because of `signal`, and says so.
    pub fn stop_on(&self, signal: Signal) {
        let stopped = self.stop_all();
        say(&format!(
            "{}: stopped and reaped all {stopped} children",
            signal.name()
        ));
    }
}

/// One line on stderr, under the slide's name.
fn say(message: &str) {
    eprintln!("slide05-multiprocess: {message}");
}
