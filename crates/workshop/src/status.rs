//! What the runner remembers in `target/exercises/`: the last check of each exercise, with a
//! fingerprint of the file it checked, so an edit after a check is never shown as passing; and
//! how many of each exercise's hints `hint` has shown. Both are memos, kept as JSON by folder.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The file of the last checks: [`Checks`].
pub const CHECKS: &str = "status.json";

/// The file of the hints shown: how many of each exercise's hints, by folder.
pub const HINTS: &str = "hints.json";

/// The last check of each exercise, by folder.
pub type Checks = BTreeMap<String, Checked>;

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Checked {
    /// The fingerprint of the file that was checked.
    fingerprint: u64,
    passed: bool,
}

impl Checked {
    pub fn new(text: &str, passed: bool) -> Checked {
        let fingerprint = fingerprint(text);
        Checked {
            fingerprint,
            passed,
        }
    }
}

/// An exercise's state, as `list` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    NotStarted,
    /// Edited, and not checked since.
    Changed,
    Failing,
    Passing,
}

impl Status {
    /// The status of exercise `dir`, whose file now holds `text` and whose blank is `blank`.
    pub fn of(checks: &Checks, dir: &str, text: &str, blank: &str) -> Status {
        if text == blank {
            return Status::NotStarted;
        }
        match checks.get(dir) {
            Some(checked) if checked.fingerprint == fingerprint(text) => match checked.passed {
                true => Status::Passing,
                false => Status::Failing,
            },
            _ => Status::Changed,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Status::NotStarted => "· not started",
            Status::Changed => "… not checked yet",
            Status::Failing => "✗ failing",
            Status::Passing => "✓ passing",
        }
    }
}

/// What a memo's file holds; nothing if it is missing or unreadable (it is only a memo).
pub fn load<T: DeserializeOwned + Default>(file: &Path) -> T {
    fs::read_to_string(file)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Writes a memo to its file, and the file's folder first if need be.
pub fn save(file: &Path, memo: &impl Serialize) -> Result<(), String> {
    let json = serde_json::to_string_pretty(memo).map_err(|err| err.to_string())?;
    if let Some(parent) = file.parent() {
        fs::create_dir_all(parent)
            .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
    }
    fs::write(file, json + "\n").map_err(|err| format!("cannot write {}: {err}", file.display()))
}

/// FNV-1a over the bytes: stable from one build to the next, unlike std's hasher, and plenty
/// to tell an edited file from the one checked.
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_counts_only_for_the_text_it_checked() {
        let mut checks = Checks::default();
        let blank = "todo!()";
        let status = |checks: &Checks, text| Status::of(checks, "06", text, blank);
        assert_eq!(status(&checks, blank), Status::NotStarted);
        assert_eq!(status(&checks, "mine"), Status::Changed);
        checks.insert("06".into(), Checked::new("mine", true));
        assert_eq!(status(&checks, "mine"), Status::Passing);
        assert_eq!(status(&checks, "mine, edited"), Status::Changed);
        checks.insert("06".into(), Checked::new("mine, edited", false));
        assert_eq!(status(&checks, "mine, edited"), Status::Failing);
        // Back to the blank: not started, whatever a check of it said.
        assert_eq!(status(&checks, blank), Status::NotStarted);
    }
}
