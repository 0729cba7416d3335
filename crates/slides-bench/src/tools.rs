//! The load generators written in C that the clients are measured against: wrk, HTTP/1.1 for a
//! given time, and h2load, HTTP/2 (or HTTP/1.1 with `--h1`) for a given count. Each runs on one
//! thread against the scenario's own httpbin-lite, in the same rounds as the slides, measured
//! from outside as they are. Their flags are written, and what each printed is read, here.

use std::process::Command;

/// One run's figures, as the tool printed them.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    pub per_second: f64,
    /// Requests that succeeded; NaN if the tool did not say.
    pub requests: f64,
    /// Its lines about errors or failed requests, joined; empty if there were none.
    pub errors: String,
}

/// The arguments of `wrk` (C connections for `for_secs` seconds) or `h2load` (`requests`
/// requests: over HTTP/2 one connection with `width` streams, over HTTP/1.1 `width` connections
/// with one request each at a time), on one thread, against `url`.
pub fn args(
    model: &str,
    http2: bool,
    requests: usize,
    width: usize,
    for_secs: Option<u64>,
    url: &str,
) -> Vec<String> {
    let flags = match (model, http2) {
        ("wrk", _) => format!("-c{width} -d{}s", for_secs.unwrap_or(1)),
        (_, true) => format!("-n{requests} -c1 -m{width}"),
        (_, false) => format!("-n{requests} --h1 -c{width} -m1"),
    };
    let args = format!("-t1 {flags} {url}");
    args.split(' ').map(str::to_owned).collect()
}

/// What wrk or h2load (`model`) printed; `None` without a rate.
pub fn parse(model: &str, text: &str) -> Option<Printed> {
    match model {
        "wrk" => wrk(text),
        _ => h2load(text),
    }
}

/// Whether `program` can be started at all (`wrk --version` exits with 1, so its exit code says
/// nothing).
pub fn installed(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

/// The first line of `text` that starts, once trimmed, with `prefix`: what follows it.
fn after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.trim().strip_prefix(prefix))
}

/// wrk's `Requests/sec:`, `N requests in` and error lines.
fn wrk(text: &str) -> Option<Printed> {
    let per_second = after(text, "Requests/sec:")?.trim().parse().ok()?;
    let requests = text
        .lines()
        .find_map(|line| line.trim().split_once(" requests in "))
        .and_then(|(count, _)| count.trim().parse().ok())
        .unwrap_or(f64::NAN);
    let errors = text
        .lines()
        .filter(|line| line.contains("Socket errors") || line.contains("Non-2xx"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ");
    Some(Printed {
        per_second,
        requests,
        errors,
    })
}

/// h2load's `finished in …, N req/s` and `requests: …` lines.
fn h2load(text: &str) -> Option<Printed> {
    let finished = after(text, "finished in ")?;
    let rate = finished
        .split(", ")
        .find_map(|part| part.strip_suffix(" req/s"));
    let per_second = rate?.trim().parse().ok()?;
    // "10000 total, 10000 started, 10000 done, 9998 succeeded, 2 failed, 2 errored, 0 timeout"
    let counts = after(text, "requests: ")?;
    let count = |name: &str| -> Option<f64> {
        let part = counts.split(", ").find_map(|part| part.strip_suffix(name));
        part?.trim().parse().ok()
    };
    let (total, succeeded) = (count(" total")?, count(" succeeded")?);
    let errors = match succeeded < total {
        true => format!("requests: {counts}"),
        false => String::new(),
    };
    Some(Printed {
        per_second,
        requests: succeeded,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK: &str = "Running 5s test @ http://127.0.0.1:40123/uuid
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   556.12us  101.20us   3.10ms   90.00%
    Req/Sec   115.47k     3.01k  119.80k    84.00%
  574475 requests in 5.00s, 99.17MB read
  Socket errors: connect 0, read 2, write 0, timeout 0
Requests/sec: 114895.12
Transfer/sec:     19.83MB
";

    #[test]
    fn wrk_says_its_rate_its_count_and_its_errors() {
        assert_eq!(
            wrk(WRK),
            Some(Printed {
                per_second: 114895.12,
                requests: 574475.0,
                errors: "Socket errors: connect 0, read 2, write 0, timeout 0".into(),
            })
        );
    }

    #[test]
    fn no_rate_no_wrk_run() {
        assert_eq!(
            wrk("unable to connect to 127.0.0.1:1 Connection refused\n"),
            None
        );
    }

    const H2LOAD: &str = "starting benchmark...
spawning thread #0: 1 total client(s). 20000 total requests
Application protocol: h2c
progress: 10% done
finished in 412.35ms, 48502.13 req/s, 7.41MB/s
requests: 20000 total, 20000 started, 20000 done, 20000 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 20000 2xx, 0 3xx, 0 4xx, 0 5xx
";

    #[test]
    fn h2load_says_its_rate_and_its_count() {
        assert_eq!(
            h2load(H2LOAD),
            Some(Printed {
                per_second: 48502.13,
                requests: 20000.0,
                errors: String::new(),
            })
        );
    }

    #[test]
    fn failed_requests_are_named() {
        let text = H2LOAD.replace("20000 succeeded, 0 failed", "19990 succeeded, 10 failed");
        let printed = h2load(&text).unwrap();
        assert_eq!(printed.requests, 19990.0);
        assert!(printed.errors.contains("10 failed"), "{}", printed.errors);
    }

    #[test]
    fn no_finish_no_run() {
        assert_eq!(h2load("connect error: Connection refused\n"), None);
    }

    #[test]
    fn each_tool_is_told_its_width() {
        let args = |model, http2, secs| args(model, http2, 100, 10, secs, "$URL").join(" ");
        assert_eq!(args("wrk", false, Some(5)), "-t1 -c10 -d5s $URL");
        assert_eq!(args("h2load", true, None), "-t1 -n100 -c1 -m10 $URL");
        assert_eq!(args("h2load", false, None), "-t1 -n100 --h1 -c10 -m1 $URL");
    }
}
