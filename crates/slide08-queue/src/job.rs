//! The job: what goes on the queue (a URL to fetch, and how), as a worker takes it, and what
//! comes back (its result); their JSON, and the most bytes a job's entry may hold.

use std::time::Duration;

use common::{FetchError, Flags, quote};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The most bytes a job entry may hold, its field names included: a job takes a few hundred.
/// Anyone who can write to the stream can add 10 MB entries: take.lua gives such an entry as
/// its size alone, and the worker dead-letters it unparsed.
pub const MAX_ENTRY: usize = 64 * 1024;

/// One request to make: `GET url`, within `timeout`, tried again up to `retries` times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: Uuid,
    /// The producer's run that wants the result: it names the results stream.
    pub run: Uuid,
    pub url: String,
    pub timeout: Duration,
    pub retries: u32,
    /// `--work`: the CPU to spend on the answer; none from a producer without that flag.
    #[serde(default)]
    pub work: Duration,
}

/// What a worker sends back for one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    pub id: Uuid,
    /// The worker that ran it, and how many jobs it runs at once: the producer adds those up.
    pub worker: String,
    pub slots: usize,
    pub result: Result<Uuid, FetchError>,
    /// Why each earlier try failed, when the job's retries tried it again.
    pub retried: Vec<FetchError>,
    /// The CPU the worker spent on the answer (`--work`), in seconds.
    #[serde(default)]
    pub cpu_s: f64,
}

/// An entry a worker took: its id, how often Redis has handed it out (this time included), and
/// its job's text, or why it has none.
#[derive(Debug)]
pub struct Taken {
    pub id: String,
    pub deliveries: usize,
    pub text: Result<String, String>,
}

impl Job {
    /// A job of `run`: fetch `--url` as the flags say.
    pub fn new(run: Uuid, flags: &Flags) -> Job {
        Job {
            id: Uuid::new_v4(),
            run,
            url: flags.url.to_string(),
            timeout: flags.timeout,
            retries: flags.retries,
            work: flags.work,
        }
    }

    /// The job in an entry's `job` field, or why it is not one, quoting at most a line of it.
    pub fn parse(text: &str) -> Result<Job, String> {
        serde_json::from_str(text).map_err(|err| {
            let what = if err.is_data() {
                "not a job"
            } else {
                "not JSON"
            };
            format!("{what}: {}", quote(&err.to_string()))
        })
    }
}

impl Taken {
    /// An entry as take.lua gives it: id, deliveries, size in bytes, and its job field unless
    /// it has none or is too big. Anyone can write anything there: it is read lossily.
    pub fn new((id, deliveries, size, job): (String, usize, usize, Option<Vec<u8>>)) -> Taken {
        let text = match job {
            _ if size > MAX_ENTRY => Err(format!(
                "the entry is {size} bytes, more than the {MAX_ENTRY} a job may be; not parsed"
            )),
            Some(job) => Ok(String::from_utf8_lossy(&job).into_owned()),
            None => Err("no \"job\" field".into()),
        };
        Taken {
            id,
            deliveries,
            text,
        }
    }
}

/// What the producer and the worker say when Redis no longer holds a run they wait on; `gone`
/// says which of its jobs went with it.
pub fn lost(run: Uuid, gone: &str) -> String {
    format!(
        "Redis restarted without persistence, or was flushed: run {run} is not on it any more, \
         and {gone}; persistence (`appendonly yes`) keeps a queue across a restart"
    )
}

/// JSON for Redis. Both types hold only strings, numbers and UUIDs, which always serialize.
pub fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("strings, numbers and UUIDs always serialize")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::any;

    use super::*;

    #[test]
    fn entries_that_are_not_jobs_say_why() {
        let cases = [
            ("hello", "not JSON"),
            ("{}", "not a job"),
            (r#"{"url": "http://x/"}"#, "not a job"),
        ];
        for (text, expected) in cases {
            let err = Job::parse(text).unwrap_err();
            assert!(err.contains(expected), "{text:?} gave {err:?}");
        }
    }

    #[test]
    fn a_reason_quotes_at_most_a_line_of_the_entry() {
        let long = "a".repeat(60_000);
        let err = Job::parse(&format!(r#"{{"retries": "{long}"}}"#)).unwrap_err();
        assert!(err.len() < 300 && err.contains("bytes)"), "{err}");
    }

    #[test]
    fn a_failed_result_round_trips() {
        let result = JobResult {
            id: Uuid::new_v4(),
            worker: "host:1:abc".into(),
            slots: 32,
            result: Err(FetchError::Rejected("host not allowed".into())),
            retried: vec![FetchError::Status(503)],
            cpu_s: 0.0,
        };
        assert_eq!(serde_json::from_str(&to_json(&result)).ok(), Some(result));
    }

    proptest::proptest! {
        /// Anyone who can write to the stream can put anything in a job field: the worker
        /// reads it as text (lossily), and gets a job or a reason.
        #[test]
        fn any_entry_gives_a_job_or_a_reason(
            bytes in proptest::collection::vec(any::<u8>(), 0..512),
        ) {
            let _ = Job::parse(&String::from_utf8_lossy(&bytes));
        }

        /// JSON that looks like a job, with any values in its fields.
        #[test]
        fn near_jobs_give_a_job_or_a_reason(
            url in ".{0,40}",
            secs in any::<i64>(),
            nanos in any::<u64>(),
        ) {
            let timeout = format!(r#"{{"secs": {secs}, "nanos": {nanos}}}"#);
            let (id, run) = (Uuid::nil(), Uuid::nil());
            let fields = format!(r#""url": {url:?}, "timeout": {timeout}, "retries": 1"#);
            let text = format!(r#"{{"id": "{id}", "run": "{run}", {fields}}}"#);
            let _ = Job::parse(&text);
        }

        /// What the producer encodes, the worker decodes to the same job.
        #[test]
        fn every_job_round_trips(url in ".*", ms in any::<u64>(), retries in any::<u32>()) {
            let (id, run, timeout) = (Uuid::new_v4(), Uuid::new_v4(), Duration::from_millis(ms));
            let work = Duration::from_millis(ms % 10_000);
            let job = Job { id, run, url, timeout, retries, work };
            proptest::prop_assert_eq!(Job::parse(&to_json(&job)), Ok(job));
        }
    }
}
