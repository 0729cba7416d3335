//! `lab talk`'s options, which `scripts/run-all.sh` hands over as they were typed. Each is
//! checked here, before any service starts.

use std::path::PathBuf;
use std::str::FromStr;

use clap::Args;
use lab::talk::{self, SLIDES, Slide};

use crate::names::numbers;
use crate::written::Written;

#[derive(Debug, Args)]
pub struct Flags {
    /// A 100 ms delay instead of 1 s, to try it fast.
    #[arg(long)]
    pub quick: bool,

    /// How many requests each slide makes, from 1 to a million.
    // Checked as every slide checks it: a number no slide takes stops the talk before any
    // service starts, not each slide in turn.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 50, value_parser = common::width)]
    pub requests: usize,

    /// How long httpbin-lite waits before answering each /uuid [default: 1s; 100ms with --quick].
    #[arg(long, value_name = "DURATION")]
    pub delay: Option<Written>,

    /// Spend this much CPU on each answer, in every slide and in the queue's worker (20ms):
    /// concurrency makes waiting cheap, not computing fast. The table then counts the cores.
    #[arg(long, value_name = "DURATION", value_parser = work)]
    pub work: Option<Written>,

    /// Fetch from this URL instead of a local httpbin-lite; then no floor is claimed.
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub url: Option<String>,

    /// Only these slides, by number: 6,7 (the numbers are 4, 5, 6, 7a, 7, 7b, 7c, 8).
    #[arg(long, value_name = "LIST")]
    pub only: Option<Only>,

    /// A chart of when each request started and finished, after each slide.
    #[arg(long)]
    pub timeline: bool,

    /// After each slide, the talk's own Python program for it (scripts/python.sh), against
    /// the same server: a row of its own in the table.
    #[arg(long)]
    pub python: bool,

    /// Every slide at the same instant, each against an httpbin-lite of its own, a live line
    /// each; then the table, in finishing order. Not with --work, --url or --timeline.
    #[arg(long)]
    pub race: bool,

    /// Where to write results.json and report.html (the talk works in DIR/talk-PID meanwhile).
    #[arg(long, value_name = "DIR", default_value = "target/slides")]
    pub out: PathBuf,

    /// Run the debug build, as the tests do: scripts/run-all.sh builds it, and this lab must be
    /// its own (each lab runs the slides of the build it belongs to).
    #[arg(long)]
    pub debug: bool,

    /// These packages' binaries (each named as its package) are built and up to date:
    /// scripts/run-all.sh built only what the first slide needs. Build the others while the
    /// talk runs, each slide waiting for its own.
    #[arg(long, hide = true, value_name = "PACKAGES", value_delimiter = ',')]
    pub build_rest_after: Option<Vec<String>>,

    /// The packages of --build-rest-after are the debug build, this lab too: there is no
    /// release build yet (a fresh clone), and debug is much the quicker to build. The talk is the
    /// release build, going on meanwhile; each of those runs from debug until release has it.
    #[arg(
        long,
        hide = true,
        requires = "build_rest_after",
        conflicts_with = "debug"
    )]
    pub first_in_debug: bool,
}

impl Flags {
    /// The delay asked for: `--delay`, else `--quick`'s, else the talk's one second.
    pub fn delay(&self) -> Written {
        let (text, duration) = match self.quick {
            true => ("100ms", std::time::Duration::from_millis(100)),
            false => ("1s", std::time::Duration::from_secs(1)),
        };
        self.delay.clone().unwrap_or_else(|| Written {
            text: text.to_owned(),
            duration,
        })
    }

    /// What every slide and Python original of the talk is told: `--url URL --requests N`, and
    /// `--work` when given.
    pub fn run_args(&self, url: &str) -> Vec<String> {
        let mut args = vec!["--url".to_owned(), url.to_owned()];
        args.extend(["--requests".to_owned(), self.requests.to_string()]);
        if let Some(work) = &self.work {
            args.extend(["--work".to_owned(), work.text.clone()]);
        }
        args
    }

    /// The slides to run, in the talk's order.
    pub fn slides(&self) -> impl Iterator<Item = &'static Slide> + '_ {
        SLIDES.iter().filter(|slide| {
            self.only
                .as_ref()
                .is_none_or(|only| only.slides.contains(slide))
        })
    }
}

/// `--only 6,7`: slides by number (or by any name `lab source` knows).
#[derive(Debug, Clone)]
pub struct Only {
    /// As it was written, to name it back.
    pub text: String,
    pub slides: Vec<&'static Slide>,
}

impl FromStr for Only {
    type Err = String;

    fn from_str(list: &str) -> Result<Only, String> {
        let names = list
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty());
        let slides = names
            .map(|name| talk::find(name).ok_or_else(|| format!("no slide {name}")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| format!("{err}; slide numbers are {}", numbers()))?;
        if slides.is_empty() {
            return Err(format!("no slide named; slide numbers are {}", numbers()));
        }
        Ok(Only {
            text: list.to_owned(),
            slides,
        })
    }
}

/// `--work`, as every slide takes it: at most 10s of CPU per answer.
fn work(text: &str) -> Result<Written, String> {
    let work: Written = text.parse()?;
    match work.duration > common::MAX_WORK {
        true => Err("at most 10s of CPU per answer; give e.g. 20ms".to_owned()),
        false => Ok(work),
    }
}

/// A URL a slide can fetch: http or https, with a host. Kept as written.
fn parse_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|err| format!("not a URL: {err}"))?;
    match (url.scheme(), url.host_str()) {
        ("http" | "https", Some(_)) => Ok(text.to_owned()),
        _ => Err("give an http:// or https:// URL with a host".to_owned()),
    }
}

/// The host a URL names (`[::1]` for an IPv6 address), for the worker's `--allow-host`.
pub fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_takes_numbers_and_names_and_refuses_the_rest() {
        let only: Result<Only, _> = "6, threads,7a".parse();
        let numbers: Vec<&str> = only
            .map(|o| o.slides.iter().map(|s| s.number).collect())
            .unwrap_or_default();
        assert_eq!(numbers, ["6", "6", "7a"]);
        let err = "6,9".parse::<Only>().err().unwrap_or_default();
        assert_eq!(
            err,
            "no slide 9; slide numbers are 4, 5, 6, 7a, 7, 7b, 7c, 8"
        );
        assert!(",".parse::<Only>().is_err());
    }

    #[test]
    fn the_worker_may_fetch_from_the_host_the_slides_fetch_from() {
        assert_eq!(host_of("http://127.0.0.1:8080/uuid"), "127.0.0.1");
        assert_eq!(host_of("https://user:pw@httpbin.org/uuid"), "httpbin.org");
        assert_eq!(host_of("http://[::1]:80/uuid"), "[::1]");
        assert!(parse_url("ftp://x/uuid").is_err() && parse_url("nope").is_err());
    }
}
