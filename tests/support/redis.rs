//! A real redis-server for the slide 8 tests: on a free loopback port, keeping nothing on
//! disk, stopped when dropped (`lab::Redis` does all that). And a tiny RESP client, so a test
//! can look inside the queue.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

/// The stream the producer adds jobs to.
pub const JOBS: &str = "{slides}:jobs";
/// The stream a worker moves an entry to when it can never run it.
pub const DEAD: &str = "{slides}:dead";

/// redis-server for one test, started and stopped by `lab`, as scripts/run-all.sh's is.
pub struct RedisServer {
    redis: lab::Redis,
    pub port: u16,
}

impl RedisServer {
    /// `redis-server` on a free port, with `extra` arguments (e.g. `--requirepass`).
    pub fn start(extra: &[&str]) -> RedisServer {
        let redis = lab::Redis::start(extra).unwrap_or_else(|err| panic!("{err}"));
        RedisServer {
            port: redis.port(),
            redis,
        }
    }

    /// `redis-server` on this port, or `None` if it could not listen there.
    pub fn start_on(port: u16, extra: &[&str]) -> Option<RedisServer> {
        match lab::Redis::start_on(port, extra) {
            Ok(redis) => Some(RedisServer { port, redis }),
            Err(err) => {
                eprintln!("{err}");
                None
            }
        }
    }

    pub fn url(&self) -> String {
        self.redis.url()
    }

    /// Stops it now, as a crash would (the test may start another on the same port).
    pub fn kill(&mut self) {
        self.redis.kill().unwrap_or_else(|err| panic!("{err}"));
    }

    /// Runs one command and returns its reply.
    pub fn cmd(&self, args: &[&str]) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to Redis");
        let mut request = format!("*{}\r\n", args.len());
        for arg in args {
            request.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
        }
        stream.write_all(request.as_bytes()).expect("send to Redis");
        read_reply(&mut BufReader::new(stream))
    }

    /// How many entries the jobs stream holds: queued, or taken and not yet settled.
    pub fn queued(&self) -> i64 {
        self.cmd(&["XLEN", JOBS]).int()
    }

    /// `XPENDING`: how many entries the group's workers hold, or `consumer` holds.
    pub fn pending(&self, consumer: Option<&str>) -> usize {
        self.pending_idle_ms(consumer).len()
    }

    /// `XPENDING`: for each entry the group's workers (or `consumer`) hold, how many
    /// milliseconds ago it was delivered.
    pub fn pending_idle_ms(&self, consumer: Option<&str>) -> Vec<i64> {
        let mut args = vec!["XPENDING", JOBS, "workers", "-", "+", "100000"];
        args.extend(consumer);
        match self.cmd(&args) {
            // Each entry: [id, consumer, idle ms, deliveries].
            Reply::List(entries) => entries.iter().map(|entry| entry.list()[2].int()).collect(),
            // No group yet: nothing is pending.
            Reply::Error(err) if err.starts_with("NOGROUP") => Vec::new(),
            other => panic!("XPENDING gave {other:?}"),
        }
    }

    /// The results stream of the first run that has one, and how many results it holds.
    pub fn results(&self) -> Option<(String, i64)> {
        let keys = self.cmd(&["KEYS", "{slides}:results:*"]);
        let key = keys.list().first()?.text().to_owned();
        let len = self.cmd(&["XLEN", &key]).int();
        Some((key, len))
    }

    pub fn log(&self) -> String {
        self.redis.log()
    }

    /// Adds a job for `url` as anyone who can write to the stream could: a bare `XADD`, for a
    /// `run` that need not exist. Its result, if any, goes to that run's results stream.
    pub fn add_job(&self, run: uuid::Uuid, url: &str) {
        let job = serde_json::json!({
            "id": uuid::Uuid::new_v4(),
            "run": run,
            "url": url,
            "timeout": {"secs": 2, "nanos": 0},
            "retries": 0,
        });
        self.cmd(&["XADD", JOBS, "*", "job", &job.to_string()]);
    }

    /// The results a worker has published for `run`, as the JSON it sent.
    pub fn results_of(&self, run: uuid::Uuid) -> Vec<String> {
        let stream = format!("{{slides}}:results:{run}");
        let entries = self.cmd(&["XRANGE", &stream, "-", "+"]);
        // Each entry is [id, [field, value]]: the one field is `result`.
        entries
            .list()
            .iter()
            .map(|entry| entry.list()[1].list()[1].text().to_owned())
            .collect()
    }
}

/// A reply in RESP2, as redis-server sends it to a client that did not ask for RESP3.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Nil,
    Int(i64),
    Text(String),
    Error(String),
    List(Vec<Reply>),
}

impl Reply {
    pub fn int(&self) -> i64 {
        match self {
            Reply::Int(n) => *n,
            other => panic!("expected an integer, got {other:?}"),
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Reply::Text(text) => text,
            other => panic!("expected text, got {other:?}"),
        }
    }

    pub fn list(&self) -> &[Reply] {
        match self {
            Reply::List(items) => items,
            other => panic!("expected a list, got {other:?}"),
        }
    }
}

fn read_reply(reader: &mut impl BufRead) -> Reply {
    let mut line = String::new();
    reader.read_line(&mut line).expect("read from Redis");
    let line = line.trim_end_matches("\r\n");
    let (kind, rest) = line.split_at(1);
    let number = || rest.parse::<i64>().expect("a number in the reply");
    match kind {
        "+" => Reply::Text(rest.into()),
        "-" => Reply::Error(rest.into()),
        ":" => Reply::Int(number()),
        "$" if number() < 0 => Reply::Nil,
        "$" => {
            let mut bytes = vec![0; number() as usize + 2];
            reader.read_exact(&mut bytes).expect("read a bulk string");
            bytes.truncate(bytes.len() - 2);
            Reply::Text(String::from_utf8_lossy(&bytes).into_owned())
        }
        "*" if number() < 0 => Reply::Nil,
        "*" => Reply::List((0..number()).map(|_| read_reply(reader)).collect()),
        _ => panic!("not a RESP reply: {line:?}"),
    }
}
