//! What wrk printed: how many requests per second, how many in all, and any errors.

/// One wrk run's figures, as it printed them.
#[derive(Debug, Clone, PartialEq)]
pub struct Printed {
    pub per_second: f64,
    /// Requests completed; NaN if wrk did not say.
    pub requests: f64,
    /// Its `Socket errors` and `Non-2xx` lines, joined; empty if there were none.
    pub errors: String,
}

/// Reads wrk's `Requests/sec:`, `N requests in` and error lines; `None` without a rate.
pub fn parse(text: &str) -> Option<Printed> {
    let per_second = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("Requests/sec:"))
        .and_then(|value| value.trim().parse().ok())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    const PRINTED: &str = "Running 5s test @ http://127.0.0.1:40123/uuid
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
            parse(PRINTED),
            Some(Printed {
                per_second: 114895.12,
                requests: 574475.0,
                errors: "Socket errors: connect 0, read 2, write 0, timeout 0".into(),
            })
        );
    }

    #[test]
    fn no_rate_no_run() {
        assert_eq!(
            parse("unable to connect to 127.0.0.1:1 Connection refused\n"),
            None
        );
    }
}
