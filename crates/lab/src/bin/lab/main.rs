//! lab: one way to start what the talk's slides run against, and the talk's slides in order.
//!
//! `lab list` and `lab source NAME` read the one list of slides (`lab::talk`); `lab up` starts
//! httpbin-lite (and Redis with a worker) for trying slides by hand; `lab talk` runs the whole
//! talk, as `scripts/run-all.sh` asks it to. Whatever it starts, it stops: on return, on an
//! error, and on Ctrl-C, which it notes and acts on rather than dying on the spot.

/// `println!`, except that a stdout nobody reads any more (`lab list | head -1`) is no panic:
/// what is left unsaid is dropped, and lab goes on; `lab up` serves until Ctrl-C all the same.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod names;
mod queue;
mod shown;
mod talk;
mod up;
mod written;

use std::process::ExitCode;

use clap::Parser;
use common::{parse_flags_or_exit, usage_error};
use lab::Binaries;

use crate::written::Written;
use common::SignalFlag;

/// The talk's slides, and the services they run against
#[derive(Debug, Parser)]
#[command(version)]
enum Command {
    /// The talk's slides in order, one per line: number, binary, model, title.
    List,
    /// The file that holds a slide's lesson, for scripts/diff.sh.
    Source {
        /// A slide number (6, 7a), a name (threads, tokio), a binary, or `worker`.
        name: String,
    },
    /// Start httpbin-lite (and with --redis a redis-server and one worker) until Ctrl-C.
    Up {
        /// How long httpbin-lite waits before answering each /uuid.
        #[arg(long, value_name = "DURATION", default_value = "1s")]
        delay: Written,
        /// Also start a private redis-server and one slide08-worker, for slide 8.
        #[arg(long)]
        redis: bool,
    },
    /// Run the talk: every slide against a local httpbin-lite, then one comparison table.
    #[command(after_help = "scripts/run-all.sh takes the same options, and builds what they need.")]
    Talk(talk::Flags),
}

fn main() -> ExitCode {
    match parse_flags_or_exit::<Command>() {
        Command::List => {
            names::list();
            ExitCode::SUCCESS
        }
        Command::Source { name } => match names::source(&name) {
            Ok(file) => {
                say!("{file}");
                ExitCode::SUCCESS
            }
            Err(err) => usage_error(&err),
        },
        Command::Up { delay, redis } => {
            serve(|bins, signals| up::up(bins, &delay, redis, signals).map(|()| ExitCode::SUCCESS))
        }
        Command::Talk(flags) => serve(|bins, signals| Ok(talk::talk(&flags, bins, signals))),
    }
}

/// What `up` and `talk` share: the binaries beside this one, and Ctrl-C heard from the start,
/// before anything is started that a Ctrl-C must stop.
fn serve(run: impl FnOnce(&Binaries, &SignalFlag) -> Result<ExitCode, String>) -> ExitCode {
    // However often Ctrl-C comes, the lab stops what it started before it exits.
    let signals = SignalFlag::listen_without_exit();
    let result = Binaries::beside_this_program()
        .map_err(|err| err.to_string())
        .and_then(|bins| run(&bins, &signals));
    match (result, signals.get()) {
        (Ok(code), _) => code,
        // A service that stopped because of the Ctrl-C is no error of its own.
        (Err(_), Some(signal)) => signal.exit_code(),
        (Err(err), None) => failure(&err),
    }
}

fn failure(message: &str) -> ExitCode {
    eprintln!("lab: {message}");
    ExitCode::FAILURE
}
