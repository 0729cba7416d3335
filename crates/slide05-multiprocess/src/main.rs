//! Slide 5 — multiprocessing. A pool of processes, one per CPU, each making slide 4's blocking
//! requests one after another; 4 processes make 50 requests take ~13 s instead of ~50 s. The pipes
//! to and from the children are the talk's "Queue class to share data between processes".
//!
//! The talk's other way to get processes: start slide 4 several times from the shell,
//! `for i in 1 2 3 4; do slide04-sync -n 13 & done; wait`.
//!
//! A child that dies mid-work is named, with its exit status, and its request goes to another
//! child once; if that dies too, or no child is left, the request counts as failed. Ctrl-C or
//! SIGTERM stops and reaps every child first. How: `pool.rs`; what a child runs: `slide05-child`.

mod pool;

use std::collections::VecDeque;
use std::process::ExitCode;

use harness::{Args, Concurrency, Run, Slide, Waiter};
use pool::{Event, Pool};

const SLIDE: Slide = Slide {
    name: "slide05-multiprocess",
    model: "processes",
    about: "Slide 5: fetch the UUID endpoint N times from a pool of processes (one per CPU)",
    concurrency: Concurrency::PerCpu,
    waiter: Waiter::Process,
};

fn main() -> ExitCode {
    let args = SLIDE.args();
    // P copies of `slide05-child`, each with its own agent: processes share nothing.
    let mut pool = SLIDE.or_exit("start the pool", Pool::start(&args));
    let mut run = SLIDE.start(&args);
    fetch_all(&mut pool, &args, &mut run);
    run.finish()
}

/// The lesson: like Python's `Pool`, hand each free child the next request number, and take
/// the answers in the order the children finish them.
fn fetch_all(pool: &mut Pool, args: &Args, run: &mut Run) {
    let clock = run.clock();
    let mut todo: VecDeque<usize> = (1..=args.requests).collect();
    loop {
        // No child waits while there is work: each free one gets a number on its stdin.
        while let Some(child) = pool.free_child()
            && let Some(index) = todo.pop_front()
        {
            pool.give(child, index);
        }
        // Answers come back as JSON lines on the children's stdouts.
        match pool.next(clock) {
            Some(Event::Answered(fetched)) => run.record(fetched),
            // Its child died (the pool has said so): back in the queue for another child.
            Some(Event::Lost(index)) => todo.push_back(index),
            // Nothing in flight: all done, or no child is left for what remains.
            None => break,
        }
    }
}
