//! The docs' runner: servers a block starts in the background ("terminal 1") and the URLs they
//! give the commands after them, each command run in bash in the workspace, and the matcher
//! that compares a command's output with the `text` block that shows it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::{finish_within, root, send_signal};

/// How long one command may take before it counts as hung.
pub const LIMIT: Duration = Duration::from_secs(180);

/// How httpbin-lite answers when a block starts none, or starts it with its default delay: the
/// docs' 1 s a request would make the talk take minutes.
pub const DELAY: &str = "20ms";

/// What a block's servers told us: the URLs the commands after them use.
#[derive(Default)]
pub struct Env(pub BTreeMap<&'static str, String>);

/// A command that serves until it is stopped: httpbin-lite, a redis-server, the queue's worker,
/// or `lab up`.
pub fn is_server(command: &str) -> bool {
    command.contains("httpbin-lite")
        || command.starts_with("redis-server")
        || command.contains("slide08-worker")
        || command.contains("lab up")
}

/// Starts a server in the background and learns its address: httpbin-lite's first line, the
/// URLs `lab up` prints, the port a redis-server was given.
pub fn start_server(command: &str, env: &mut Env) -> Result<Child, String> {
    let mut command = command.to_owned();
    if command.contains("httpbin-lite") {
        command.push_str(" --port 0");
        if !command.contains("--delay") {
            command.push_str(&format!(" --delay {DELAY}"));
        }
    }
    let mut child = shell(&format!("exec {command}"), env)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| err.to_string())?;
    let lines = read_lines(&mut child);
    let wait_for = |what: &str, mut found: Box<dyn FnMut(&str) -> bool>| -> Result<(), String> {
        loop {
            match lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if found(&line) => return Ok(()),
                Ok(_) => {}
                Err(_) => return Err(format!("never said {what}")),
            }
        }
    };
    let result = if command.contains("httpbin-lite") {
        let mut url = None;
        let said = wait_for(
            "where it listens",
            Box::new(|line| {
                url = line
                    .split("listening on ")
                    .nth(1)
                    .map(|u| format!("{}/uuid", u.trim()));
                url.is_some()
            }),
        );
        said.map(|()| drop(env.0.insert("SLIDES_URL", url.unwrap_or_default())))
    } else if command.contains("lab up") {
        let (mut http, mut redis) = (None, None);
        let said = wait_for(
            "its URLs",
            Box::new(|line| {
                if let Some(rest) = line.split("httpbin-lite at ").nth(1) {
                    http = rest.split(',').next().map(|u| format!("{u}/uuid"));
                }
                if let Some(rest) = line.split("redis-server at ").nth(1) {
                    redis = rest.split(',').next().map(str::to_owned);
                }
                http.is_some() && redis.is_some()
            }),
        );
        said.map(|()| {
            env.0.insert("SLIDES_URL", http.unwrap_or_default());
            env.0.insert("REDIS_URL", redis.unwrap_or_default());
        })
    } else if command.starts_with("redis-server") {
        let port = env.0.get("REDIS_PORT").cloned().unwrap_or_default();
        let up = (0..200).any(|_| {
            thread::sleep(Duration::from_millis(25));
            std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_ok()
        });
        env.0
            .insert("REDIS_URL", format!("redis://127.0.0.1:{port}"));
        if up {
            Ok(())
        } else {
            Err("never listened".into())
        }
    } else {
        wait_for(
            "that it waits for jobs",
            Box::new(|line| line.contains("waiting for jobs")),
        )
    };
    match result {
        Ok(()) => Ok(child),
        Err(why) => {
            stop(child);
            Err(why)
        }
    }
}

/// Every line a child prints on stdout, as it prints it. The pipe is read to its end, after the
/// receiver is gone too: a server writing to a closed pipe would fail (Rust's `println!` panics).
pub fn read_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
    }
    receive
}

/// Ctrl-C, as in its terminal; then, if it has not stopped within 10 s, SIGKILL.
pub fn stop(mut child: Child) {
    send_signal(child.id(), "INT");
    let stopped = (0..400).any(|_| {
        thread::sleep(Duration::from_millis(25));
        matches!(child.try_wait(), Ok(Some(_)))
    });
    if !stopped {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// `bash -c COMMAND` in the workspace, with the block's URLs in the environment.
pub fn shell(command: &str, env: &Env) -> Command {
    let mut shell = Command::new("bash");
    shell
        .args(["-c", command])
        .current_dir(root())
        .stdin(Stdio::null());
    for (name, value) in &env.0 {
        shell.env(name, value);
    }
    shell
}

pub fn run(command: &str, env: &Env) -> std::process::Output {
    let child = shell(command, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    finish_within(child, LIMIT)
}

/// Whether `output` shows what a doc's `shown` block shows, line for line, where a line `...`
/// stands for any lines, and in a line a number with a decimal point (a time, a rate) or a UUID
/// stands for any other; spaces count as one.
pub fn matches_shown(output: &str, shown: &[(usize, String)]) -> Result<(), String> {
    let got: Vec<Vec<Token>> = output.lines().map(tokens).collect();
    let mut at = 0;
    let mut skipping = false;
    for (number, line) in shown {
        if line.trim() == "..." {
            skipping = true;
            continue;
        }
        let want = tokens(line);
        let found = got[at..].iter().position(|have| *have == want);
        match found {
            Some(0) => at += 1,
            Some(n) if skipping => at += n + 1,
            _ => {
                let have = output.lines().nth(at).unwrap_or("(nothing)");
                return Err(format!(
                    "line {number} shows `{}`, the command printed `{have}`",
                    line.trim()
                ));
            }
        }
        skipping = false;
    }
    Ok(())
}

#[derive(Debug, PartialEq)]
pub enum Token {
    Text(String),
    /// A number with a decimal point: a time or a rate, which vary from run to run.
    Measure,
    Uuid,
}

pub fn tokens(line: &str) -> Vec<Token> {
    line.split_whitespace()
        .flat_map(|word| {
            if uuid::Uuid::parse_str(word.trim_matches(|c: char| !c.is_ascii_hexdigit())).is_ok() {
                return vec![Token::Uuid];
            }
            let mut out = Vec::new();
            let mut rest = word;
            while !rest.is_empty() {
                let digits = rest
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .unwrap_or(rest.len());
                let number = &rest[..digits];
                if digits > 0
                    && number.contains('.')
                    && number.chars().next().is_some_and(|c| c.is_ascii_digit())
                {
                    out.push(Token::Measure);
                    rest = &rest[digits..];
                } else {
                    let next = rest.char_indices().nth(1).map_or(rest.len(), |(i, _)| i);
                    out.push(Token::Text(rest[..next].to_owned()));
                    rest = &rest[next..];
                }
            }
            out.push(Token::Text(" ".into()));
            out
        })
        .collect()
}
