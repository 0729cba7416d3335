//! The flags every slide shares, and one-line answers to bad ones.

use std::fmt::Display;
use std::path::Path;
use std::process::{self, ExitCode};
use std::time::Duration;

use clap::Parser;
use clap::error::ErrorKind;
use url::Url;

use crate::error::quote;
use crate::retry::MAX_RETRIES;

/// The most requests a run accepts: past this a typo is likelier than a plan.
const MAX_REQUESTS: u64 = 1_000_000;

/// The most CPU `--work` may ask for each answer: a job on the queue says how much its worker
/// spends, so a worker caps it too.
pub const MAX_WORK: Duration = Duration::from_secs(10);

/// The longest duration any flag takes: past a day it is a typo, and a clock given an absurd
/// deadline overflows.
const MAX_DURATION_SECS: f64 = 24.0 * 3600.0;

/// The same flags on every slide: put them in a slide's own `clap` struct with
/// `#[command(flatten)]`. How many requests run at once is each slide's own flag, with its own
/// default, since that is what the slides differ in.
#[derive(Debug, Clone, clap::Args)]
pub struct Flags {
    /// The UUID endpoint to fetch (httpbin-lite, or https://httpbin.org/uuid).
    #[arg(
        long,
        env = "SLIDES_URL",
        default_value = "http://127.0.0.1:8080/uuid",
        value_parser = parse_url
    )]
    pub url: Url,

    /// How many requests to make (the talk made 50).
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50, value_parser = width)]
    pub requests: usize,

    /// Give up on a request after this long (250ms, 10s, 1m): connecting, waiting for the
    /// answer and reading its body each take at most this long.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = timeout)]
    pub timeout: Duration,

    /// Try a failed request again up to K times, after a random pause that doubles each time
    /// (up to 100ms, 200ms, … at most 2s). Only what may go better: refused, timed out, a 5xx,
    /// a garbled body; not a 404.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 0,
        value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_RETRIES))
    )]
    pub retries: u32,

    /// After each answer, spend this much CPU handling it (20ms): busy work over the UUID,
    /// never a sleep. Concurrency makes waiting cheap; it does not make computing fast.
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = work)]
    pub work: Duration,

    /// End with one JSON summary line on stdout, for scripts.
    #[arg(long)]
    pub json: bool,

    /// Print only the summary, not a line per response.
    #[arg(short, long)]
    pub quiet: bool,

    /// After the run, draw when each request started and finished.
    #[arg(long)]
    pub timeline: bool,
}

/// Parses the command line into `T`, or exits as `T::parse()` would (for `--help`, `--version`
/// and mistakes), except that a mistake is ONE line on stderr, `NAME: what is wrong (see
/// --help)`, and exit code 2: clap's own message spreads over lines with a usage block.
pub fn parse_flags_or_exit<T: Parser>() -> T {
    T::try_parse().unwrap_or_else(|err| match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => err.exit(),
        _ => {
            let rendered = err.to_string();
            let line = rendered.lines().next().unwrap_or("invalid arguments");
            // clap quotes the value it refused: a 100 KB --url must not make a 100 KB line.
            usage_error(&quote(line.trim_start_matches("error: ").trim()))
        }
    })
}

/// Prints `NAME: MESSAGE (see --help)` on stderr and exits with code 2, as for bad usage.
pub fn usage_error(message: &str) -> ! {
    eprintln!("{}: {message} (see --help)", program());
    process::exit(2)
}

/// Prints `NAME: cannot DOING: ERROR` on stderr and gives exit code 1: for what a program
/// must have before it can start at all (its HTTP client, its pool of processes).
pub fn cannot(doing: &str, err: impl Display) -> ExitCode {
    eprintln!("{}: cannot {doing}: {err}", program());
    ExitCode::FAILURE
}

/// This program's name, as it was started.
fn program() -> String {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name = Path::new(&argv0).file_name().unwrap_or("slides".as_ref());
    name.to_string_lossy().into_owned()
}

impl Flags {
    /// How many requests run at once: `asked` (`None`: one for each request), but never more
    /// than there are requests, since a thread with nothing to do teaches nothing. Past `most`
    /// (what this machine can run of `what`: threads, processes) it is a usage error, and the
    /// program exits with code 2.
    pub fn at_once_or_exit(
        &self,
        asked: impl Into<Option<usize>>,
        most: usize,
        what: &str,
    ) -> usize {
        let asked = asked.into().unwrap_or(self.requests);
        let width = asked.min(self.requests);
        if width > most {
            // Name what was typed: `-n 20000 -c 100000` asks for 20000 at once, not 100000.
            let asked = match asked > self.requests {
                true => format!("--concurrency {asked} with --requests {width}"),
                false => format!("--concurrency {asked}"),
            };
            usage_error(&format!(
                "{asked} would run {width} {what} at once; this slide runs at most {most}: \
                 give a smaller --concurrency"
            ));
        }
        width
    }
}

/// A parser for `--requests` and a slide's `--concurrency`: a whole number from 1 to a million.
pub fn width(text: &str) -> Result<usize, String> {
    match text.trim().parse::<u64>() {
        Ok(n @ 1..=MAX_REQUESTS) => Ok(n as usize),
        Ok(_) => Err(format!("from 1 to {MAX_REQUESTS}")),
        Err(_) => Err("not a whole number".into()),
    }
}

fn work(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        work if work > MAX_WORK => Err("at most 10s of CPU per answer; give e.g. 20ms".into()),
        work => Ok(work),
    }
}

fn timeout(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        Duration::ZERO => {
            Err("--timeout 0 would fail every request; give e.g. 250ms, 10s or 1m".into())
        }
        timeout => Ok(timeout),
    }
}

/// Parses `0`, `250ms`, `1s`, `1.5s` or `2m` into a [`Duration`].
///
/// A bare number must be `0`: "5" could mean seconds or milliseconds, so we ask for a unit.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let shown = quote(text);
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("'{shown}' has no unit; write e.g. 250ms, 1s or 1.5s"))?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{shown}' is not a duration; write e.g. 250ms, 1s or 1.5s"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("'{shown}' has an unknown unit; use ms, s or m")),
    };
    if !(0.0..=MAX_DURATION_SECS).contains(&seconds) {
        return Err(format!("'{shown}' is out of range: from 0 to one day"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Accepts absolute `http://` and `https://` URLs with a host; says what is wrong otherwise.
fn parse_url(text: &str) -> Result<Url, String> {
    let shown = quote(text);
    let example = "expected e.g. http://127.0.0.1:8080/uuid";
    let url =
        Url::parse(text).map_err(|err| format!("'{shown}' is not a URL ({err}); {example}"))?;
    // `localhost:8080/uuid` parses as the scheme `localhost`: what was missing is `http://`.
    if !text.contains("://") {
        return Err(format!("'{shown}' has no scheme; write http://{shown}"));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "'{shown}' uses {}://; only http:// and https:// are supported",
            quote(url.scheme())
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("'{shown}' has no host; {example}"));
    }
    Ok(url)
}

/// The URL with `****` for its password, if it has one: fit to print.
pub fn without_password(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            // Fails only for URLs that cannot have a password, and this one has one.
            let _ = url.set_password(Some("****"));
            url.into()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
#[path = "../unit_tests/flags.rs"]
mod tests;
