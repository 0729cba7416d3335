//! `--retries K`: trying a failed request again, after a pause that grows and is never the same
//! twice. The same for every model; only how a slide *waits* differs (a blocked thread sleeps,
//! a task awaits its runtime's timer), so the async version takes the sleep as an argument.

use std::future::Future;
use std::thread;
use std::time::Duration;

use uuid::Uuid;

use crate::error::FetchError;

/// The most `--retries` accepts: with the 2 s cap below, 10 retries already wait up to ~10 s.
pub const MAX_RETRIES: u32 = 10;

/// The first retry waits up to this long; each further one up to twice as long as the last…
const BASE: Duration = Duration::from_millis(100);

/// …but never more than this.
const CAP: Duration = Duration::from_secs(2);

/// One request's outcome, and why each try before it failed, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Tried {
    pub result: Result<Uuid, FetchError>,
    pub retried: Vec<FetchError>,
}

/// Whether trying again may go better. Yes for what a busy or flaky server or network does
/// (refused, timed out, dropped, a 5xx, 408 or 429, a garbled body); no for an answer that will
/// be the same every time (404, 401, …) and for a request that was never sent.
pub fn worth_retrying(err: &FetchError) -> bool {
    match err {
        FetchError::Refused
        | FetchError::Timeout
        | FetchError::Network(_)
        | FetchError::Body(_) => true,
        FetchError::Status(code) => *code >= 500 || matches!(code, 408 | 429),
        FetchError::Rejected(_) => false,
    }
}

/// How long to wait before retry number `retry` (1, 2, …): "full jitter", a random time from 0
/// to 100 ms × 2^(retry-1), capped at 2 s. The randomness matters: fifty requests that failed
/// together and waited the same would all try again at the same instant, and fail together.
pub fn backoff(retry: u32) -> Duration {
    let ceiling = BASE
        .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
        .min(CAP);
    ceiling.mul_f64(rand::random::<f64>())
}

/// Calls `fetch` until it succeeds, fails for good, or has been retried `retries` times,
/// sleeping this thread between tries.
pub fn blocking(retries: u32, mut fetch: impl FnMut() -> Result<Uuid, FetchError>) -> Tried {
    let mut retried = Vec::new();
    loop {
        match fetch() {
            Err(err) if worth_retrying(&err) && retried.len() < retries as usize => {
                retried.push(err);
                thread::sleep(backoff(retried.len() as u32));
            }
            result => return Tried { result, retried },
        }
    }
}

/// [`blocking`] for async code: `sleep` is the runtime's timer (`tokio::time::sleep`, or
/// slide 7a's `reactor::sleep`), so a task that waits gives its thread to the others.
pub async fn non_blocking<F, S>(
    retries: u32,
    mut fetch: impl FnMut() -> F,
    sleep: impl Fn(Duration) -> S,
) -> Tried
where
    F: Future<Output = Result<Uuid, FetchError>>,
    S: Future<Output = ()>,
{
    let mut retried = Vec::new();
    loop {
        match fetch().await {
            Err(err) if worth_retrying(&err) && retried.len() < retries as usize => {
                retried.push(err);
                sleep(backoff(retried.len() as u32)).await;
            }
            result => return Tried { result, retried },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_may_go_better_a_second_time() {
        for err in [
            FetchError::Refused,
            FetchError::Timeout,
            FetchError::Status(500),
            FetchError::Status(503),
            FetchError::Status(429),
            FetchError::Network("reset".into()),
            FetchError::Body("not JSON".into()),
        ] {
            assert!(worth_retrying(&err), "{err:?}");
        }
        for err in [
            FetchError::Status(404),
            FetchError::Status(401),
            FetchError::Rejected("host not allowed".into()),
        ] {
            assert!(!worth_retrying(&err), "{err:?}");
        }
    }

    #[test]
    fn backoff_grows_to_its_cap_and_is_jittered() {
        for retry in 1..=12 {
            let ceiling = (BASE * 2u32.pow(retry - 1)).min(CAP);
            let waits: Vec<Duration> = (0..50).map(|_| backoff(retry)).collect();
            assert!(waits.iter().all(|w| *w <= ceiling), "{retry}: {waits:?}");
            assert!(waits.iter().any(|w| *w != waits[0]), "{retry}: no jitter");
        }
        assert!(backoff(u32::MAX) <= CAP);
    }

    #[test]
    fn retries_until_success_and_keeps_the_causes() {
        let mut answers = vec![Ok(Uuid::nil()), Err(FetchError::Status(503))];
        let tried = blocking(3, || answers.pop().unwrap_or(Err(FetchError::Timeout)));
        assert_eq!(tried.result, Ok(Uuid::nil()));
        assert_eq!(tried.retried, [FetchError::Status(503)]);
    }

    #[test]
    fn gives_up_after_k_retries_or_at_once_on_a_lasting_error() {
        let mut calls = 0;
        let tried = blocking(2, || {
            calls += 1;
            Err(FetchError::Refused)
        });
        assert_eq!(
            (tried.result, tried.retried.len(), calls),
            (Err(FetchError::Refused), 2, 3)
        );

        let mut calls = 0;
        let tried = blocking(5, || {
            calls += 1;
            Err(FetchError::Status(404))
        });
        assert_eq!(
            (tried.result, tried.retried.len(), calls),
            (Err(FetchError::Status(404)), 0, 1)
        );
    }
}
