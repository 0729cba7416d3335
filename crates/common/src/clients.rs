//! Each HTTP client as every slide sets it up, before the slide adds what its model needs:
//! `--timeout`, ureq's pool and buffers, reqwest's TLS provider. None is a lesson, so none is in
//! a slide.

use std::time::Duration;

/// ureq's agent settings for `threads` threads sharing one agent: `timeout` (`--timeout`) on
/// each step of a request (connecting, sending it, waiting for the answer's head, reading its
/// body), one idle connection kept per thread for its next request (ureq's default keeps 3 in
/// all) for up to 4 s, and buffers sized for the answers the slides read.
///
/// Why not `timeout_global`: with a whole-request (or per-call, or resolve) timeout set, ureq
/// looks up every request's host on a thread of its own, even `127.0.0.1`, so the sync slide
/// would not be one thread and the threads slide would run two per request.
///
/// Why smaller buffers: a `/uuid` answer is a few hundred bytes, and ureq's default buffers
/// (128 KiB each way, zeroed for every new connection) cost a thousand threads more than their
/// requests do. A head longer than 8 KiB is refused as too large, as most servers refuse one.
#[cfg(feature = "ureq")]
pub fn ureq_config(
    timeout: Duration,
    threads: usize,
) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    let timeout = Some(timeout);
    ureq::Agent::config_builder()
        .max_idle_connections(threads)
        .max_idle_connections_per_host(threads)
        .max_idle_age(MAX_IDLE)
        .timeout_connect(timeout)
        .timeout_send_request(timeout)
        .timeout_recv_response(timeout)
        .timeout_recv_body(timeout)
        .input_buffer_size(BUFFER)
        .output_buffer_size(BUFFER)
        .max_response_header_size(MAX_HEAD)
}

/// Each of a connection's two buffers: bigger than any head a slide accepts (ureq reads a head
/// whole into its input buffer) and than a `/uuid` body.
#[cfg(feature = "ureq")]
const BUFFER: usize = 16 * 1024;

/// How long an idle connection is kept for the next request: less than the 5 s many servers
/// keep one (Apache's default; httpbin-lite's), so that a thread slow to make its next request
/// opens a new connection instead of sending on one the server has closed.
#[cfg(feature = "ureq")]
const MAX_IDLE: Duration = Duration::from_secs(4);

/// The longest response head a ureq slide reads.
#[cfg(feature = "ureq")]
const MAX_HEAD: usize = 8 * 1024;

/// reqwest's client builder with `timeout` (`--timeout`) on each whole request. A slide adds
/// what its model needs, then builds its `Client`.
///
/// It first makes ring the TLS provider of this process, for every rustls client from now on:
/// reqwest is built without one of its own (its default would add aws-lc-rs, a long C build),
/// and would panic when it builds a client with none chosen.
#[cfg(feature = "reqwest")]
pub fn reqwest_builder(timeout: Duration) -> reqwest::ClientBuilder {
    crate::tls::use_ring_for_tls();
    reqwest::Client::builder().timeout(timeout)
}
