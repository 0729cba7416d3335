//! Slide 5's worker: the program each process of the pool runs. It makes its own client, then
//! reads request numbers on stdin, one per line, and writes each result as one JSON line on
//! stdout. It ends when its stdin does: the pool has no more work for it, or the parent is gone.
//!
//! `slide05-multiprocess` starts it as `slide05-child URL TIMEOUT RETRIES WORK` (its own `--url`,
//! `--timeout`, `--retries` and `--work`); it is not for running by hand.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use common::{Clock, FetchError, parse_duration, parse_uuid, retry};
use ureq::Agent;
use uuid::Uuid;

const NAME: &str = "slide05-child";

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1);
    let (Some(url), Some(timeout), Some(retries), Some(work), None) = (
        argv.next(),
        argv.next(),
        argv.next(),
        argv.next(),
        argv.next(),
    ) else {
        eprintln!(
            "{NAME}: usage: {NAME} URL TIMEOUT RETRIES WORK; slide05-multiprocess starts it, \
             run that"
        );
        return ExitCode::from(2);
    };
    let (timeout, retries, work) = match (
        parse_duration(&timeout),
        retries.parse(),
        parse_duration(&work),
    ) {
        (Ok(timeout), Ok(retries), Ok(work)) => (timeout, retries, work),
        (Err(err), _, _) | (_, _, Err(err)) => return usage(&err),
        (_, Err(_), _) => return usage(&format!("RETRIES {retries:?} is not a number")),
    };
    // This process's own client: processes share no memory, so they share no connections either.
    let client = Agent::new_with_config(common::ureq_config(timeout).build());
    match serve(&client, &url, retries, work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{NAME}: {err}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("{NAME}: {problem}");
    ExitCode::from(2)
}

/// One request number in, one answer out, until stdin ends.
fn serve(client: &Agent, url: &str, retries: u32, work: Duration) -> io::Result<()> {
    // The child's own clock: the parent only uses how long each request took. Its retries,
    // too, happen here, in the process that makes the request.
    let clock = Clock::start();
    let mut answers = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line?;
        let Ok(index) = line.trim().parse() else {
            let message = format!("{line:?} is not a request number");
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        };
        let fetch = || retry::blocking(retries, || fetch_one(client, url, work));
        let fetched = clock.time(index, fetch);
        writeln!(answers, "{}", serde_json::to_string(&fetched)?)?;
        // The parent is waiting for this line: send it now, not when a buffer fills.
        answers.flush()?;
    }
    Ok(())
}

/// One GET and its body; then the CPU work of handling the answer: slide 4's.
fn fetch_one(client: &Agent, url: &str, work: Duration) -> Result<Uuid, FetchError> {
    let response = client.get(url).call()?;
    let uuid = parse_uuid(&common::read_body_blocking(response)?)?;
    common::spend_cpu(&uuid, work); // --work: in this process, on a core of its own
    Ok(uuid)
}
