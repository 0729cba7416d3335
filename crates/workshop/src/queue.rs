//! The queue's check. That exercise is slide 8's worker, so the check starts a private
//! redis-server and the exercise as its one worker, then runs the slide's own producer: the
//! producer's summary says what came back, and httpbin-lite counts the worker's requests.

use std::fs;
use std::os::unix::fs::symlink;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use lab::{Binaries, Httpbin, Redis, Worker};

use crate::exercise::Exercise;
use crate::run::{self, Ran};
use crate::workspace::Workspace;

/// How long the producer waits without a result before it gives up: a worker that died (a
/// todo!(), a panic) must not keep the check waiting for the producer's default of 2 minutes.
const GIVE_UP_AFTER: &str = "3s";

/// The hint for a worker that does not stop as it should.
pub const STOPS: &str = "wait for signals.next() beside a free slot, in a tokio::select!; once \
                         it comes, take no more jobs, wait for those in flight \
                         (running.join_next()), and return";

/// How the worker took SIGTERM once the producer was done, and all it printed.
pub struct Stopped {
    pub status: Result<ExitStatus, String>,
    pub took: Duration,
    pub output: String,
}

/// Starts Redis and the exercise's worker, told `--concurrency width`, runs the producer to its
/// end, then stops the worker as Ctrl-C would.
pub fn run(
    workspace: &Workspace,
    exercise: &Exercise,
    httpbin: &Httpbin,
    width: usize,
) -> Result<Ran, String> {
    let redis = Redis::start(&[]).map_err(|err| format!("redis-server: {err}"))?;
    let url = redis.url();
    let bins = worker_bins(workspace, exercise)?;
    let concurrency = width.to_string();
    // It may fetch from this httpbin-lite and nowhere else.
    let allow = httpbin.addr().to_string();
    let mut worker = Worker::start(&bins, &url, &allow, &["--concurrency", &concurrency])
        .map_err(|err| format!("the worker: {err}"))?;
    let mut producer = run::command(workspace, "slide08-producer", exercise, httpbin)?;
    producer
        .args(["--redis", &url, "--give-up-after", GIVE_UP_AFTER])
        .env_remove("REDIS_URL");
    let ran = run::watched(producer, httpbin, width);
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
        .path(exercise.package)
        .map_err(|err| err.to_string())?;
    let dir = workspace.state_dir().join("bin");
    fs::create_dir_all(&dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    let link = dir.join("slide08-worker");
    // Made again each time, in case the build directory has moved since.
    let _ = fs::remove_file(&link);
    symlink(&program, &link).map_err(|err| format!("cannot link {}: {err}", link.display()))?;
    Ok(Binaries::in_dir(dir))
}
