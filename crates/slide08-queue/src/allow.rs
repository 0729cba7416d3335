//! `--allow-host`: the origins a worker fetches from. Anyone who can write to the stream can
//! enqueue a job, so the list names ports as well as hosts: a host alone would let a job reach
//! any service on it (this machine's Redis, say, on 127.0.0.1:6379).

use std::net::{IpAddr, Ipv6Addr};

use common::{FetchError, quote};
use reqwest::Url;

use crate::job::Job;
use crate::queue::Queue;

/// One `--allow-host` entry: `host` (as [`host_key`] writes it), and the one port allowed on
/// it, or `None` for a host given bare (see [`Allowed::admits`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    pub host: String,
    pub port: Option<u16>,
}

/// What an entry says of a URL, from no to yes: the list says what its best entry says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Admits {
    No,
    /// A bare host, and not its scheme's default port: yes if the job's run declared that port.
    IfTheRunDeclaredIt,
    Yes,
}

impl Allowed {
    /// Parses `host` or `host:port`. `::1` is a host: an IPv6 address takes a port in brackets.
    pub fn parse(text: &str) -> Result<Allowed, String> {
        let text = text.trim();
        let (host, port) = match text.rsplit_once(':') {
            Some((host, port)) if !text.ends_with(']') && text.parse::<Ipv6Addr>().is_err() => {
                let port = port.parse::<u16>().ok().filter(|&port| port > 0);
                let port = port.ok_or("the part after the last ':' must be a port, 1 to 65535")?;
                (host, Some(port))
            }
            _ => (text, None),
        };
        match host_key(host) {
            host if host.is_empty() => Err("give a host, or host:port".into()),
            host => Ok(Allowed { host, port }),
        }
    }

    /// Whether this entry lets a worker fetch `url`.
    pub fn admits(&self, url: &Url) -> Admits {
        let host = host_key(url.host_str().unwrap_or_default());
        // `port()` is `None` when the URL's port is its scheme's default (80, 443).
        match (self.port, url.port_or_known_default(), url.port()) {
            _ if self.host != host => Admits::No,
            (Some(allowed), Some(port), _) if allowed == port => Admits::Yes,
            (Some(_), _, _) => Admits::No,
            (None, _, None) => Admits::Yes,
            // A bare host allows the port of the producer's --url too, as its run declared it
            // (`lab up` and the tests start httpbin-lite on a free port). A bare XADD declares
            // nothing; but whoever can write any key can declare a run: where Redis is shared
            // with strangers, list host:port.
            (None, _, Some(_)) => Admits::IfTheRunDeclaredIt,
        }
    }
}

/// The job's URL, if a worker with `list` may fetch it: its origin is on the list, and it is
/// not the queue's own Redis. Otherwise why not, quoting at most a line of the job's URL.
pub async fn check(list: &[Allowed], job: &Job, queue: &Queue) -> Result<Url, FetchError> {
    let rejected = |why: String| Err(FetchError::Rejected(why));
    let url = Url::parse(&job.url).or_else(|err| rejected(format!("not a URL ({err})")))?;
    let host = host_key(url.host_str().unwrap_or_default());
    if !matches!(url.scheme(), "http" | "https") || !list.iter().any(|entry| entry.host == host) {
        let why = "the worker fetches only http:// and https:// from its --allow-host hosts";
        return rejected(format!("host not allowed: {} ({why})", quote(&host)));
    }
    // The host is a listed one, so it is short; http and https always have a port.
    let port = url.port_or_known_default().unwrap_or_default();
    let origin = format!("{}:{port}", url.host_str().unwrap_or_default());
    // Redis reads each line of an HTTP request as a command (and logs "Possible SECURITY
    // ATTACK"): no job makes a worker speak HTTP to its own Redis, whatever the list says.
    let redis = queue.target.address();
    if redis.is_some_and(|(redis, at)| host_key(redis) == host && at == port) {
        return rejected(format!("{origin} is this worker's Redis: never fetched"));
    }
    match list.iter().map(|entry| entry.admits(&url)).max() {
        Some(Admits::Yes) => return Ok(url),
        Some(Admits::IfTheRunDeclaredIt) => match queue.origin(job.run).await {
            Ok(declared) if declared == Some(url.origin().ascii_serialization()) => return Ok(url),
            Ok(_) => {}
            Err(err) => {
                let why = queue.target.explain(&err);
                return rejected(format!("cannot read what run {} declared: {why}", job.run));
            }
        },
        _ => {}
    }
    let why = "a bare --allow-host HOST allows the scheme's default port and the port of the \
               run's --url; --allow-host HOST:PORT allows another";
    rejected(format!("port not allowed: {origin} ({why})"))
}

/// A host as `--allow-host` and a job's URL are compared: lower case, and an IP address in its
/// usual form, without brackets (`[0:0:0:0:0:0:0:1]` is `::1`).
pub fn host_key(host: &str) -> String {
    let bare = host.trim().trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => bare.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(text: &str) -> Allowed {
        Allowed::parse(text).unwrap()
    }

    #[test]
    fn hosts_match_however_they_are_written() {
        for (a, b) in [
            ("LOCALHOST", "localhost"),
            ("[::1]", "::1"),
            ("[0:0:0:0:0:0:0:1]", "::1"),
            ("HttpBin.org", "httpbin.org"),
        ] {
            assert_eq!(host_key(a), host_key(b), "{a} and {b}");
        }
        assert_ne!(host_key("httpbin.org.evil.example"), "httpbin.org");
        assert_ne!(host_key("127.0.0.2"), "127.0.0.1");
    }

    #[test]
    fn entries_name_a_host_and_perhaps_a_port() {
        let cases = [
            ("127.0.0.1", "127.0.0.1", None),
            ("127.0.0.1:8080", "127.0.0.1", Some(8080)),
            ("LocalHost:80", "localhost", Some(80)),
            ("::1", "::1", None),
            ("[::1]", "::1", None),
            ("[::1]:8080", "::1", Some(8080)),
        ];
        for (text, host, port) in cases {
            let expected = Allowed {
                host: host.into(),
                port,
            };
            assert_eq!(Allowed::parse(text), Ok(expected), "{text}");
        }
        for bad in [
            "",
            ":8080",
            "localhost:",
            "localhost:http",
            "localhost:0",
            "h:70000",
        ] {
            assert!(Allowed::parse(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn a_port_allows_that_port_only_and_a_bare_host_the_default_or_the_declared_one() {
        let admits = |entry: &str, url: &str| allowed(entry).admits(&Url::parse(url).unwrap());
        assert_eq!(
            admits("127.0.0.1:8080", "http://127.0.0.1:8080/"),
            Admits::Yes
        );
        assert_eq!(
            admits("127.0.0.1:8080", "http://127.0.0.1:6379/"),
            Admits::No
        );
        assert_eq!(admits("127.0.0.1:8080", "http://127.0.0.1/"), Admits::No);
        assert_eq!(admits("127.0.0.1:80", "http://127.0.0.1/"), Admits::Yes);
        assert_eq!(admits("127.0.0.1", "http://127.0.0.1/"), Admits::Yes);
        assert_eq!(admits("127.0.0.1", "https://127.0.0.1:443/"), Admits::Yes);
        let declared = Admits::IfTheRunDeclaredIt;
        assert_eq!(admits("127.0.0.1", "http://127.0.0.1:443/"), declared);
        assert_eq!(admits("127.0.0.1", "http://127.0.0.1:6379/"), declared);
        assert_eq!(admits("[::1]:8080", "http://[::1]:8080/"), Admits::Yes);
        assert_eq!(admits("localhost", "http://127.0.0.1/"), Admits::No);
    }
}
