//! Each HTTP client as every slide sets it up, before the slide adds what its model needs:
//! `--timeout`, how long ureq keeps an idle connection, its buffers, reqwest's TLS provider. None
//! is a lesson.

use std::time::Duration;

/// ureq's agent settings for one thread's agent: `timeout` (`--timeout`) on each step of a
/// request (connect, send, the answer's head, its body), and buffers sized for a `/uuid` answer.
/// ureq's pool keeps the agent's connection open for its next request.
///
/// Not `timeout_global`: with a whole-request (or per-call, or resolve) timeout set, ureq
/// looks up every host on a thread of its own, even `127.0.0.1`, so the sync slide would not
/// be one thread and the threads slide would run two per request.
///
/// Smaller buffers: ureq's default ones (128 KiB each way, zeroed for every new connection)
/// cost a thousand threads more than their requests do. A head over 8 KiB is refused, as most
/// servers refuse one.
#[cfg(feature = "ureq")]
pub fn ureq_config(timeout: Duration) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    let timeout = Some(timeout);
    ureq::Agent::config_builder()
        // Less than the 5 s many servers keep an idle connection (Apache's, httpbin-lite's),
        // so a slow thread opens a new one instead of sending on one the server has closed.
        .max_idle_age(Duration::from_secs(4))
        .timeout_connect(timeout)
        .timeout_send_request(timeout)
        .timeout_recv_response(timeout)
        .timeout_recv_body(timeout)
        // ureq reads a head whole into its input buffer: bigger than any head accepted.
        .input_buffer_size(16 * 1024)
        .output_buffer_size(16 * 1024)
        .max_response_header_size(8 * 1024)
}

/// reqwest's client builder with `timeout` (`--timeout`) on each whole request, after making
/// ring the TLS provider ([`use_ring_for_tls`]). A slide adds what its model needs.
///
/// It trusts Mozilla's root certificates, built in, as ureq's slides do: the same on every
/// laptop. Not the machine's own: reqwest would read and parse every one of them (on Linux,
/// the bundle and each file in /etc/ssl/certs) at every start, about 4 ms, even for an
/// `http://` URL that needs none.
#[cfg(feature = "reqwest")]
pub fn reqwest_builder(timeout: Duration) -> reqwest::ClientBuilder {
    use_ring_for_tls();
    let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter();
    let roots = roots.filter_map(|der| reqwest::Certificate::from_der(der).ok());
    reqwest::Client::builder()
        .timeout(timeout)
        .tls_certs_only(roots)
}

/// Makes `ring` this process's TLS provider, for every rustls client it builds from now on
/// (reqwest's, rediss://'s). reqwest is built without a provider of its own (its default would
/// add aws-lc-rs, a long C build), and building a client with none chosen panics. Calling it
/// again changes nothing.
#[cfg(any(feature = "reqwest", test))]
pub fn use_ring_for_tls() {
    // The only error is "a provider is installed already": an earlier call's, so nothing to do.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::use_ring_for_tls;

    #[test]
    fn after_choosing_ring_a_reqwest_client_builds_and_speaks_https() {
        use_ring_for_tls();
        use_ring_for_tls(); // twice is fine: every client's constructor may be reached again
        let client = reqwest::Client::builder().https_only(true).build();
        assert!(client.is_ok(), "{client:?}");
        let installed = rustls::crypto::CryptoProvider::get_default().map(|p| p.fips());
        assert_eq!(
            installed,
            Some(false),
            "ring is installed, and is not the FIPS build"
        );
    }
}
