//! Slide 4 — synchronous. One request, wait for its answer, then the next: each one spends ~1 s
//! waiting on the network, so 50 take ~50 s. The baseline every other slide improves on.

use std::process::ExitCode;

use clap::Parser;
use common::{FetchError, Flags, MAX_BODY, Report, parse_uuid, retry};
use ureq::Agent;
use uuid::Uuid;

/// Slide 4: fetch the UUID endpoint N times, one request after another
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    flags: Flags,
}

fn main() -> ExitCode {
    let Cli { flags } = common::parse_flags();
    common::raise_open_file_limit(); // each request in flight holds a socket: a file
    // One agent for the whole run: it keeps connections open for the next request.
    let config = Agent::config_builder()
        .timeout_global(Some(flags.timeout))
        .build();
    let agent = Agent::new_with_config(config);
    let report = Report::start("slide04-sync", "sync", &flags, 1);
    // Blocked in a request, a thread cannot notice Ctrl-C: another thread listens for it.
    common::spawn_exit_on_signal(&report, |_| {});
    fetch_all(&agent, &flags, &report);
    report.finish(None)
}

/// The lesson: a plain loop. Request i+1 is not even sent until request i has its answer.
fn fetch_all(agent: &Agent, flags: &Flags, report: &Report) {
    let clock = report.clock();
    for index in 1..=flags.requests {
        let fetch = || retry::blocking(flags.retries, || fetch_one(agent, flags));
        report.record(clock.time(index, fetch));
    }
}

/// One GET, blocking until the whole body is in (at most 64 KiB of it); then the answer's CPU work.
fn fetch_one(agent: &Agent, flags: &Flags) -> Result<Uuid, FetchError> {
    let mut response = agent.get(flags.url.as_str()).call()?;
    let body = response.body_mut().with_config().limit(MAX_BODY);
    let uuid = parse_uuid(&body.read_to_string()?)?;
    common::spend_cpu(&uuid, flags.work); // --work: handling the answer holds this thread
    Ok(uuid)
}
