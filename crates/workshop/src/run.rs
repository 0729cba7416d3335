//! Running an exercise against httpbin-lite, and looking at it from outside while its requests
//! are in flight: the server counts them, the OS shows the threads and child processes.
//!
//! The queue's exercise is slide 8's worker: its run starts a private redis-server and the
//! exercise as its one worker, then runs the slide's own producer, whose summary says what came
//! back while httpbin-lite counts the worker's requests.

use std::fs;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use lab::{Binaries, Httpbin, Redis, Worker};

use crate::exercise::Exercise;
use crate::workspace::Workspace;

/// How long a run may take before it counts as hung and is stopped: a guard, never a judge of
/// speed (a right answer takes a second or so, a slow machine a few).
pub const LIMIT: Duration = Duration::from_secs(15);

/// How often to ask the server how many requests are in flight.
const POLL: Duration = Duration::from_millis(5);

/// How long the producer waits without a result before it gives up: a worker that died (a
/// todo!(), a panic) must not keep the check waiting for the producer's default of 2 minutes.
const GIVE_UP_AFTER: &str = "3s";

/// What a run left behind.
pub struct Ran {
    /// How it ended; `None` if it was stopped after [`LIMIT`].
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    /// What the OS showed at the moment the most requests were in flight.
    pub sample: Result<Sample, String>,
    /// The queue's worker, when the exercise is one.
    pub worker: Option<Stopped>,
}

/// The program, seen from outside, with `in_flight` requests at the server.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub in_flight: usize,
    pub threads: usize,
    pub children: usize,
}

/// How the queue's worker took SIGTERM once the producer was done, and all it printed.
pub struct Stopped {
    pub status: Result<ExitStatus, String>,
    pub took: Duration,
    pub output: String,
}

/// Runs the exercise against `httpbin`, told `--concurrency` when `flag` is given, and looks at
/// it each time the server has more requests in flight than before, until it has `width`: then
/// the look shows the model at its full width. The queue's worker is always told its width.
pub fn run(
    workspace: &Workspace,
    exercise: &Exercise,
    httpbin: &Httpbin,
    flag: Option<usize>,
    width: usize,
) -> Result<Ran, String> {
    if exercise.is_queue_worker() {
        return queue(workspace, exercise, httpbin, width);
    }
    let mut command = command(workspace, &exercise.package(), exercise, httpbin)?;
    if let Some(c) = flag {
        command.args(["--concurrency", &c.to_string()]);
    }
    watched(command, httpbin, width)
}

/// Starts Redis and the exercise's worker, told `--concurrency width`, runs the producer to its
/// end, then stops the worker as Ctrl-C would.
fn queue(
    workspace: &Workspace,
    exercise: &Exercise,
    httpbin: &Httpbin,
    width: usize,
) -> Result<Ran, String> {
    let redis = Redis::start(&[]).map_err(|err| format!("redis-server: {err}"))?;
    let url = redis.url();
    let bins = worker_bins(workspace, exercise)?;
    // It may fetch from this httpbin-lite and nowhere else.
    let allow = httpbin.addr().to_string();
    let flags = ["--concurrency", &width.to_string()];
    let mut worker =
        Worker::start(&bins, &url, &allow, &flags).map_err(|err| format!("the worker: {err}"))?;
    let mut producer = command(workspace, "slide08-producer", exercise, httpbin)?;
    producer
        .args(["--redis", &url, "--give-up-after", GIVE_UP_AFTER])
        .env_remove("REDIS_URL");
    let ran = watched(producer, httpbin, width);
    // However the run went, the worker is stopped, and how it took that is judged too.
    let started = Instant::now();
    let status = worker.stop().map_err(|err| err.to_string());
    let stopped = Stopped {
        status,
        took: started.elapsed(),
        output: worker.output(),
    };
    let mut ran = ran?;
    ran.worker = Some(stopped);
    Ok(ran)
}

/// lab starts a worker by its name, `slide08-worker`. A directory where that name is the
/// exercise's binary lets the check start the exercise the one way everything starts a worker.
fn worker_bins(workspace: &Workspace, exercise: &Exercise) -> Result<Binaries, String> {
    let program = workspace
        .bins
        .path(&exercise.package())
        .map_err(|err| err.to_string())?;
    let dir = workspace.state_dir().join("bin");
    fs::create_dir_all(&dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    let link = dir.join("slide08-worker");
    // Made again each time, in case the build directory has moved since.
    let _ = fs::remove_file(&link);
    symlink(&program, &link).map_err(|err| format!("cannot link {}: {err}", link.display()))?;
    Ok(Binaries::in_dir(dir))
}

/// `PROGRAM --url … --requests N --json`, its output piped, and nothing else from the
/// environment: a `SLIDES_URL` left there would send the requests elsewhere.
fn command(
    workspace: &Workspace,
    program: &str,
    exercise: &Exercise,
    httpbin: &Httpbin,
) -> Result<Command, String> {
    let path = workspace
        .bins
        .path(program)
        .map_err(|err| err.to_string())?;
    let mut command = Command::new(path);
    command
        .args(["--url", &httpbin.url("/uuid"), "--json"])
        .args(["--requests", &exercise.run.requests.to_string()])
        .env_remove("SLIDES_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Ok(command)
}

/// Runs `command` to its end (or [`LIMIT`]), watching the server and the program meanwhile.
fn watched(mut command: Command, httpbin: &Httpbin, width: usize) -> Result<Ran, String> {
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot run {:?}: {err}", command.get_program()))?;
    // Read both pipes while it runs, or a chatty program fills one and stalls.
    let stdout = read_all(child.stdout.take());
    let stderr = read_all(child.stderr.take());
    let (status, sample) = match watch(&mut child, httpbin, width) {
        Ok(watched) => watched,
        Err(err) => {
            // The check cannot go on: stop the program rather than leave it running.
            let _ = lab::stop(&mut child, Duration::ZERO);
            return Err(err);
        }
    };
    Ok(Ran {
        status,
        stdout: joined(stdout),
        stderr: joined(stderr),
        sample,
        worker: None,
    })
}

type Watched = (Option<ExitStatus>, Result<Sample, String>);

/// Polls the server until the program ends (or [`LIMIT`] passes, and it is stopped), looking
/// at the program whenever the server has a new highest number of requests in flight, up to
/// `width`.
fn watch(child: &mut Child, httpbin: &Httpbin, width: usize) -> Result<Watched, String> {
    let pid = child.id();
    let deadline = Instant::now() + LIMIT;
    let mut sample: Result<Sample, String> =
        Err("it had no request in flight whenever the check looked".into());
    loop {
        if let Some(status) = child.try_wait().map_err(|err| err.to_string())? {
            return Ok((Some(status), sample));
        }
        if Instant::now() >= deadline {
            let _ = lab::stop(child, Duration::ZERO);
            return Ok((None, sample));
        }
        let in_flight = stat(httpbin, "in_flight")?;
        let seen = sample.as_ref().map_or(0, |s| s.in_flight);
        if in_flight > seen && seen < width {
            // A look that fails (the OS cannot say) is the answer, unless an earlier one worked.
            match look(pid, in_flight) {
                Ok(now) => sample = Ok(now),
                Err(err) if seen == 0 => sample = Err(err),
                Err(_) => {}
            }
        }
        thread::sleep(POLL);
    }
}

/// One of httpbin-lite's counts: `in_flight`, `served`, `peak_in_flight`.
pub fn stat(httpbin: &Httpbin, name: &str) -> Result<usize, String> {
    let stats = httpbin.stats().map_err(|err| err.to_string())?;
    let count = stats[name].as_u64();
    let count = count.ok_or_else(|| format!("httpbin-lite's /stats has no {name}: {stats}"))?;
    usize::try_from(count).map_err(|err| err.to_string())
}

fn look(pid: u32, in_flight: usize) -> Result<Sample, String> {
    let threads = lab::thread_count(pid).map_err(|err| err.to_string())?;
    let children = lab::children_of(pid).map_err(|err| err.to_string())?;
    Ok(Sample {
        in_flight,
        threads,
        children: children.len(),
    })
}

/// Reads a pipe to its end on a thread of its own, and sends what it read.
fn read_all(pipe: Option<impl Read + Send + 'static>) -> Receiver<String> {
    let (done, text) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // What was read before an error is still worth showing.
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = done.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    text
}

/// What a pipe held. A child process the program left behind may hold the pipe open after
/// the program ended: then what came so far is lost, but the check does not hang on it.
fn joined(text: Receiver<String>) -> String {
    text.recv_timeout(Duration::from_secs(5))
        .unwrap_or_default()
}
