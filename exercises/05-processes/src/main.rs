//! Slide 5 — multiprocessing. A pool of processes, one per CPU, each making slide 4's blocking
//! requests one after another; 4 processes make 50 requests take ~13 s instead of ~50 s. The pipes
//! to and from the children are the talk's "Queue class to share data between processes".
//!
//! The talk's other way to get processes: start slide 4 several times from the shell,
//! `for i in 1 2 3 4; do slide04-sync -n 13 & done; wait`.
//!
//! A child that dies mid-work is named, with its exit status, and its request goes to another
//! child once; if that dies too, or no child is left, the request counts as failed. How: `pool.rs`;
//! what a child runs: `slide05-child`.

#[path = "../../../crates/slide05-multiprocess/src/child.rs"]
mod child;
#[path = "../../../crates/slide05-multiprocess/src/pool.rs"]
mod pool;

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::process::ExitCode;
use std::thread;

use clap::Parser;
use common::{Flags, Report};
use pool::{Event, Pool};

#[derive(Parser)]
#[command(version, about)] // about: the description in Cargo.toml
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// How many child processes make requests [default: one per CPU]
    #[arg(short, long, value_parser = common::width)]
    concurrency: Option<usize>,
}

fn main() -> ExitCode {
    let Cli { flags, concurrency } = common::parse_flags_or_exit();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    let cpus = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let processes = flags.at_once_or_exit(concurrency.unwrap_or(cpus), 256, "processes");
    // P copies of `slide05-child`, each with its own client: processes share nothing.
    let mut pool = match Pool::start(&flags, processes) {
        Ok(pool) => pool,
        Err(err) => return common::cannot("start the pool", err),
    };
    let report = Report::start("slide05-multiprocess", "processes", &flags, processes);
    // A signal would end this process without a word, and could leave its children running: a
    // thread hears it, stops and reaps every child, and sums up first.
    let children = pool.children();
    common::spawn_exit_on_signal(&report, move |signal| children.stop_on(signal));
    fetch_all(&mut pool, &flags, &report);
    // The children exit: only then does the CPU they used count in the summary.
    drop(pool);
    report.finish(None)
}

/// The lesson: like Python's `Pool`, hand each free child the next request number, and take
/// the answers in the order the children finish them.
fn fetch_all(pool: &mut Pool, flags: &Flags, report: &Report) {
    // ✎ Your turn: write the lesson from here to the closing ✎ line, in place of the todo!().
    // The pool's children make the requests, one at a time each; you hand them request numbers
    // (1, 2, … up to flags.requests) and record their answers, as Python's `Pool` does.
    // What you have (`let clock = report.clock();` first):
    //   - pool.free_child(): a child that is alive and has no request, if any;
    //   - pool.give(child, index): sends it request number `index`;
    //   - pool.next(clock): waits for what comes back: Some(Event::Answered(fetched)), for
    //     report.record(fetched); Some(Event::Lost(index)), a number to hand out again; or
    //     None once nothing is in flight.
    // Hint: a VecDeque of the numbers still to hand out; keep every child busy.
    todo!("fetch_all: hand the children request numbers")
    // ✎ Then run `scripts/exercise.sh check processes`: it tells you what works and what not.
}
