//! The summary of a run: printed as one line for people and, with `--json`, as one JSON line
//! for scripts. The one type that writes that line and reads it back (the report, the
//! benchmark and the tests all use it).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a run got done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The binary that ran (the summary names it).
    pub slide: String,
    /// The concurrency model in one word (`threads`).
    pub model: String,
    /// The URL fetched, a password in it shown as `****`.
    pub url: String,
    pub requests: usize,
    /// How many requests were in flight at most.
    pub concurrency: usize,
    pub ok: usize,
    /// Requests that failed, or never got an answer.
    pub failed: usize,
    /// `failed`, by kind: `timeout`, `status`, … and `missing` or `interrupted`.
    pub failures: BTreeMap<String, usize>,
    /// Requests that never got an answer (counted in `failed` too).
    pub missing: usize,
    /// Distinct UUIDs among the answers: every answer should be new.
    pub unique: usize,
    /// `--retries`: how often a failed request could be tried again.
    #[serde(default)]
    pub max_retries: u32,
    /// Tries that failed and were tried again, in all.
    pub retries: usize,
    /// `retries`, by the kind of failure that caused them.
    pub retried: BTreeMap<String, usize>,
    /// From the start of the first request to the end of the last.
    pub wall_s: f64,
    pub req_per_s: f64,
    /// `--work`: the CPU each answer asked for, in seconds.
    #[serde(default)]
    pub work_s: f64,
    /// The CPU the run used while the clock ran, on every core, in seconds (its children's and
    /// workers' too).
    #[serde(default)]
    pub cpu_s: f64,
    /// `cpu_s ÷ wall_s`: how many cores were busy, on average. One thread cannot pass 1.
    #[serde(default)]
    pub cores_used: f64,
    /// The first failure, in words a learner can act on.
    pub first_error: Option<String>,
    /// The signal that stopped the run early (`SIGINT`), if one did.
    pub interrupted: Option<String>,
    /// When each request started and finished, in request order.
    #[serde(default)]
    pub timeline: Vec<Span>,
    /// A queue's producer: how long putting the jobs on the queue took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enqueue_s: Option<f64>,
    /// A queue's producer: how many workers answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<usize>,
    /// A queue's producer: answers for jobs that had one already (counted once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<usize>,
}

/// One request on the run's time axis, in seconds since the run started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub index: usize,
    pub start_s: f64,
    pub end_s: f64,
    pub ok: bool,
    #[serde(default = "one")]
    pub attempts: usize,
}

fn one() -> usize {
    1
}

impl Summary {
    /// The line people read:
    /// `NAME: 50/50 ok, 50 unique, 2.01 s, 24.9 req/s, concurrency 40`.
    pub fn line(&self) -> String {
        // A producer that only enqueued (`--no-wait`) heard from no worker: say what it did.
        if let (Some(enqueue_s), None) = (self.enqueue_s, self.workers) {
            return format!(
                "{}: enqueued {} jobs in {} and did not wait for their results",
                self.slide,
                self.requests,
                brief(enqueue_s)
            );
        }
        let kinds: Vec<String> = self
            .failures
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        let failures = match self.failed {
            0 => String::new(),
            failed => format!(" {failed} failed ({}),", kinds.join(", ")),
        };
        let retries = match (self.max_retries, self.retries) {
            (0, _) => String::new(),
            (_, 1) => " 1 retry,".into(),
            (_, n) => format!(" {n} retries,"),
        };
        let plural = |n| if n == 1 { "" } else { "s" };
        let more: String = [
            self.enqueue_s
                .map(|took| format!(", enqueued in {}", brief(took))),
            self.workers.map(|n| format!(", {n} worker{}", plural(n))),
            self.duplicates.map(|n| format!(", {n} duplicates")),
            // With `--work` the CPU is the point; without it, waiting needs so little it is noise.
            (self.work_s > 0.0)
                .then(|| format!(", cpu {:.2} s on {:.1} cores", self.cpu_s, self.cores_used)),
        ]
        .into_iter()
        .flatten()
        .collect();
        format!(
            "{}: {}/{} ok, {} unique,{failures}{retries} {:.2} s, {:.1} req/s, concurrency {}{more}",
            self.slide,
            self.ok,
            self.requests,
            self.unique,
            self.wall_s,
            self.req_per_s,
            self.concurrency
        )
    }

    /// The summary as one JSON line.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serializing it cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The summary in the last line of a slide's output that is JSON, if any is.
    pub fn from_output(output: &str) -> Result<Summary, String> {
        let last = output
            .lines()
            .rev()
            .find(|line| line.trim_start().starts_with('{'))
            .ok_or("no JSON summary line")?;
        serde_json::from_str(last).map_err(|err| format!("not a slide summary: {err}"))
    }
}

/// Enqueueing takes well under a millisecond per job: "0.000 s" would hide it.
pub fn brief(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.2} ms", seconds * 1000.0)
    } else {
        format!("{seconds:.2} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> Summary {
        Summary {
            slide: "slide".into(),
            model: "threads".into(),
            url: "http://127.0.0.1:8080/uuid".into(),
            requests: 50,
            concurrency: 40,
            ok: 49,
            failed: 1,
            failures: BTreeMap::from([("timeout".into(), 1)]),
            missing: 0,
            unique: 49,
            max_retries: 0,
            retries: 0,
            retried: BTreeMap::new(),
            wall_s: 2.014,
            req_per_s: 24.3,
            work_s: 0.0,
            cpu_s: 0.05,
            cores_used: 0.02,
            first_error: Some("GET …: timed out".into()),
            interrupted: None,
            timeline: vec![],
            enqueue_s: None,
            workers: None,
            duplicates: None,
        }
    }

    #[test]
    fn the_line_people_read() {
        assert_eq!(
            summary().line(),
            "slide: 49/50 ok, 49 unique, 1 failed (1 timeout), 2.01 s, 24.3 req/s, concurrency 40"
        );
        let enqueued = Summary {
            enqueue_s: Some(0.0006),
            ..summary()
        };
        assert_eq!(
            enqueued.line(),
            "slide: enqueued 50 jobs in 0.60 ms and did not wait for their results"
        );
        let queue = Summary {
            enqueue_s: Some(0.0006),
            workers: Some(1),
            duplicates: Some(0),
            ..summary()
        };
        assert!(
            queue
                .line()
                .ends_with(", enqueued in 0.60 ms, 1 worker, 0 duplicates")
        );
    }

    #[test]
    fn the_json_line_reads_back() {
        let text = format!("noise\n{}\n", summary().to_json());
        assert_eq!(Summary::from_output(&text), Ok(summary()));
        assert!(Summary::from_output("no json").is_err());
    }
}
