//! Counting requests in flight. The peak is the tests' proof of concurrency: a sequential
//! slide never has more than one request here at a time, a 50-wide one has 50.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};

#[derive(Debug, Default)]
pub struct Stats {
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
    served: AtomicU64,
}

/// Decrements the in-flight count however the request ends — answered, or dropped
/// because the client went away mid-delay.
struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Stats {
    fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(self)
    }

    pub fn snapshot(&self) -> Value {
        json!({
            "in_flight": self.in_flight.load(Ordering::SeqCst),
            "peak_in_flight": self.peak_in_flight.load(Ordering::SeqCst),
            "served": self.served.load(Ordering::SeqCst),
        })
    }

    /// Starts a new measurement. The peak restarts from what is in flight right now (zero
    /// when idle), so it never reads lower than the current count.
    pub fn reset(&self) {
        self.served.store(0, Ordering::SeqCst);
        let now = self.in_flight.load(Ordering::SeqCst);
        self.peak_in_flight.store(now, Ordering::SeqCst);
    }
}

/// Middleware around the counted endpoints: in flight while the handler runs, served once
/// it has produced an answer.
pub async fn count(State(stats): State<Arc<Stats>>, request: Request, next: Next) -> Response {
    let _in_flight = stats.enter();
    let response = next.run(request).await;
    stats.served.fetch_add(1, Ordering::SeqCst);
    response
}
