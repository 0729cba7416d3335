//! The flags every slide shares, and what a slide says about itself.

use std::fmt;
use std::num::NonZeroUsize;
use std::process;
use std::thread;
use std::time::Duration;

use clap::{CommandFactory, Parser};

use crate::cli::{parse_duration, parse_or_exit, usage_error};
use crate::interrupt;
use crate::retry::MAX_RETRIES;
use crate::run::Run;

/// The most requests (and the widest concurrency) a run accepts: past this a typo is likelier
/// than a plan.
pub const MAX_REQUESTS: u64 = 1_000_000;

/// The most threads a slide starts to wait for requests. Each is an OS thread with a stack of
/// its own (and ureq adds a short-lived one per connection to resolve the name). Ten thousand
/// lets the benchmark compare threads with tasks at 10,000 requests in flight; `-c 100000`
/// would run into the OS's limits halfway.
pub const MAX_THREADS: usize = 10_000;

/// The most child processes slide 5 starts: each is a whole program with its own memory.
pub const MAX_PROCESSES: usize = 256;

/// What a slide says about itself: its binary's name, its model, and how wide it runs by default.
#[derive(Debug, Clone, Copy)]
pub struct Slide {
    /// The binary's name, as printed in the summary (`slide04-sync`).
    pub name: &'static str,
    /// The concurrency model in one word (`sync`, `threads`, `tokio`, …).
    pub model: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// How many requests are in flight when `--concurrency` is not given.
    pub concurrency: Concurrency,
    /// What waits for each request in flight: it bounds `--concurrency`, and says who hears
    /// Ctrl-C.
    pub waiter: Waiter,
}

/// What waits for a request while it is in flight — the talk's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiter {
    /// An OS thread, blocked in the request (slides 4 and 6): at most [`MAX_THREADS`]. Blocked
    /// threads cannot notice a signal, so a thread of the harness hears it and ends the run.
    Thread,
    /// A child process (slide 5): at most [`MAX_PROCESSES`]. A thread of the harness hears a
    /// signal; the pool's clean-up hook stops and reaps the children.
    Process,
    /// A task on this process's event loop (slides 7a and 7): as many as there are requests.
    /// The loop hears a signal as one more event and stops; no thread is added for it.
    Task,
    /// A job on a queue, run by workers elsewhere (slide 8); a thread of the harness hears a
    /// signal while the producer waits for results.
    Job,
}

/// How many requests a slide keeps in flight unless `--concurrency` says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    /// One at a time, always: the slide has no `--concurrency` flag.
    Sequential,
    /// This many (the talk's thread pool used 40).
    Fixed(usize),
    /// One per CPU, as Python's `multiprocessing.Pool()` does.
    PerCpu,
    /// Every request at once, as `asyncio.gather` does.
    AllAtOnce,
    /// Decided by the workers of a task queue (slide 8): the slide puts every request on the
    /// queue at once and each worker has its own `--concurrency`, so the slide has none.
    Workers,
}

/// The flags, already checked, with the concurrency resolved to a number.
#[derive(Debug, Clone)]
pub struct Args {
    pub url: String,
    pub requests: usize,
    /// Never more than `requests`: a worker with nothing to do teaches nothing.
    pub concurrency: usize,
    pub timeout: Duration,
    /// How many times a failed request is tried again (`--retries`).
    pub retries: u32,
    pub json: bool,
    pub quiet: bool,
    pub timeline: bool,
}

/// The same flags on every slide.
#[derive(Debug, Parser)]
struct Flags {
    /// The UUID endpoint to fetch (httpbin-lite, or https://httpbin.org/uuid).
    #[arg(
        long,
        env = "SLIDES_URL",
        default_value = "http://127.0.0.1:8080/uuid",
        value_parser = parse_url
    )]
    url: String,

    /// How many requests to make (the talk made 50).
    #[arg(
        short = 'n',
        long,
        value_name = "N",
        default_value_t = 50,
        value_parser = clap::value_parser!(u64).range(1..=MAX_REQUESTS)
    )]
    requests: u64,

    /// How many requests may be in flight at once (each slide has its own default).
    #[arg(
        short = 'c',
        long,
        value_name = "C",
        value_parser = clap::value_parser!(u64).range(1..=MAX_REQUESTS)
    )]
    concurrency: Option<u64>,

    /// Give up on one request after this long (250ms, 10s, 1m).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,

    /// Try a failed request again up to K times, after a random pause that doubles each time
    /// (up to 100ms, 200ms, … at most 2s). Only what may go better: refused, timed out, a 5xx,
    /// a garbled body; not a 404.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 0,
        value_parser = clap::value_parser!(u32).range(0..=MAX_RETRIES as i64)
    )]
    retries: u32,

    /// End with one JSON summary line on stdout, for scripts.
    #[arg(long)]
    json: bool,

    /// Print only the summary, not a line per response.
    #[arg(short, long)]
    quiet: bool,

    /// After the run, draw when each request started and finished.
    #[arg(long)]
    timeline: bool,
}

impl Slide {
    /// Parses the command line, or exits with a one-line error (code 2).
    pub fn args(&self) -> Args {
        self.args_with::<NoOwnFlags>().0
    }

    /// [`Slide::args`] for a slide that has flags of its own (slide 7's `--runtime`): `T`'s
    /// flags are parsed, checked and listed in `--help` together with the shared ones.
    pub fn args_with<T: clap::Args>(&self) -> (Args, T) {
        let mut command = WithOwn::<T>::command().name(self.name).about(self.about);
        if matches!(
            self.concurrency,
            Concurrency::Sequential | Concurrency::Workers
        ) {
            command = command.mut_arg("concurrency", |arg| arg.hide(true));
        }
        let WithOwn { flags, own } = parse_or_exit(command);
        // Both were range-checked by clap against MAX_REQUESTS, so they fit a usize.
        let requests = flags.requests as usize;
        let asked = flags.concurrency.map(|c| c as usize);
        let concurrency = match (self.concurrency, asked) {
            (Concurrency::Sequential, Some(_)) => usage_error(
                self.name,
                "--concurrency does not apply: this slide makes one request at a time",
            ),
            (Concurrency::Sequential, None) => 1,
            (Concurrency::Workers, Some(_)) => usage_error(
                self.name,
                "--concurrency does not apply: the jobs wait on a queue, and each worker's own \
                 --concurrency decides how many run at once",
            ),
            (Concurrency::Workers, None) => requests,
            (_, Some(asked)) => asked,
            (Concurrency::Fixed(width), None) => width,
            (Concurrency::PerCpu, None) => {
                thread::available_parallelism().map_or(1, NonZeroUsize::get)
            }
            (Concurrency::AllAtOnce, None) => requests,
        };
        // Never more in flight than there are requests: `-n 5 -c 100000` runs 5 at once.
        let concurrency = concurrency.min(requests);
        let most = match self.waiter {
            Waiter::Thread => MAX_THREADS,
            Waiter::Process => MAX_PROCESSES,
            Waiter::Task | Waiter::Job => requests,
        };
        if concurrency > most {
            usage_error(
                self.name,
                &format!(
                    "--concurrency {concurrency}: this slide runs at most {most} {} at once; \
                     ask for fewer",
                    self.model
                ),
            );
        }
        if flags.timeout.is_zero() {
            usage_error(
                self.name,
                "--timeout 0 would fail every request; give e.g. 250ms, 10s or 1m",
            );
        }
        // From here on Ctrl-C is ours: before the run starts (a pool starting, Redis
        // connecting) it stops the slide at once; during the run it prints what got done.
        interrupt::listen(self.name, self.waiter);
        let args = Args {
            url: flags.url,
            requests,
            concurrency,
            timeout: flags.timeout,
            retries: flags.retries,
            json: flags.json,
            quiet: flags.quiet,
            timeline: flags.timeline,
        };
        (args, own)
    }

    /// Starts the clock: everything from here to [`Run::finish`] is the measured time. From
    /// here, a signal prints the summary of what got done (see `interrupt.rs`).
    pub fn start(&self, args: &Args) -> Run {
        Run::start(self.name, self.model, args)
    }

    /// Registers what must happen before the process exits on Ctrl-C, SIGTERM or SIGHUP: slide
    /// 5 stops and reaps its children, slide 8 says where its unfinished jobs are. `hook` gets
    /// the signal's name (`SIGINT`).
    pub fn on_interrupt(&self, hook: impl FnOnce(&str) + Send + 'static) {
        interrupt::on_interrupt(hook);
    }

    /// The value, or ONE line on stderr, `NAME: cannot DOING: ERROR`, and exit code 1: for
    /// what a slide must have before it can start at all (its pool of processes, its event loop).
    pub fn or_exit<T, E: fmt::Display>(&self, doing: &str, result: Result<T, E>) -> T {
        result.unwrap_or_else(|err| {
            // Failing because a signal stopped things: the signal's exit code and words win.
            if let Some(sig) = interrupt::interrupted_by() {
                process::exit(128 + sig)
            }
            eprintln!("{}: cannot {doing}: {err}", self.name);
            process::exit(1)
        })
    }
}

/// The shared flags and a slide's own, parsed as one command line.
#[derive(Debug, Parser)]
struct WithOwn<T: clap::Args> {
    #[command(flatten)]
    flags: Flags,
    #[command(flatten)]
    own: T,
}

/// What a slide without flags of its own adds: nothing.
#[derive(Debug, clap::Args)]
struct NoOwnFlags {}

/// Accepts absolute `http://` and `https://` URLs with a host; says what is wrong otherwise.
fn parse_url(text: &str) -> Result<String, String> {
    let example = "expected e.g. http://127.0.0.1:8080/uuid";
    let url =
        url::Url::parse(text).map_err(|err| format!("'{text}' is not a URL ({err}); {example}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "'{text}' uses {}://; only http:// and https:// are supported",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("'{text}' has no host; {example}"));
    }
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_we_fetch() {
        assert!(parse_url("http://127.0.0.1:8080/uuid").is_ok());
        assert!(parse_url("https://httpbin.org/uuid").is_ok());
        assert!(parse_url("http://[::1]:8080/uuid").is_ok());
    }

    #[test]
    fn urls_we_refuse_say_why() {
        assert!(parse_url("not-a-url").unwrap_err().contains("is not a URL"));
        assert!(
            parse_url("ftp://example.org/uuid")
                .unwrap_err()
                .contains("ftp://")
        );
        assert!(
            parse_url("file:///etc/passwd")
                .unwrap_err()
                .contains("file://")
        );
    }

    #[test]
    fn flags_are_well_formed() {
        Flags::command().debug_assert();
    }
}
