//! Slide 6 — threads. 40 threads in one process, each making slide 4's blocking requests: while
//! one waits on the network the others wait on theirs, so 50 requests take ~2 s instead of ~50 s.
//! (Python's GIL runs one thread at a time; Rust has no GIL, but waiting needs no CPU anyway.)

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use harness::{Args, Concurrency, FetchError, MAX_BODY, Run, Slide, Waiter, parse_uuid};
use ureq::Agent;
use uuid::Uuid;

const SLIDE: Slide = Slide {
    name: "slide06-threads",
    model: "threads",
    about: "Slide 6: fetch the UUID endpoint N times from a pool of threads (40, as in the talk)",
    concurrency: Concurrency::Fixed(40),
    waiter: Waiter::Thread,
};

fn main() -> ExitCode {
    let args = SLIDE.args();
    // One agent for the whole run: it keeps the connection open from one request to the next.
    // Every thread shares it, so it must keep one idle connection per thread, not its default 3.
    let agent: Agent = harness::agent(
        Agent::config_builder()
            .timeout_global(Some(args.timeout))
            .max_idle_connections(args.concurrency)
            .max_idle_connections_per_host(args.concurrency)
            // ureq gives each connection 128 KiB to read into and 128 KiB to write from, and
            // zeroes them: 256 KiB per thread, for a /uuid answer of about 200 bytes.
            .input_buffer_size(16 * 1024)
            .output_buffer_size(16 * 1024)
            .build(),
    );
    let mut run = SLIDE.start(&args);
    fetch_all(&agent, &args, &mut run);
    run.finish()
}

/// The lesson: C threads, each taking the next request number until none is left.
fn fetch_all(agent: &Agent, args: &Args, run: &mut Run) {
    let clock = run.clock();
    let next = AtomicUsize::new(1);
    let take_next = || Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i <= args.requests);
    let (results, arrived) = mpsc::channel();
    thread::scope(|scope| {
        // One sender per thread and no other, so the channel ends when the last thread does.
        for results in vec![results; args.concurrency] {
            let thread = thread::Builder::new().spawn_scoped(scope, move || {
                while let Some(index) = take_next() {
                    let fetched = clock.time(index, || fetch_one(agent, &args.url));
                    let _ = results.send(fetched); // cannot fail: main listens until we end
                }
            });
            // The OS may refuse one more thread (`ulimit -u`): one line then, not a panic.
            SLIDE.or_exit("start a thread (try a smaller --concurrency)", thread);
        }
        // Each result is printed as soon as any thread has it.
        for fetched in arrived {
            run.record(fetched);
        }
    });
}

/// One GET, blocking until the whole body is in (at most 64 KiB of it).
fn fetch_one(agent: &Agent, url: &str) -> Result<Uuid, FetchError> {
    let mut response = agent.get(url).call()?;
    let body = response.body_mut().with_config().limit(MAX_BODY);
    parse_uuid(&body.read_to_string()?)
}
