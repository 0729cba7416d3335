//! What h2load printed: how long it took, how many requests succeeded, and how many did not.

use crate::wrk::Printed;

/// Reads h2load's `finished in …, N req/s` and `requests: …` lines; `None` without them.
pub fn parse(text: &str) -> Option<Printed> {
    let finished = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("finished in "))?;
    let per_second = finished
        .split(", ")
        .find_map(|part| part.strip_suffix(" req/s"))
        .and_then(|rate| rate.trim().parse().ok())?;
    let counts = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("requests: "))?;
    // "10000 total, 10000 started, 10000 done, 9998 succeeded, 2 failed, 2 errored, 0 timeout"
    let count = |name: &str| -> Option<f64> {
        counts
            .split(", ")
            .find_map(|part| part.strip_suffix(name))
            .and_then(|n| n.trim().parse().ok())
    };
    let total = count(" total")?;
    let succeeded = count(" succeeded")?;
    let errors = if succeeded < total {
        format!("requests: {counts}")
    } else {
        String::new()
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

    const PRINTED: &str = "starting benchmark...
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
            parse(PRINTED),
            Some(Printed {
                per_second: 48502.13,
                requests: 20000.0,
                errors: String::new(),
            })
        );
    }

    #[test]
    fn failed_requests_are_named() {
        let text = PRINTED.replace("20000 succeeded, 0 failed", "19990 succeeded, 10 failed");
        let printed = parse(&text).unwrap();
        assert_eq!(printed.requests, 19990.0);
        assert!(printed.errors.contains("10 failed"), "{}", printed.errors);
    }

    #[test]
    fn no_finish_no_run() {
        assert_eq!(parse("connect error: Connection refused\n"), None);
    }
}
