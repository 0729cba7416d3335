//! Counting requests in flight. The peak is the tests' proof of concurrency: a sequential
//! slide never has more than one request here at a time, a 50-wide one has 50. And how they
//! came: over how many connections, and how many over HTTP/2.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Version;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};

#[derive(Debug, Default)]
pub struct Stats {
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
    served: AtomicU64,
    /// Requests that came over HTTP/2.
    http2: AtomicU64,
    /// The client addresses counted requests came from: one per connection.
    connections: Mutex<HashSet<SocketAddr>>,
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
            "http2": self.http2.load(Ordering::SeqCst),
            "connections": self.connections().len(),
        })
    }

    /// Starts a new measurement. The peak restarts from what is in flight right now (zero
    /// when idle), so it never reads lower than the current count.
    pub fn reset(&self) {
        self.served.store(0, Ordering::SeqCst);
        self.http2.store(0, Ordering::SeqCst);
        self.connections().clear();
        let now = self.in_flight.load(Ordering::SeqCst);
        self.peak_in_flight.store(now, Ordering::SeqCst);
    }
}

impl Stats {
    fn connections(&self) -> std::sync::MutexGuard<'_, HashSet<SocketAddr>> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Middleware around the counted endpoints: in flight while the handler runs, served once
/// it has produced an answer.
pub async fn count(State(stats): State<Arc<Stats>>, request: Request, next: Next) -> Response {
    let _in_flight = stats.enter();
    if request.version() == Version::HTTP_2 {
        stats.http2.fetch_add(1, Ordering::SeqCst);
    }
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        stats.connections().insert(*peer);
    }
    let response = next.run(request).await;
    stats.served.fetch_add(1, Ordering::SeqCst);
    response
}
