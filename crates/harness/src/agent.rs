//! A ureq `Agent` that does not start a thread for every request.
//!
//! ureq resolves the URL's host on every request, before it looks for a pooled connection, and
//! when a timeout is set it resolves on a new thread so that a slow DNS lookup can be abandoned
//! (`DefaultResolver`): one thread started and ended per request, even for `127.0.0.1`. An IP
//! address needs no lookup, so [`agent`] answers those at once and leaves names to ureq.
//!
//! The resolver hook is in ureq's `unversioned` module, which may change in a minor release;
//! Cargo.lock pins the version we built and measured this against (BENCHMARKS.md).

use std::net::{IpAddr, SocketAddr};

use ureq::Agent;
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// An agent with `config`, whose requests to an IP address start no thread to resolve it.
pub fn agent(config: Config) -> Agent {
    Agent::with_parts(config, DefaultConnector::default(), IpFirst::default())
}

#[derive(Debug, Default)]
struct IpFirst(DefaultResolver);

impl Resolver for IpFirst {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri.host().unwrap_or_default();
        let ip = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>();
        let port = uri.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        match (ip, port) {
            (Ok(ip), Some(port)) => {
                let mut addrs = self.empty();
                addrs.push(SocketAddr::new(ip, port));
                Ok(addrs)
            }
            _ => self.0.resolve(uri, config, timeout),
        }
    }
}
