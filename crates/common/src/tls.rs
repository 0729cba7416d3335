//! Which cryptography rustls uses. The workspace builds one TLS provider, `ring` (ureq's and
//! rediss://'s too); reqwest is built without one of its own, so rustls must be told before the
//! first client is made.

/// Makes `ring` this process's TLS provider, for every rustls client it builds from now on
/// (reqwest's, rediss://). Call it at the top of `main`, before building a client: without it,
/// building a `reqwest::Client` panics. Calling it again changes nothing.
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
