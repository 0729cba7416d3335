//! The row of a slide that printed no summary: it could not start, exited early or crashed. A
//! stand-in summary takes its place, counting no request as done and giving the reason as its
//! first error, so the table shows a failed row rather than losing every row for want of one.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitStatus;
use std::time::Duration;

use common::{Summary, quote, without_password};
use lab::talk::Slide;

/// What the talk knows of a slide's run when the slide said nothing of it itself.
pub struct Known<'a> {
    pub url: &'a str,
    pub requests: usize,
    /// `--work`, so that the table's note on the work stays true for every row.
    pub work: Duration,
    /// From the start of its turn to its end.
    pub wall: Duration,
}

/// The summary a slide would print if it had got nothing done, for the reason `why`.
pub fn summary(slide: &Slide, known: &Known, why: &str) -> Summary {
    let requests = known.requests;
    Summary {
        slide: slide.binary.to_owned(),
        model: slide.model.to_owned(),
        url: without_password(known.url),
        requests,
        // Without its summary no answer is known to have come: every request counts as missing.
        failed: requests,
        failures: BTreeMap::from([("missing".to_owned(), requests)]),
        missing: requests,
        wall_s: known.wall.as_secs_f64(),
        work_s: known.work.as_secs_f64(),
        first_error: Some(why.to_owned()),
        ..Summary::default()
    }
}

/// Whether the slide's record ends with its summary, as the table needs.
pub fn has_summary(record: &Path) -> bool {
    fs::read_to_string(record).is_ok_and(|text| Summary::from_output(&text).is_ok())
}

/// Adds `summary` to `record` as its last line, where the table looks for it.
pub fn append(record: &Path, summary: &Summary) -> Result<(), String> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(record)
        .map_err(|err| format!("cannot open {}: {err}", record.display()))?;
    // A slide that crashed mid-line leaves no newline: the summary must start a line of its own.
    writeln!(file, "\n{}", summary.to_json())
        .map_err(|err| format!("cannot write to {}: {err}", record.display()))
}

/// Why a slide that exited printed no summary, in its own last words when it left some.
pub fn why(status: ExitStatus, said: Option<&str>) -> String {
    let how = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => "ended".to_owned(),
    };
    match said {
        Some(line) => format!("{how} without its summary; it said: {}", quote(line)),
        None => format!("{how} without its summary, and said nothing on stderr"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stand_in_is_a_failed_row_that_says_why() {
        let slide = lab::talk::find("7a").expect("slide 7a");
        let known = Known {
            url: "https://user:pw@127.0.0.1:9/uuid",
            requests: 5,
            work: Duration::ZERO,
            wall: Duration::from_millis(20),
        };
        let why = why(ExitStatus::from_raw(2 << 8), Some("no TLS here"));
        let summary = summary(slide, &known, &why);
        assert_eq!((summary.ok, summary.failed, summary.missing), (0, 5, 5));
        assert_eq!(summary.url, "https://user:****@127.0.0.1:9/uuid");
        assert_eq!(
            summary.first_error.as_deref(),
            Some("exited with code 2 without its summary; it said: no TLS here")
        );
        // A slide that crashed mid-line: the stand-in still is the record's last line.
        let record = std::env::temp_dir().join(format!("stand-in-{}.json", std::process::id()));
        let written = fs::write(&record, "  0.1s  #01  half a li").map_err(|e| e.to_string());
        let appended = written.and_then(|()| append(&record, &summary));
        let read = fs::read_to_string(&record).unwrap_or_default();
        let _ = fs::remove_file(&record);
        assert_eq!(appended, Ok(()));
        assert_eq!(Summary::from_output(&read), Ok(summary));
    }

    #[test]
    fn a_crash_is_named_by_its_signal() {
        // A raw wait status of 9: killed by SIGKILL.
        assert_eq!(
            why(ExitStatus::from_raw(9), None),
            "was killed by signal 9 without its summary, and said nothing on stderr"
        );
    }
}
