//! reference-client: what the least a tokio client can spend on a request looks like, to
//! measure slide 7 against. Not a slide: no `reqwest::Client`, no pool, no URL parsed per
//! request — hyper's connection API straight over `tokio::net::TcpStream`, on one thread as
//! slide 7 runs.
//!
//! HTTP/1.1 (the default): C slots, each keeping one connection of its own and sending its
//! requests on it one after the other. `--http2`: one connection, and C requests in flight on
//! it as streams. It takes the slides' flags and prints their summary, so the benchmark
//! measures it as it measures a slide.

mod connection;

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use common::{FetchError, Flags, Report, parse_uuid, retry};
use futures::future;
use tokio::time::{sleep, timeout};
use uuid::Uuid;

use crate::connection::{Http1, Http2, Target};

/// A reference client for the benchmark: raw hyper, one connection per slot or one in all
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    flags: Flags,
    /// How many requests are in flight at once [default: all of them]
    #[arg(short, long, value_parser = common::width)]
    concurrency: Option<usize>,
    /// Speak HTTP/2: one connection, every request in flight a stream on it
    #[arg(long)]
    http2: bool,
}

#[tokio::main(flavor = "current_thread")] // one thread, as slide 7
async fn main() -> ExitCode {
    let Cli {
        flags,
        concurrency,
        http2,
    } = common::parse_flags_or_exit();
    common::raise_open_file_limit(); // a connection per slot: a file each
    let slots = flags.at_once_or_exit(concurrency, usize::MAX, "slots");
    let target = match Target::parse(&flags.url) {
        Ok(target) => target,
        Err(err) => return common::cannot("use --url", err),
    };
    // HTTP/2's one connection is set up before the clock starts, as a client is built.
    let shared = if http2 {
        match Http2::connect(&target).await {
            Ok(connection) => Some(connection),
            Err(err) => return common::cannot(&format!("connect to {}", target.addr), err),
        }
    } else {
        None
    };
    let report = Report::start("reference-client", "reference", &flags, slots);
    let stopped = tokio::select! {
        () = fetch_all(&target, shared.as_ref(), &flags, slots, &report) => None,
        signal = common::first_signal_exit_on_second() => Some(signal),
    };
    report.finish(stopped)
}

/// C slots, each taking the next request number until none is left. Over HTTP/1.1 each slot
/// has a connection of its own; over HTTP/2 they all send on the one they are given.
async fn fetch_all(
    target: &Target,
    shared: Option<&Http2>,
    flags: &Flags,
    slots: usize,
    report: &Report,
) {
    let clock = report.clock();
    let next = AtomicUsize::new(1);
    let take_next = || Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i <= flags.requests);
    let slot = async || {
        let own = Http1::idle();
        while let Some(index) = take_next() {
            let fetch = retry::non_blocking(
                flags.retries,
                || fetch_one(target, shared, &own, flags),
                sleep,
            );
            report.record(clock.time_async(index, fetch).await);
        }
    };
    future::join_all((0..slots).map(|_| slot())).await;
}

/// One GET within `--timeout`, on the shared HTTP/2 connection if there is one, else on the
/// slot's own HTTP/1.1 connection (opened first if it has none, or lost the one it had).
async fn fetch_one(
    target: &Target,
    shared: Option<&Http2>,
    own: &Http1,
    flags: &Flags,
) -> Result<Uuid, FetchError> {
    let body = match shared {
        Some(connection) => timeout(flags.timeout, connection.get(target)).await,
        None => timeout(flags.timeout, own.get(target)).await,
    };
    let uuid = parse_uuid(&body.map_err(|_| FetchError::Timeout)??)?;
    common::spend_cpu(&uuid, flags.work);
    Ok(uuid)
}
