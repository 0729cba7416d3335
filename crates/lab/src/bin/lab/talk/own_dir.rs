//! A directory of one talk's own inside OUT, `OUT/talk-PID`: the slides' records and the report
//! are written there, and the report then moves into OUT. Two talks at once (the same OUT) so
//! never write into one file, and a move is a rename within one file system: OUT holds either
//! the old report or the new one, never half of one. The directory goes when the talk ends.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

pub struct OwnDir {
    path: PathBuf,
}

impl OwnDir {
    /// Creates `OUT/talk-PID` (`talk-PID-2`, … when a talk that was killed left one behind).
    pub fn create(out: &Path) -> Result<OwnDir, String> {
        fs::create_dir_all(out).map_err(|err| format!("cannot create {}: {err}", out.display()))?;
        let pid = std::process::id();
        for n in 1..=100 {
            let name = match n {
                1 => format!("talk-{pid}"),
                n => format!("talk-{pid}-{n}"),
            };
            let path = out.join(name);
            // Creating a directory either makes a new one or fails: no other talk has it.
            match fs::create_dir(&path) {
                Ok(()) => return Ok(OwnDir { path }),
                Err(err) if err.kind() == ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(format!("cannot create {}: {err}", path.display())),
            }
        }
        Err(format!("cannot create talk-{pid} in {}", out.display()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the file `name` from here into `out`, replacing the one there in one step.
    pub fn publish(&self, name: &str, out: &Path) -> Result<(), String> {
        let to = out.join(name);
        fs::rename(self.path.join(name), &to)
            .map_err(|err| format!("cannot write {}: {err}", to.display()))
    }
}

impl Drop for OwnDir {
    fn drop(&mut self) {
        // The records were for the table, and the table is written (or the talk was stopped).
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Removes an earlier talk's results.json and report.html from `out`, so that they never pass
/// for this talk's, however it ends.
pub fn remove_report(out: &Path) -> Result<(), String> {
    for name in REPORT {
        let path = out.join(name);
        match fs::remove_file(&path) {
            Err(err) if err.kind() != ErrorKind::NotFound => {
                return Err(format!("cannot remove {}: {err}", path.display()));
            }
            _ => {}
        }
    }
    Ok(())
}

/// What `slides-report compare` writes.
pub const REPORT: [&str; 2] = ["results.json", "report.html"];
