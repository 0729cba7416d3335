//! The hosts a worker may fetch from. Anyone who can write to the stream can enqueue a job:
//! the worker fetches only from hosts it was told it may (`--allow-host`).

use std::collections::HashSet;
use std::net::IpAddr;

use common::FetchError;
use url::Url;

/// What `--allow-host` allows unless told otherwise: this machine, and httpbin.org.
pub const DEFAULT_HOSTS: [&str; 4] = ["127.0.0.1", "localhost", "::1", "httpbin.org"];

/// The allowed hosts, each as [`host_key`] writes it.
pub struct AllowList(HashSet<String>);

impl AllowList {
    pub fn new(hosts: &[String]) -> AllowList {
        AllowList(hosts.iter().map(|host| host_key(host)).collect())
    }

    /// The job's URL, if it is one this worker may fetch; else why not.
    pub fn check(&self, text: &str) -> Result<Url, FetchError> {
        let url = Url::parse(text)
            .map_err(|err| FetchError::Rejected(format!("{text:?} is not a URL ({err})")))?;
        let rejected = |why: String| Err(FetchError::Rejected(why));
        let scheme = url.scheme();
        if !matches!(scheme, "http" | "https") {
            return rejected(format!(
                "{scheme}:// is not fetched; only http:// and https://"
            ));
        }
        // The url crate writes a host in lower case, and an IPv6 address briefly, in brackets.
        let host = url.host_str().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if !self.0.contains(host) {
            let why = "the worker fetches only from its --allow-host hosts";
            return rejected(format!("host not allowed: {host} ({why})"));
        }
        Ok(url)
    }
}

/// A host as we compare it: lower case, and an IP address in its usual form, without brackets.
fn host_key(host: &str) -> String {
    let bare = host.trim().trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => bare.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(hosts: &[&str]) -> AllowList {
        let hosts: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
        AllowList::new(&hosts)
    }

    #[test]
    fn allowed_hosts_match_however_they_are_written() {
        let allowed = allow(&DEFAULT_HOSTS);
        for url in [
            "http://127.0.0.1:8080/uuid",
            "http://LOCALHOST:8080/uuid",
            "http://[::1]:8080/uuid",
            "http://[0:0:0:0:0:0:0:1]:8080/uuid",
            "https://httpbin.org/uuid",
        ] {
            assert!(allowed.check(url).is_ok(), "{url}");
        }
        let bracketed = allow(&["[::1]"]);
        assert!(bracketed.check("http://[::1]/uuid").is_ok());
    }

    #[test]
    fn other_hosts_and_schemes_are_refused() {
        let allowed = allow(&DEFAULT_HOSTS);
        for (url, expected) in [
            ("http://example.com/uuid", "host not allowed: example.com"),
            ("http://127.0.0.2/uuid", "host not allowed: 127.0.0.2"),
            ("http://httpbin.org.evil.example/uuid", "host not allowed"),
            ("file:///etc/passwd", "only http://"),
            ("not a url", "is not a URL"),
        ] {
            match allowed.check(url) {
                Err(FetchError::Rejected(why)) => assert!(why.contains(expected), "{url}: {why}"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}
