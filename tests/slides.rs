//! What every slide of the talk shares, one row a model: every request answered with a UUID of
//! its own, as many in flight as the model allows (httpbin-lite counts them), what /proc sees
//! while they are, and a failed request counted, not fatal. The slides are the talk's own list,
//! `lab::talk::SLIDES`. What one slide alone does (the pool's dead child, 7a's chunked answers,
//! the queue's takeover) is in that slide's file.

mod support;

use std::process::Output;

use lab::talk::{SLIDES, Slide, Width};
use support::{
    LIMIT, Server, Stage, assert_succeeded, children_of, closed_port_url, eventually,
    finish_within, printed_uuids, socket_count, stderr, stdout, summary, takes_concurrency,
    thread_count,
};

/// How many requests a run makes: the talk's 50.
const REQUESTS: usize = 50;

/// What one model must show.
struct Row {
    /// What the talk says of it, which is also the name of its test.
    claim: &'static str,
    /// How many requests it sets out to keep in flight unless told (`lab::talk` must say the
    /// same): what its summary reports.
    width: Width,
    /// How many the server sees in flight: the width, unless a mistake keeps it from that.
    in_flight: Width,
    /// What /proc sees while they are in flight.
    proc: Proc,
    /// How long httpbin-lite takes to answer: long enough that the whole width overlaps, short
    /// enough that 50 requests at that width take a few seconds.
    delay: &'static str,
}

/// What /proc shows of a slide's process while its requests are in flight.
#[derive(Clone, Copy)]
enum Proc {
    /// No child process: the one request at a time is the main thread's.
    NoChild,
    /// A child process for each request in flight.
    ChildPerRequest,
    /// No child, and more threads than requests in flight: each blocked request holds one.
    ThreadPerRequest,
    /// No child, and one thread, however many requests are in flight.
    OneThread,
    /// No child: the requests are the worker's, another process, with a socket open for each;
    /// the producer has fewer sockets than that.
    InTheWorker,
}

/// The table: what each model of the talk must show.
fn row(slide: &Slide) -> Row {
    let (claim, width, proc, delay) = match slide.model {
        "sync" => (
            "sync makes one request at a time",
            Width::One,
            Proc::NoChild,
            "20ms",
        ),
        // One process per CPU, as Python's `multiprocessing.Pool()`.
        "processes" => (
            "the pool keeps one request in flight per process",
            Width::PerCpu,
            Proc::ChildPerRequest,
            "100ms",
        ),
        "threads" => (
            "forty threads keep forty requests in flight",
            Width::Fixed(40),
            Proc::ThreadPerRequest,
            "500ms",
        ),
        "coroutines" => (
            "coroutines keep all 50 in flight on one thread",
            Width::All,
            Proc::OneThread,
            "500ms",
        ),
        "tokio" => (
            "tokio keeps all 50 in flight on one thread",
            Width::All,
            Proc::OneThread,
            "500ms",
        ),
        "http2" => (
            "http2 keeps all 50 in flight on one thread",
            Width::All,
            Proc::OneThread,
            "500ms",
        ),
        // Slide 7's 50 futures, each stuck in a blocking call: see `in_flight` below.
        "blocking" => (
            "a blocking call in the loop makes one request at a time",
            Width::All,
            Proc::NoChild,
            "100ms",
        ),
        "queue" => (
            "one worker keeps 32 of the queued jobs in flight",
            Width::PerWorker(32),
            Proc::InTheWorker,
            "300ms",
        ),
        model => panic!(
            "slide {} ({model}) has no row: say what it must show",
            slide.number
        ),
    };
    // The one model that starts all 50 tasks and still keeps one request in flight.
    let in_flight = match slide.model {
        "blocking" => Width::One,
        _ => width,
    };
    Row {
        claim,
        width,
        in_flight,
        proc,
        delay,
    }
}

#[test]
fn sync_makes_one_request_at_a_time() {
    the_talk_shows("sync makes one request at a time");
}

#[test]
fn the_pool_keeps_one_request_in_flight_per_process() {
    the_talk_shows("the pool keeps one request in flight per process");
}

#[test]
fn forty_threads_keep_forty_requests_in_flight() {
    the_talk_shows("forty threads keep forty requests in flight");
}

#[test]
fn coroutines_keep_all_50_in_flight_on_one_thread() {
    the_talk_shows("coroutines keep all 50 in flight on one thread");
}

#[test]
fn tokio_keeps_all_50_in_flight_on_one_thread() {
    the_talk_shows("tokio keeps all 50 in flight on one thread");
}

#[test]
fn http2_keeps_all_50_in_flight_on_one_thread() {
    the_talk_shows("http2 keeps all 50 in flight on one thread");
}

#[test]
fn a_blocking_call_in_the_loop_makes_one_request_at_a_time() {
    the_talk_shows("a blocking call in the loop makes one request at a time");
}

#[test]
fn one_worker_keeps_32_of_the_queued_jobs_in_flight() {
    the_talk_shows("one worker keeps 32 of the queued jobs in flight");
}

#[test]
fn every_slide_of_the_talk_has_a_row_and_a_test() {
    let this_file = include_str!("slides.rs");
    for slide in SLIDES {
        let row = row(slide);
        assert_eq!(
            row.width, slide.width,
            "slide {}: lab::talk says another",
            slide.number
        );
        let test = format!("fn {}()", row.claim.replace(' ', "_"));
        assert!(
            this_file.contains(&test),
            "slide {}: no test `{test}`",
            slide.number
        );
    }
}

#[test]
fn concurrency_c_keeps_c_in_flight_in_every_model_that_has_it() {
    // The pool's processes, the threads, the tasks, and for the queue its worker's jobs.
    for slide in SLIDES.iter().filter(|slide| takes_concurrency(slide)) {
        let who = format!("{} -c 7", slide.binary);
        let server = Server::start("500ms");
        let stage = Stage::with_concurrency(slide, 7);
        let output = stage.run(&["--url", &server.url("/uuid"), "-n", "20", "--json"]);
        assert_all_answered(&who, slide, &output, 20, 7);
        // -c 7 sets the width; only a blocked loop keeps fewer in flight than that.
        let peak = match row(slide).in_flight {
            Width::One => 1,
            _ => 7,
        };
        assert_eq!(server.peak_in_flight(), peak, "{who}: the server's peak");
        assert_eq!(server.served(), 20, "{who}");
    }
}

#[test]
fn no_model_keeps_more_in_flight_than_it_has_requests() {
    for slide in SLIDES {
        // Told nothing, with fewer requests than most widths: the threads are 10, not 40.
        let row = row(slide);
        let width = row.width.resolve(10, cpus());
        let server = Server::start(row.delay);
        let output = Stage::new(slide).run(&["--url", &server.url("/uuid"), "-n", "10", "--json"]);
        assert_all_answered(slide.binary, slide, &output, 10, width);
        assert_eq!(
            server.peak_in_flight(),
            row.in_flight.resolve(10, cpus()),
            "{}: the server's peak",
            slide.binary
        );

        // Told far more than it has.
        if takes_concurrency(slide) {
            let who = format!("{} -n 3 -c 100000", slide.binary);
            let server = Server::start("0");
            let stage = Stage::with_concurrency(slide, 100_000);
            let output = stage.run(&["--url", &server.url("/uuid"), "-n", "3", "--json"]);
            assert_all_answered(&who, slide, &output, 3, 3);
        }
    }
}

#[test]
fn a_failed_request_is_counted_not_fatal() {
    let server = Server::start("0");
    let closed = closed_port_url();
    for slide in SLIDES {
        let stage = Stage::new(slide);
        // (URL, the kind of failure, what the first error says, requests the server sees)
        let cases = [
            (server.url("/status/500"), "status", "500", 5),
            (server.url("/status/503"), "status", "503", 5),
            (closed.clone(), "refused", closed.as_str(), 0),
        ];
        for (url, kind, says, seen) in cases {
            let who = format!("{} --url {url}", slide.binary);
            let served = server.served();
            let output = stage.run(&["--url", &url, "-n", "5", "--json"]);
            let err = stderr(&output);
            assert_eq!(output.status.code(), Some(1), "{who}: {err}");
            let summary = summary(&output);
            assert_eq!((summary.ok, summary.failed), (0, 5), "{who}: {summary:?}");
            if slide.model == "http2" && kind == "refused" {
                // Every request waits for the one connection: the first is refused, and the
                // others are canceled with it.
                let counts = (summary.failures.get(kind), summary.failures.get("network"));
                assert_eq!(counts, (Some(&1), Some(&4)), "{who}: {summary:?}");
            } else {
                assert_eq!(summary.failures.get(kind), Some(&5), "{who}: {summary:?}");
            }
            let first = summary.first_error.unwrap_or_default();
            assert!(
                first.contains(says) && err.contains(says),
                "{who}: {first:?}, {err:?}"
            );
            // Every request was tried: a failure does not stop the run.
            assert_eq!(server.served() - served, seen, "{who}");
        }
    }
}

#[test]
fn quiet_prints_only_the_summary() {
    let server = Server::start("0");
    for slide in SLIDES {
        let output = Stage::new(slide).run(&["--url", &server.url("/uuid"), "-n", "3", "--quiet"]);
        let text = stdout(&output);
        assert_succeeded(slide.binary, &output);
        assert_eq!(text.lines().count(), 1, "{text}");
        let line = format!("{}: 3/3 ok, 3 unique, ", slide.binary);
        assert!(text.starts_with(&line), "{text}");
    }
}

/// Runs the slide whose row says `claim` on 50 requests at its own width, and checks all the
/// row says: /proc while the requests are in flight, then every one answered with a UUID of its
/// own, and no more and no fewer in flight at once than the width.
fn the_talk_shows(claim: &str) {
    let slide = SLIDES
        .iter()
        .find(|slide| row(slide).claim == claim)
        .unwrap_or_else(|| panic!("no row says {claim:?}"));
    let row = row(slide);
    let width = row.width.resolve(REQUESTS, cpus());
    let in_flight = row.in_flight.resolve(REQUESTS, cpus());
    let server = Server::start(row.delay);
    let stage = Stage::new(slide);
    let requests = REQUESTS.to_string();
    let mut running = stage.spawn(&["--url", &server.url("/uuid"), "-n", &requests, "--json"]);

    eventually(&format!("{in_flight} requests in flight"), LIMIT, || {
        let ended = running.try_wait().expect("the slide can be waited on");
        assert!(
            ended.is_none(),
            "{claim}: ended before {in_flight} were in flight"
        );
        (server.in_flight() == in_flight).then_some(())
    });
    row.proc.check(claim, running.id(), in_flight, &stage);

    let output = finish_within(running, LIMIT);
    assert_all_answered(claim, slide, &output, REQUESTS, width);
    // The server's own count proves it: never more at once, and at times that many.
    assert_eq!(
        server.peak_in_flight(),
        in_flight,
        "{claim}: the server's peak"
    );
    assert_eq!(server.served(), REQUESTS, "{claim}");
}

impl Proc {
    /// Looks in /proc at `pid` (the slide), which has `width` requests in flight.
    fn check(self, who: &str, pid: u32, width: usize, stage: &Stage) {
        let children = children_of(pid).len();
        let threads = thread_count(pid);
        let expected_children = match self {
            Proc::ChildPerRequest => width,
            _ => 0,
        };
        assert_eq!(children, expected_children, "{who}: child processes");
        match self {
            Proc::ThreadPerRequest => {
                // The main thread, and one per request it waits on.
                assert!(
                    threads > width,
                    "{who}: {threads} threads, {width} requests"
                );
            }
            Proc::OneThread => assert_eq!(threads, 1, "{who}: {width} requests, one thread"),
            Proc::InTheWorker => {
                let worker = stage.worker().expect("the queue has a worker").pid();
                let (theirs, ours) = (socket_count(worker), socket_count(pid));
                assert!(theirs >= width, "{who}: the worker has {theirs} sockets");
                assert!(ours < width, "{who}: the producer has {ours} sockets");
            }
            Proc::NoChild | Proc::ChildPerRequest => {}
        }
    }
}

/// Checks a run that should have gone well: exit 0, and its summary names the slide and model,
/// every one of `requests` answered with a UUID of its own (each printed as it came), and
/// `width` in flight at most.
fn assert_all_answered(who: &str, slide: &Slide, output: &Output, requests: usize, width: usize) {
    assert_succeeded(who, output);
    let summary = summary(output);
    assert_eq!(summary.slide, slide.binary, "{who}");
    assert_eq!(summary.model, slide.model, "{who}");
    let counts = (summary.requests, summary.ok, summary.unique);
    assert_eq!(counts, (requests, requests, requests), "{who}: {summary:?}");
    let failed = (summary.failed, summary.missing);
    assert_eq!(failed, (0, 0), "{who}: {summary:?}");
    assert_eq!(summary.concurrency, width, "{who}: {summary:?}");
    assert!(summary.wall_s > 0.0, "{who}: {summary:?}");
    assert_eq!(printed_uuids(output).len(), requests, "{who}");
    if slide.queue {
        // One worker, and no job's answer counted twice.
        let queue = (summary.workers, summary.duplicates);
        assert_eq!(queue, (Some(1), Some(0)), "{who}: {summary:?}");
    }
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
