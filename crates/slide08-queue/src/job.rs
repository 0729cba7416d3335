//! What travels through Redis, as JSON: a job (producer → worker) and its result (worker →
//! producer). Each carries a version, so a worker can refuse a job it does not understand.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::FetchError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The version of both formats.
pub const VERSION: u32 = 1;

/// The field of a stream entry that holds the job.
pub const FIELD: &str = "job";

/// One request to make: `GET url`, within `timeout_ms`, tried again up to `retries` times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub v: u32,
    pub id: Uuid,
    /// The producer's run that wants the result: it names the result list.
    pub run: Uuid,
    pub url: String,
    pub timeout_ms: u64,
    /// When the producer enqueued it, in milliseconds since the Unix epoch.
    pub enqueued_at_ms: u64,
    /// The producer's `--retries`. Added to v1 later, so a job without it means 0.
    #[serde(default)]
    pub retries: u32,
}

/// What a worker sends back for one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobResult {
    pub v: u32,
    /// The job this answers.
    pub id: Uuid,
    /// The worker that ran it (`host:pid:random`).
    pub worker: String,
    /// How many jobs that worker runs at once (its `--concurrency`).
    pub slots: usize,
    pub result: Result<Uuid, FetchError>,
    /// Why each earlier try failed, when the job's retries tried it again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retried: Vec<FetchError>,
}

impl Job {
    pub fn new(run: Uuid, url: &str, timeout: Duration, retries: u32) -> Job {
        let now = SystemTime::now().duration_since(UNIX_EPOCH);
        Job {
            v: VERSION,
            id: Uuid::new_v4(),
            run,
            url: url.to_owned(),
            timeout_ms: millis(timeout),
            enqueued_at_ms: millis(now.unwrap_or_default()),
            retries,
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// Reads a job from an entry's `job` field, or says why it is not one.
    pub fn parse(text: &str) -> Result<Job, String> {
        // The version first: a newer producer's job may not parse as ours at all.
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
        match json.get("v").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(format!("job format v{v}; this worker reads v{VERSION}")),
            None => return Err(r#"not a job: no "v" version"#.into()),
        }
        serde_json::from_value(json).map_err(|err| format!("not a job: {err}"))
    }
}

impl JobResult {
    pub fn parse(text: &str) -> Result<JobResult, String> {
        serde_json::from_str(text).map_err(|err| format!("not a job result: {err}"))
    }
}

/// JSON for Redis. Both types hold only strings, numbers and UUIDs, which always serialize.
pub fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("strings, numbers and UUIDs always serialize")
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_round_trips() {
        let job = Job::new(
            Uuid::new_v4(),
            "http://127.0.0.1:8080/uuid",
            Duration::from_secs(10),
            3,
        );
        assert_eq!(Job::parse(&to_json(&job)), Ok(job));
    }

    #[test]
    fn entries_that_are_not_jobs_say_why() {
        let cases = [
            ("hello", "not JSON"),
            ("{}", "no \"v\""),
            (r#"{"v": 2, "anything": true}"#, "v2"),
            (r#"{"v": 1, "url": "http://x/"}"#, "not a job"),
        ];
        for (text, expected) in cases {
            let err = Job::parse(text).unwrap_err();
            assert!(err.contains(expected), "{text:?} gave {err:?}");
        }
    }

    proptest::proptest! {
        /// Anyone who can write to the stream can put anything in a job field: the worker
        /// reads it as text (lossily, as `queue.rs` does), and gets a job or a reason.
        #[test]
        fn any_entry_gives_a_job_or_a_reason(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = Job::parse(&String::from_utf8_lossy(&bytes));
        }

        /// JSON that looks like a job, with any values in its fields.
        #[test]
        fn near_jobs_give_a_job_or_a_reason(v in 0u64..3, url in ".{0,40}", timeout in proptest::prelude::any::<i64>()) {
            let text = format!(
                r#"{{"v": {v}, "id": "{}", "run": "{}", "url": {url:?}, "timeout_ms": {timeout}, "enqueued_at_ms": 0}}"#,
                Uuid::nil(), Uuid::nil()
            );
            let _ = Job::parse(&text);
        }

        /// What the producer encodes, the worker decodes to the same job.
        #[test]
        fn every_job_round_trips(
            id in proptest::prelude::any::<u128>(),
            run in proptest::prelude::any::<u128>(),
            url in proptest::prelude::any::<String>(),
            timeout_ms in proptest::prelude::any::<u64>(),
            enqueued_at_ms in proptest::prelude::any::<u64>(),
            retries in proptest::prelude::any::<u32>(),
        ) {
            let job = Job {
                v: VERSION,
                id: Uuid::from_u128(id),
                run: Uuid::from_u128(run),
                url,
                timeout_ms,
                enqueued_at_ms,
                retries,
            };
            proptest::prop_assert_eq!(Job::parse(&to_json(&job)), Ok(job));
        }
    }

    #[test]
    fn a_job_without_retries_means_none() {
        let text = format!(
            r#"{{"v": 1, "id": "{}", "run": "{}", "url": "http://127.0.0.1/uuid", "timeout_ms": 10, "enqueued_at_ms": 0}}"#,
            Uuid::nil(),
            Uuid::nil()
        );
        assert_eq!(Job::parse(&text).map(|job| job.retries), Ok(0));
    }

    #[test]
    fn a_failed_result_round_trips() {
        let result = JobResult {
            v: VERSION,
            id: Uuid::new_v4(),
            worker: "host:1:abc".into(),
            slots: 32,
            result: Err(FetchError::Rejected("host not allowed".into())),
            retried: vec![FetchError::Status(503)],
        };
        assert_eq!(JobResult::parse(&to_json(&result)), Ok(result));
    }
}
