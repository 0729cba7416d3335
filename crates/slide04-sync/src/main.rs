//! Slide 4 — synchronous. One request, wait for its answer, then the next.
//! Each request spends ~1 s waiting on the network, so 50 of them take ~50 s:
//! the baseline every other slide improves on.

use std::process::ExitCode;

use harness::{Args, Concurrency, FetchError, MAX_BODY, Run, Slide, Waiter, parse_uuid};
use ureq::Agent;
use uuid::Uuid;

const SLIDE: Slide = Slide {
    name: "slide04-sync",
    model: "sync",
    about: "Slide 4: fetch the UUID endpoint N times, one request after another",
    concurrency: Concurrency::Sequential,
    waiter: Waiter::Thread,
};

fn main() -> ExitCode {
    let args = SLIDE.args();
    // One agent for the whole run: it keeps the connection open from one request to the next.
    let agent: Agent = harness::agent(
        Agent::config_builder()
            .timeout_global(Some(args.timeout))
            .build(),
    );
    let mut run = SLIDE.start(&args);
    fetch_all(&agent, &args, &mut run);
    run.finish()
}

/// The lesson: a plain loop. Request i+1 is not even sent until request i has its answer.
fn fetch_all(agent: &Agent, args: &Args, run: &mut Run) {
    let clock = run.clock();
    for index in 1..=args.requests {
        let fetched = clock.time(index, || fetch_one(agent, &args.url));
        run.record(fetched);
    }
}

/// One GET, blocking until the whole body is in (at most 64 KiB of it).
fn fetch_one(agent: &Agent, url: &str) -> Result<Uuid, FetchError> {
    let mut response = agent.get(url).call()?;
    let body = response.body_mut().with_config().limit(MAX_BODY);
    parse_uuid(&body.read_to_string()?)
}
