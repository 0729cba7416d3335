//! One job's request, `fetch_one`, with the one HTTP client that all of a worker's jobs share,
//! the hosts the worker may fetch from, and the job's retries.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use harness::retry::{self, MAX_RETRIES, Tried};
use harness::{FetchError, parse_uuid, read_body};
use reqwest::Client;
use slide08_queue::Job;
use url::{Host, Url};
use uuid::Uuid;

use crate::NAME;

/// What `--allow-host` allows unless told otherwise: this machine, and httpbin.org.
pub const DEFAULT_HOSTS: [&str; 4] = ["127.0.0.1", "localhost", "::1", "httpbin.org"];

pub struct Fetcher {
    client: Client,
    allowed: HashSet<String>,
    /// No job may run longer than `--reclaim-after`, or another worker would take it over
    /// while it runs.
    longest: Duration,
    warned: AtomicBool,
}

impl Fetcher {
    pub fn new(allowed: &[String], longest: Duration) -> Result<Fetcher, String> {
        let client = Client::builder()
            // A redirect could lead to a host not in --allow-host: follow none.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| format!("cannot set up the HTTP client: {err}"))?;
        Ok(Fetcher {
            client,
            allowed: allowed.iter().map(|host| host_key(host)).collect(),
            longest,
            warned: AtomicBool::new(false),
        })
    }

    /// The job's request, tried again up to the job's `retries` times (the producer's
    /// `--retries`; the retrying happens here, where the request is made). All of it within
    /// `--reclaim-after`, or another worker would take the job over while this one retries.
    pub async fn fetch(&self, job: &Job) -> Tried {
        let retries = job.retries.min(MAX_RETRIES);
        let tries = retry::non_blocking(retries, || self.fetch_one(job), tokio::time::sleep);
        let timed_out = || (Err(FetchError::Timeout), Vec::new());
        tokio::time::timeout(self.longest, tries)
            .await
            .unwrap_or_else(|_| timed_out())
    }

    /// One GET, async: a worker has up to `--concurrency` of these in flight. It reads at
    /// most 64 KiB of the body.
    pub async fn fetch_one(&self, job: &Job) -> Result<Uuid, FetchError> {
        let url = self.check(&job.url)?;
        let response = self
            .client
            .get(url)
            .timeout(self.timeout(job))
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        parse_uuid(&read_body(response).await?)
    }

    /// The job's URL, if it is one this worker may fetch. Anyone who can write to the stream
    /// can enqueue a job: the worker fetches only hosts it was told it may.
    fn check(&self, text: &str) -> Result<Url, FetchError> {
        let url = Url::parse(text)
            .map_err(|err| FetchError::Rejected(format!("{text:?} is not a URL ({err})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Rejected(format!(
                "{}:// is not fetched; only http:// and https://",
                url.scheme()
            )));
        }
        let host = match url.host() {
            Some(Host::Domain(name)) => name.to_ascii_lowercase(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => String::new(),
        };
        if !self.allowed.contains(&host) {
            return Err(FetchError::Rejected(format!(
                "host not allowed: {host} (the worker fetches only from its --allow-host hosts)"
            )));
        }
        Ok(url)
    }

    fn timeout(&self, job: &Job) -> Duration {
        if job.timeout() > self.longest && !self.warned.swap(true, Ordering::Relaxed) {
            eprintln!(
                "{NAME}: jobs ask for a {:?} timeout, longer than --reclaim-after {:?}: they get \
                 {:?}, so that no other worker takes them over while they run",
                job.timeout(),
                self.longest,
                self.longest
            );
        }
        job.timeout().min(self.longest)
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

    fn fetcher(allowed: &[&str]) -> Fetcher {
        let allowed: Vec<String> = allowed.iter().map(|h| h.to_string()).collect();
        Fetcher::new(&allowed, Duration::from_secs(60)).unwrap()
    }

    #[test]
    fn allowed_hosts_match_however_they_are_written() {
        let fetcher = fetcher(&DEFAULT_HOSTS);
        for url in [
            "http://127.0.0.1:8080/uuid",
            "http://LOCALHOST:8080/uuid",
            "http://[::1]:8080/uuid",
            "http://[0:0:0:0:0:0:0:1]:8080/uuid",
            "https://httpbin.org/uuid",
        ] {
            assert!(fetcher.check(url).is_ok(), "{url}");
        }
        let bracketed = self::fetcher(&["[::1]"]);
        assert!(bracketed.check("http://[::1]/uuid").is_ok());
    }

    #[test]
    fn other_hosts_and_schemes_are_refused() {
        let fetcher = fetcher(&DEFAULT_HOSTS);
        for (url, expected) in [
            ("http://example.com/uuid", "host not allowed: example.com"),
            ("http://127.0.0.2/uuid", "host not allowed: 127.0.0.2"),
            ("http://httpbin.org.evil.example/uuid", "host not allowed"),
            ("file:///etc/passwd", "only http://"),
            ("not a url", "is not a URL"),
        ] {
            match fetcher.check(url) {
                Err(FetchError::Rejected(why)) => assert!(why.contains(expected), "{url}: {why}"),
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}
