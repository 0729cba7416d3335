//! Where each exercise stands: not started (still the blank), changed since its last check,
//! failing or passing. The last check's result is kept in `target/exercises/status.json` with
//! a fingerprint of the file it checked, so an edit after a check is never shown as passing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
    pub fn words(self) -> &'static str {
        match self {
            Status::NotStarted => "· not started",
            Status::Changed => "… not checked yet",
            Status::Failing => "✗ failing",
            Status::Passing => "✓ passing",
        }
    }
}

/// The last check of each exercise, by folder.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Checks {
    #[serde(flatten)]
    last: BTreeMap<String, Checked>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Checked {
    /// The fingerprint of the file that was checked.
    fingerprint: u64,
    passed: bool,
}

impl Checks {
    /// The file they are kept in, in the runner's own directory (`target/exercises/`).
    pub fn file(state_dir: &Path) -> PathBuf {
        state_dir.join("status.json")
    }

    /// What the file holds; nothing if it is missing or unreadable (it is only a memo).
    pub fn load(file: &Path) -> Checks {
        fs::read_to_string(file)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Remembers that `text`, in exercise `dir`, passed or not, and writes the file.
    pub fn remember(file: &Path, dir: &str, text: &str, passed: bool) -> Result<(), String> {
        let mut checks = Checks::load(file);
        let checked = Checked {
            fingerprint: fingerprint(text),
            passed,
        };
        checks.last.insert(dir.to_owned(), checked);
        let json = serde_json::to_string_pretty(&checks).map_err(|err| err.to_string())?;
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        fs::write(file, json + "\n")
            .map_err(|err| format!("cannot write {}: {err}", file.display()))
    }

    /// The status of exercise `dir`, whose file now holds `text` and whose blank is `blank`.
    pub fn status(&self, dir: &str, text: &str, blank: &str) -> Status {
        if text == blank {
            return Status::NotStarted;
        }
        match self.last.get(dir) {
            Some(checked) if checked.fingerprint == fingerprint(text) => match checked.passed {
                true => Status::Passing,
                false => Status::Failing,
            },
            _ => Status::Changed,
        }
    }
}

/// How many of each exercise's hints `hint` has shown, by folder, kept beside the checks in
/// `target/exercises/hints.json`: each `hint` shows the next one.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct HintsShown {
    #[serde(flatten)]
    shown: BTreeMap<String, usize>,
}

impl HintsShown {
    pub fn file(state_dir: &Path) -> PathBuf {
        state_dir.join("hints.json")
    }

    /// What the file holds; none shown if it is missing or unreadable (it is only a memo).
    pub fn load(file: &Path) -> HintsShown {
        fs::read_to_string(file)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// How many of exercise `dir`'s hints have been shown.
    pub fn shown(&self, dir: &str) -> usize {
        self.shown.get(dir).copied().unwrap_or(0)
    }

    /// Remembers that `shown` of exercise `dir`'s hints have been shown, and writes the file.
    pub fn remember(file: &Path, dir: &str, shown: usize) -> Result<(), String> {
        let mut hints = HintsShown::load(file);
        hints.shown.insert(dir.to_owned(), shown);
        let json = serde_json::to_string_pretty(&hints).map_err(|err| err.to_string())?;
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
        }
        fs::write(file, json + "\n")
            .map_err(|err| format!("cannot write {}: {err}", file.display()))
    }
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
        assert_eq!(checks.status("06", blank, blank), Status::NotStarted);
        assert_eq!(checks.status("06", "mine", blank), Status::Changed);
        let passed = Checked {
            fingerprint: fingerprint("mine"),
            passed: true,
        };
        checks.last.insert("06".into(), passed);
        assert_eq!(checks.status("06", "mine", blank), Status::Passing);
        assert_eq!(checks.status("06", "mine, edited", blank), Status::Changed);
        let failed = Checked {
            fingerprint: fingerprint("mine, edited"),
            passed: false,
        };
        checks.last.insert("06".into(), failed);
        assert_eq!(checks.status("06", "mine, edited", blank), Status::Failing);
        // Back to the blank: not started, whatever a check of it said.
        assert_eq!(checks.status("06", blank, blank), Status::NotStarted);
    }
}
