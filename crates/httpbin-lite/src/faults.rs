//! Faults on purpose: a share of `/uuid` answers fail, drop the connection, or send a body
//! that is not a UUID, and answers can come late by a random extra delay. This is how a
//! workshop shows what each concurrency model does when the network misbehaves — offline,
//! and, with `--seed`, the same way every time.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// What the flags asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct FaultRates {
    /// Share of answers that are a 500 or a 503.
    pub fail: f64,
    /// Share of connections closed without an answer.
    pub drop: f64,
    /// Share of answers that are a 200 with a body that is not `{"uuid": …}`.
    pub garbage: f64,
    /// Each answer waits a further random time up to this.
    pub jitter: Duration,
}

/// One answer's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Fail(u16),
    Drop,
    Garbage,
}

#[derive(Debug)]
pub struct Faults {
    rates: FaultRates,
    /// One generator for the whole server, so a seed gives the same sequence of fates: the
    /// same number of each fault for the same number of requests, whatever the timing.
    rng: Mutex<StdRng>,
    failed: AtomicU64,
    dropped: AtomicU64,
    garbage: AtomicU64,
}

impl Faults {
    pub fn new(rates: FaultRates, seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        Faults {
            rates,
            rng: Mutex::new(rng),
            failed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            garbage: AtomicU64::new(0),
        }
    }

    /// Decides one answer's fate and its extra delay. Every call draws the same amount of
    /// randomness, so the sequence of fates depends on the seed alone.
    pub fn draw(&self) -> (Option<Fault>, Duration) {
        let (roll, code, jitter) = {
            // A poisoned lock only means another request panicked mid-draw; the generator
            // itself is still fine to use.
            let mut rng = self
                .rng
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            (
                rng.random::<f64>(),
                rng.random::<bool>(),
                rng.random::<f64>(),
            )
        };
        let FaultRates {
            fail,
            drop,
            garbage,
            jitter: most,
        } = self.rates;
        let fault = if roll < fail {
            self.failed.fetch_add(1, Ordering::SeqCst);
            Some(Fault::Fail(if code { 500 } else { 503 }))
        } else if roll < fail + drop {
            self.dropped.fetch_add(1, Ordering::SeqCst);
            Some(Fault::Drop)
        } else if roll < fail + drop + garbage {
            self.garbage.fetch_add(1, Ordering::SeqCst);
            Some(Fault::Garbage)
        } else {
            None
        };
        (fault, most.mul_f64(jitter))
    }

    /// What was injected so far, for `/stats`.
    pub fn snapshot(&self) -> Value {
        json!({
            "failed": self.failed.load(Ordering::SeqCst),
            "dropped": self.dropped.load(Ordering::SeqCst),
            "garbage": self.garbage.load(Ordering::SeqCst),
        })
    }

    pub fn reset(&self) {
        for counter in [&self.failed, &self.dropped, &self.garbage] {
            counter.store(0, Ordering::SeqCst);
        }
    }
}

/// Parses a share such as `0.2` for `--fail-rate`: a number from 0 to 1.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("'{text}' is not a share from 0 to 1 (e.g. 0.2)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(faults: &Faults, n: usize) -> [usize; 3] {
        let mut seen = [0; 3];
        for _ in 0..n {
            match faults.draw().0 {
                Some(Fault::Fail(_)) => seen[0] += 1,
                Some(Fault::Drop) => seen[1] += 1,
                Some(Fault::Garbage) => seen[2] += 1,
                None => {}
            }
        }
        seen
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let rates = FaultRates {
            fail: 0.2,
            drop: 0.1,
            garbage: 0.1,
            jitter: Duration::ZERO,
        };
        let a = counts(&Faults::new(rates, Some(7)), 1000);
        let b = counts(&Faults::new(rates, Some(7)), 1000);
        assert_eq!(a, b);
        // Roughly the shares asked for.
        assert!((150..250).contains(&a[0]), "{a:?}");
        assert!(
            (60..140).contains(&a[1]) && (60..140).contains(&a[2]),
            "{a:?}"
        );
    }

    #[test]
    fn no_rates_no_faults() {
        let faults = Faults::new(FaultRates::default(), Some(1));
        assert_eq!(counts(&faults, 100), [0, 0, 0]);
        assert_eq!(faults.draw().1, Duration::ZERO);
    }

    #[test]
    fn rates_are_shares() {
        assert_eq!(parse_rate("0.2"), Ok(0.2));
        for bad in ["-0.1", "1.5", "abc", "NaN"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }
}
