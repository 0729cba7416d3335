//! A real redis-server for the slide 8 tests: on a free loopback port, keeping nothing on
//! disk, stopped when dropped. And a tiny RESP client, so a test can look inside the queue.

use std::fs;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const INSTALL: &str = "redis-server is not installed, and the slide 8 tests need a real one. \
    Install it: `sudo apt-get install -y redis-server` (Debian/Ubuntu), `brew install redis` \
    (macOS); or run scripts/test.sh, which installs it";

pub struct RedisServer {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// `redis-server` on a free port, with `extra` arguments (e.g. `--requirepass`).
    pub fn start(extra: &[&str]) -> RedisServer {
        // A port we bound and let go may be taken again before redis-server binds it: retry.
        for _ in 0..5 {
            if let Some(server) = RedisServer::start_on(free_port(), extra) {
                return server;
            }
        }
        panic!("redis-server did not start on any of 5 free ports");
    }

    /// `redis-server` on this port, or `None` if it could not listen there.
    pub fn start_on(port: u16, extra: &[&str]) -> Option<RedisServer> {
        let dir =
            std::env::temp_dir().join(format!("async-slides-redis-{}-{port}", std::process::id()));
        fs::create_dir_all(&dir).expect("create redis-server's directory");
        let log = fs::File::create(dir.join("redis.log")).expect("create redis-server's log");
        let port_arg = port.to_string();
        let spawned = Command::new("redis-server")
            .args(["--port", &port_arg, "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) => {
                let _ = fs::remove_dir_all(&dir);
                if err.kind() == ErrorKind::NotFound {
                    panic!("{INSTALL}");
                }
                panic!("cannot start redis-server: {err}");
            }
        };
        let mut server = RedisServer { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if server.answers() {
                return Some(server);
            }
            if let Ok(Some(_)) = server.child.try_wait() {
                return None; // most likely the port was taken
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server gave no answer within 10 s:\n{}", server.log());
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops it now, as a crash would (the test may start another on the same port).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

    /// `XPENDING`: how many entries the group's workers hold, or `consumer` holds.
    pub fn pending(&self, consumer: Option<&str>) -> usize {
        let mut args = vec!["XPENDING", "{slides}:jobs", "workers", "-", "+", "100000"];
        args.extend(consumer);
        match self.cmd(&args) {
            Reply::List(entries) => entries.len(),
            // No group yet: nothing is pending.
            Reply::Error(err) if err.starts_with("NOGROUP") => 0,
            other => panic!("XPENDING gave {other:?}"),
        }
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
    }

    /// True once it answers a PING (or asks for a password first, which is an answer too).
    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        if stream.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
            return false;
        }
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).is_ok()
            && (line.starts_with("+PONG") || line.starts_with("-NOAUTH"))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = fs::remove_dir_all(&self.dir);
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

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("bound address").port()
}
