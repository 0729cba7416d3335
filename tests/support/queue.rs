//! Slide 8's two programs, as the tests run them against a `RedisServer`: the producer, to the
//! end or in the background, and a worker whose every line is kept as it comes.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Output};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::redis::RedisServer;
use super::{LIMIT, Server, command, eventually, finish_within, piped, send_signal};

/// A redis-server and an httpbin-lite whose answers take `delay`: where a queue test runs.
pub fn redis_and_server(delay: &str) -> (RedisServer, Server) {
    (RedisServer::start(&[]), Server::start(delay))
}

/// The producer's flags for `n` jobs that GET `server`'s /uuid, then `more`.
pub fn uuid_jobs(server: &Server, n: usize, more: &[&str]) -> Vec<String> {
    let mut args = vec![
        "--url".into(),
        server.url("/uuid"),
        "-n".into(),
        n.to_string(),
    ];
    args.extend(more.iter().map(|arg| arg.to_string()));
    args
}

/// `slide08-producer --redis URL ARGS…`. Unless told otherwise it gives up after 30 s without
/// a result (the default is 2 minutes), so a test never waits long for one that will not come.
pub fn producer_command(redis: &RedisServer, args: &[impl AsRef<str>]) -> Command {
    let url = redis.url();
    let mut producer = command("slide08-producer", &["--redis", &url]);
    producer.args(args.iter().map(AsRef::as_ref));
    if !args.iter().any(|arg| arg.as_ref() == "--give-up-after") {
        producer.args(["--give-up-after", "30s"]);
    }
    producer
}

/// Runs the producer to the end.
pub fn producer(redis: &RedisServer, args: &[impl AsRef<str>]) -> Output {
    producer_command(redis, args)
        .output()
        .expect("slide08-producer starts")
}

/// A producer running in the background.
pub struct Producer(Child);

impl Producer {
    pub fn start(redis: &RedisServer, args: &[impl AsRef<str>]) -> Producer {
        Producer(piped(producer_command(redis, args)))
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Waits for it to exit; it gives up by itself after its `--give-up-after`.
    pub fn finish(self) -> Output {
        finish_within(self.0, 2 * LIMIT)
    }
}

/// Which of a worker's streams a line came on.
#[derive(Clone, Copy, PartialEq)]
enum Stream {
    Out,
    Err,
}

/// A worker running in the background; its lines are collected as they come. Killed when
/// dropped.
pub struct Worker {
    child: Child,
    /// Its consumer name in the queue's group (`HOST:PID:RANDOM`), as its first line says.
    pub name: String,
    lines: Arc<Mutex<Vec<(Stream, String)>>>,
    readers: Vec<JoinHandle<()>>,
}

impl Worker {
    /// Starts `slide08-worker --redis URL ARGS…` and waits until it is ready for jobs.
    pub fn start(redis: &RedisServer, args: &[&str]) -> Worker {
        let url = redis.url();
        let mut worker = command("slide08-worker", &["--redis", &url]);
        worker.args(args);
        let mut child = piped(worker);
        let lines = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            collect(
                child.stdout.take().expect("piped stdout"),
                Stream::Out,
                &lines,
            ),
            collect(
                child.stderr.take().expect("piped stderr"),
                Stream::Err,
                &lines,
            ),
        ];
        let mut worker = Worker {
            child,
            name: String::new(),
            lines,
            readers,
        };
        let ready = worker.wait_for("waiting for jobs");
        // "slide08-worker: HOST:PID:RANDOM waiting for jobs on …"
        worker.name = ready.split_whitespace().nth(1).unwrap_or_default().into();
        worker
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a line containing `needle`, and returns it.
    pub fn wait_for(&self, needle: &str) -> String {
        eventually(&format!("the worker to say {needle:?}"), LIMIT, || {
            let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            lines
                .iter()
                .find(|(_, line)| line.contains(needle))
                .map(|(_, line)| line.clone())
        })
    }

    /// All it has printed so far, stdout and stderr as they came.
    pub fn output(&self) -> String {
        self.printed(|_| true)
    }

    /// What it has printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.printed(|stream| stream == Stream::Err)
    }

    fn printed(&self, on: impl Fn(Stream) -> bool) -> String {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let lines: Vec<&str> = lines
            .iter()
            .filter(|(stream, _)| on(*stream))
            .map(|(_, line)| line.as_str())
            .collect();
        lines.join("\n")
    }

    /// Sends a signal by name (`TERM`, `STOP`, `CONT`).
    pub fn signal(&self, signal: &str) {
        send_signal(self.child.id(), signal);
    }

    /// SIGKILL: the worker dies on the spot, holding whatever jobs it holds.
    pub fn kill(&mut self) -> ExitStatus {
        let _ = self.child.kill();
        self.wait_exit(LIMIT)
    }

    /// Waits for it to exit, and for the last of what it printed.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let status = eventually("the worker to exit", limit, || {
            self.child.try_wait().ok().flatten()
        });
        // Its pipes close as it exits: the readers reach their end and stop.
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        status
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `stream` line by line into `lines`, on a thread of its own, until it closes.
fn collect(
    stream: impl Read + Send + 'static,
    tag: Stream,
    lines: &Arc<Mutex<Vec<(Stream, String)>>>,
) -> JoinHandle<()> {
    let lines = Arc::clone(lines);
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            lines
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((tag, line));
        }
    })
}
