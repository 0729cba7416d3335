//! Slide 6 — threads. 40 threads each make slide 4's blocking requests: while one waits on the
//! network the others wait on theirs, so 50 take ~2 s. No GIL here, and waiting needs no CPU.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use clap::Parser;
use common::{FetchError, Flags, MAX_BODY, Report, parse_uuid, retry};
use ureq::Agent;
use uuid::Uuid;

/// Slide 6: fetch the UUID endpoint N times from a pool of threads (40, as in the talk)
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// How many threads make requests
    #[arg(short, long, default_value_t = 40, value_parser = common::width)]
    concurrency: usize,
}

fn main() -> ExitCode {
    let Cli { flags, concurrency } = common::parse_flags();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    let threads = flags.at_once(concurrency, 10_000, "threads"); // each has its own stack
    // One agent for the whole run: it keeps connections open for the next request.
    // Every thread shares it, so it keeps one idle connection per thread, not its default 3.
    let config = Agent::config_builder()
        .timeout_global(Some(flags.timeout))
        .max_idle_connections(threads)
        .max_idle_connections_per_host(threads)
        .build();
    let agent = Agent::new_with_config(config);
    let report = Report::start("slide06-threads", "threads", &flags, threads);
    // Blocked in a request, a thread cannot notice Ctrl-C: another thread listens for it.
    common::spawn_exit_on_signal(&report, |_| {});
    fetch_all(&agent, &flags, threads, &report);
    report.finish(None)
}

/// The lesson: C threads, each taking the next request number until none is left.
fn fetch_all(agent: &Agent, flags: &Flags, threads: usize, report: &Report) {
    let clock = report.clock();
    let next = AtomicUsize::new(1);
    let take_next = || Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i <= flags.requests);
    let worker = || {
        while let Some(index) = take_next() {
            let fetch = || retry::blocking(flags.retries, || fetch_one(agent, flags));
            report.record(clock.time(index, fetch));
        }
    };
    // All C run at once, each on a thread of its own: while one waits, the others go on.
    thread::scope(|scope| {
        for _ in 0..threads {
            if let Err(err) = thread::Builder::new().spawn_scoped(scope, worker) {
                eprintln!("slide06-threads: the OS refused more threads ({err}); carrying on");
                break;
            }
        }
    });
}

/// One GET, blocking until the whole body is in (at most 64 KiB of it); then the answer's CPU work.
fn fetch_one(agent: &Agent, flags: &Flags) -> Result<Uuid, FetchError> {
    let mut response = agent.get(flags.url.as_str()).call()?;
    let body = response.body_mut().with_config().limit(MAX_BODY);
    let uuid = parse_uuid(&body.read_to_string()?)?;
    common::spend_cpu(&uuid, flags.work); // --work: on this thread, on any free core
    Ok(uuid)
}
