//! One job, start to end: check it, fetch its URL (again, if it fails and the job allows), and
//! settle it in Redis.

use std::net::IpAddr;
use std::time::Instant;

use common::retry::{self, MAX_RETRIES};
use common::{FetchError, parse_uuid, read_body};
use redis::Script;
use redis::aio::ConnectionManager;
use redis::streams::StreamId;
use reqwest::{Client, Url};
use slide08_queue::{DEAD, FIELD, GROUP, JOBS, Job, JobResult, Target, results, to_json};
use tokio::time::{sleep, timeout};
use uuid::Uuid;

use crate::{Cli, NAME};

/// What every job needs, shared by all of the worker's tasks.
pub struct Worker {
    pub cli: Cli,
    /// This worker's name in the group.
    pub name: String,
    /// One HTTP client for every job: they share its connections.
    pub client: Client,
    /// Two connections: the tasks share one to settle their entries; the blocking read of new
    /// ones has the other, since it holds its connection until it returns.
    pub redis: ConnectionManager,
    pub reading: ConnectionManager,
    pub target: Target,
}

impl Worker {
    /// Runs one entry's job and settles it. True if the job succeeded and its result counted.
    pub async fn run(&self, entry: StreamId, deliveries: usize) -> bool {
        // Anyone who can write to the stream can put anything in it: read it as text, lossily.
        let parsed = match entry.get::<Vec<u8>>(FIELD) {
            Some(bytes) => Job::parse(&String::from_utf8_lossy(&bytes)),
            None => Err(format!("no {FIELD:?} field")),
        };
        let job = match parsed {
            Ok(job) => job,
            // Not a job: no run waits for it, so it only goes to the dead letters.
            Err(why) => {
                self.settle(&entry, Uuid::nil(), "", &why).await;
                return false;
            }
        };
        let most = self.cli.max_deliveries;
        let (result, retried, dead) = if deliveries > most as usize {
            let why = format!("delivered {deliveries} times, more than --max-deliveries {most}");
            // Its producer still hears of it, rather than waiting for a result that never comes.
            let rejected = FetchError::Rejected(format!("dead-lettered: {why}"));
            (Err(rejected), vec![], why)
        } else {
            // The producer's --retries happen here, where the request is made; all the tries
            // within --reclaim-after, or another worker would take the job over meanwhile.
            let retries = job.retries.min(MAX_RETRIES);
            let tries = retry::non_blocking(retries, || self.fetch_one(&job), sleep);
            match timeout(self.cli.reclaim_after, tries).await {
                Ok(tried) => (tried.result, tried.retried, String::new()),
                Err(_) => (Err(FetchError::Timeout), vec![], String::new()),
            }
        };
        let ok = result.is_ok();
        let answer = JobResult {
            id: job.id,
            worker: self.name.clone(),
            slots: self.cli.concurrency as usize,
            result,
            retried,
        };
        self.settle(&entry, job.run, &to_json(&answer), &dead).await && ok
    }

    /// One GET, async: a worker has up to `--concurrency` of these in flight. Anyone who can
    /// write to the stream can enqueue a job, so it fetches only from its `--allow-host` hosts.
    async fn fetch_one(&self, job: &Job) -> Result<Uuid, FetchError> {
        let rejected = |why: String| FetchError::Rejected(why);
        let url = Url::parse(&job.url).map_err(|err| rejected(format!("not a URL ({err})")))?;
        let host = host_key(url.host_str().unwrap_or_default());
        if !matches!(url.scheme(), "http" | "https") || !self.cli.allow_hosts.contains(&host) {
            let why = "the worker fetches only http:// and https:// from its --allow-host hosts";
            return Err(rejected(format!("host not allowed: {host} ({why})")));
        }
        let response = self.client.get(url).timeout(job.timeout).send().await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        parse_uuid(&read_body(response).await?)
    }

    /// Settles the entry with the SETTLE script: the `result` (if any) goes to the run's list,
    /// the entry to the dead letters if there is a reason to (`dead`), or both. True if this
    /// settling counted: no other worker settled the entry first.
    async fn settle(&self, entry: &StreamId, run: Uuid, result: &str, dead: &str) -> bool {
        let id = &entry.id;
        if !dead.is_empty() {
            eprintln!("{NAME}: entry {id} goes to {DEAD}: {dead}");
        }
        // With no result, the script touches no list: its key only keeps the script in one slot.
        let script = Script::new(SETTLE);
        let mut settling = script.key(&[JOBS, &results(run), DEAD][..]);
        let job = entry.get::<Vec<u8>>(FIELD).unwrap_or_default();
        settling.arg((GROUP, id, result, dead, job));
        // A connection Redis dropped fails once, then connects again: try again, with pauses,
        // until --reclaim-after, when another worker may take the job over anyway.
        let (deadline, mut tries) = (Instant::now() + self.cli.reclaim_after, 0);
        let settled = loop {
            tries += 1;
            match settling.invoke_async::<i64>(&mut self.redis.clone()).await {
                Err(_) if Instant::now() < deadline => sleep(retry::backoff(tries)).await,
                settled => break settled,
            }
        };
        match settled {
            Ok(1) => true,
            Ok(_) => {
                println!("{NAME}: entry {id} was settled by another worker first; result dropped");
                false
            }
            Err(err) => {
                let why = self.target.explain(&err);
                eprintln!("{NAME}: cannot settle entry {id}: {why}; another worker will run it");
                false
            }
        }
    }
}

/// Settles one entry, atomically: acknowledges it, and only if this acknowledgement is the one
/// that counted, deletes it, dead-letters it (with a reason; the newest 10 000 or so are kept)
/// and publishes its result (if any), kept for an hour after the run's last one. A job run
/// twice — its first worker was only slow, not dead — is thus published once.
const SETTLE: &str = r"
-- KEYS: the job stream, the run's result list, the dead-letter stream
-- ARGV: group, entry id, result JSON or '', dead-letter reason or '', the entry's job field
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
redis.call('XDEL', KEYS[1], ARGV[2])
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', 10000, '*',
             'entry', ARGV[2], 'reason', ARGV[4], 'job', ARGV[5])
end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], 3600)
end
return 1
";

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
}
