//! Flags that are wrong, for every binary: each gives ONE line on stderr that names the flag and
//! the value (and the fix where there is one), exit code 2, and never a panic; nothing is
//! fetched. The slides are the talk's own list, `lab::talk::SLIDES`.

mod support;

use std::net::TcpListener;

use support::{assert_one_line, binaries_of, run, takes_concurrency};

const SYNC: &str = "slide04-sync";
const PROCESSES: &str = "slide05-multiprocess";
const THREADS: &str = "slide06-threads";
const COROUTINES: &str = "slide07a-coroutines";
const TOKIO: &str = "slide07-tokio";
const PRODUCER: &str = "slide08-producer";
const WORKER: &str = "slide08-worker";
const CHILD: &str = "slide05-child";
const HTTPBIN: &str = "httpbin-lite";

/// Every slide: they share `--requests`, `--timeout`, `--url`, `--retries` and `--work`.
fn every_slide() -> Vec<&'static str> {
    binaries_of(|_| true)
}

/// The slides with a `--concurrency` of their own (the queue's producer leaves it to workers).
fn wide_slides() -> Vec<&'static str> {
    binaries_of(|slide| takes_concurrency(slide) && !slide.queue)
}

/// Runs each of `binaries` with `args`: a usage error, one line that says all of `words`.
fn usage(binaries: &[&str], args: &[&str], words: &[&str]) {
    for binary in binaries {
        assert_one_line(&format!("{binary} {args:?}"), &run(binary, args), 2, words);
    }
}

/// Each of `binaries` refuses `FLAG VALUE` for each of `values`, in a line that says both.
fn refused(binaries: &[&str], flag: &str, values: &[&str]) {
    for value in values {
        usage(binaries, &[flag, value], &[flag, value]);
    }
}

#[test]
fn numbers_that_are_not_numbers_or_out_of_range_are_usage_errors() {
    let (all, wide) = (every_slide(), wide_slides());
    refused(&all, "--requests", &["abc", "0", "1e3", "99999999999"]);
    usage(&all, &["--requests", "-3"], &["-3"]);
    refused(&wide, "--concurrency", &["0", "abc", "99999999999"]);
    usage(&wide, &["--concurrency", "-1"], &["-1"]);
    refused(&all, "--retries", &["abc", "11"]);
    usage(&all, &["--retries", "-1"], &["-1"]);
}

#[test]
fn durations_that_are_not_durations_are_usage_errors() {
    let all = every_slide();
    usage(&all, &["--timeout", "0"], &["--timeout 0", "10s"]);
    usage(&all, &["--timeout=-1s"], &["-1s", "out of range"]);
    refused(&all, "--timeout", &["soon"]);
    usage(
        &all,
        &["--timeout", "300000000000000000m"],
        &["--timeout", "out of range"],
    );
    refused(&all, "--work", &["soon"]);
    usage(&all, &["--work", "20"], &["--work", "'20' has no unit"]);
    usage(&all, &["--work", "11s"], &["--work", "at most 10s"]);
    usage(&[PRODUCER], &["--give-up-after", "5"], &["'5' has no unit"]);
}

#[test]
fn urls_we_cannot_fetch_are_refused_before_the_clock_starts() {
    let all = every_slide();
    usage(
        &all,
        &["--url", "not-a-url"],
        &["not-a-url", "is not a URL"],
    );
    usage(
        &all,
        &["--url", "ftp://127.0.0.1/uuid"],
        &["ftp://", "http://"],
    );
    // Without a scheme, `localhost:8080` would read as one: say what is missing.
    usage(
        &all,
        &["--url", "localhost:8080/uuid"],
        &["no scheme", "http://localhost:8080/uuid"],
    );
    // Coroutines by hand speak plain HTTP only; refused before anything is sent.
    let https = "https://httpbin.org/uuid";
    usage(
        &[COROUTINES],
        &["--url", https],
        &[https, "no TLS", "http://"],
    );
}

#[test]
fn a_flag_a_slide_does_not_have_is_named() {
    usage(
        &[SYNC],
        &["--concurrency", "4"],
        &["unexpected argument '--concurrency'"],
    );
    usage(&[TOKIO], &["--runtime", "multi-thread"], &["--runtime"]);
    // The producer's concurrency is the workers' business.
    usage(
        &[PRODUCER],
        &["--concurrency", "5"],
        &["each worker's own --concurrency"],
    );
}

#[test]
fn threads_and_processes_have_a_ceiling_tasks_do_not() {
    let args = ["-n", "100000", "-c", "100000"];
    usage(
        &[THREADS],
        &args,
        &["--concurrency 100000", "100000 threads", "at most 10000"],
    );
    usage(
        &[PROCESSES],
        &args,
        &["--concurrency 100000", "at most 256"],
    );
    // What was typed, not what it came to: 20000 requests cap 100000 at 20000.
    usage(
        &[THREADS],
        &["-n", "20000", "-c", "100000"],
        &[
            "--concurrency 100000 with --requests 20000",
            "20000 threads",
        ],
    );
}

#[test]
fn the_worker_and_the_child_check_their_own_arguments() {
    usage(&[WORKER], &["--concurrency", "0"], &["--concurrency", "0"]);
    usage(
        &[WORKER],
        &["--concurrency", "abc"],
        &["--concurrency", "abc"],
    );
    usage(
        &[WORKER],
        &["--concurrency", "100001"],
        &["--concurrency", "100001"],
    );
    usage(
        &[WORKER],
        &["--reclaim-after", "10ms"],
        &["--reclaim-after", "100ms"],
    );
    usage(
        &[WORKER],
        &["--max-deliveries", "0"],
        &["--max-deliveries", "0"],
    );
    let url = "http://127.0.0.1:9/uuid";
    usage(&[CHILD], &[url, "soon", "0", "0"], &["soon"]);
    usage(&[CHILD], &[url, "1s", "many", "0"], &["RETRIES", "many"]);
    usage(&[CHILD], &[url, "1s", "0", "hard"], &["hard"]);
    // The pool starts the child; by hand it says so.
    usage(&[CHILD], &[], &["slide05-multiprocess starts it"]);
}

#[test]
fn httpbin_lite_refuses_ports_delays_hosts_and_rates_it_cannot_use() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = taken
        .local_addr()
        .expect("bound address")
        .port()
        .to_string();
    let port_in_use = run(HTTPBIN, &["--port", &port]);
    assert_one_line(
        "--port in use",
        &port_in_use,
        1,
        &[&port, "in use", "--port"],
    );

    usage(&[HTTPBIN], &["--port", "70000"], &["--port", "70000"]);
    usage(&[HTTPBIN], &["--port", "99999"], &["99999"]);
    usage(&[HTTPBIN], &["--port", "-1"], &["-1"]);
    usage(&[HTTPBIN], &["--port", "http"], &["--port", "http"]);
    usage(&[HTTPBIN], &["--host", "not-an-ip"], &["not-an-ip"]);
    usage(&[HTTPBIN], &["--delay", "soon"], &["--delay", "soon"]);
    usage(&[HTTPBIN], &["--delay", "abc"], &["abc"]);
    usage(&[HTTPBIN], &["--delay", "2"], &["--delay", "no unit"]);
    usage(
        &[HTTPBIN],
        &["--h2-max-streams", "0"],
        &["--h2-max-streams", "at least 1"],
    );
    usage(
        &[HTTPBIN],
        &["--h2-max-streams", "lots"],
        &["--h2-max-streams", "lots"],
    );
    usage(
        &[HTTPBIN],
        &["--fail-rate", "2"],
        &["--fail-rate", "0 to 1"],
    );
    usage(&[HTTPBIN], &["--fail-rate", "1.5"], &["1.5"]);
    usage(&[HTTPBIN], &["--drop-rate", "abc"], &["abc"]);
    let both = ["--fail-rate", "0.6", "--drop-rate", "0.6"];
    usage(&[HTTPBIN], &both, &["more than 1"]);
}
