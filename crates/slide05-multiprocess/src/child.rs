//! Finding the program each child runs, and listening to a child's stdout: what a child says
//! comes to the pool as [`Message`]s.

use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;
use std::process::ChildStdout;
use std::sync::mpsc::Sender;
use std::thread;

/// What the threads that listen to the children forward to the parent's one channel.
pub(crate) enum Message {
    /// Child number n wrote this line.
    Line(usize, String),
    /// Child number n closed its stdout: it has ended.
    Closed(usize),
}

/// The program each child runs, found next to this one.
const CHILD: &str = "slide05-child";

/// `slide05-child`, next to this program: cargo builds both into the same directory.
pub(crate) fn child_program() -> Result<PathBuf, String> {
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
pub(crate) fn forward_lines(
    number: usize,
    stdout: ChildStdout,
    messages: Sender<Message>,
) -> io::Result<()> {
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
