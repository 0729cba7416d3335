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

mod child;
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
    let clock = report.clock();
    let mut todo: VecDeque<usize> = (1..=flags.requests).collect();
    loop {
        // No child waits while there is work: each free one gets a number on its stdin.
        while let Some(child) = pool.free_child()
            && let Some(index) = todo.pop_front()
        {
            pool.give(child, index);
        }
        // Answers come back as JSON lines on the children's stdouts.
        match pool.next(clock) {
            Some(Event::Answered(fetched)) => report.record(fetched),
            // Its child died (the pool has said so): back in the queue for another child.
            Some(Event::Lost(index)) => todo.push_back(index),
            // Nothing in flight: all done, or no child is left for what remains.
            None => break,
        }
    }
}
