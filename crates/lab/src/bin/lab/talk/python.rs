//! `lab talk --python`: after a slide, the talk's own Python programs for it
//! (`scripts/python.sh`), against the same server, each with a record and a row of its own.

use std::path::{Path, PathBuf};

use lab::talk::{self, Slide};

use super::slide::{self, Ended};
use super::stand_in;
use super::turn::{Talk, Turn};
use crate::shown::{NAME, RULE};

/// The script that makes the venv and runs an original, from the workspace's root.
const SCRIPT: &str = "scripts/python.sh";

impl Talk<'_> {
    /// Runs each Python original of `slide`; gives each one's record and how it went. A queue's
    /// original starts its own redis-server and worker (scripts/python.sh does).
    pub fn python(&self, slide: &Slide) -> Vec<(PathBuf, Turn)> {
        let mut turns = Vec::new();
        for python in talk::python_originals(slide) {
            if !Path::new(SCRIPT).is_file() {
                eprintln!("{NAME}: no {SCRIPT} here: the Python originals run from the workspace");
                break;
            }
            let mut args = vec![SCRIPT.to_owned(), python.program.to_owned()];
            args.extend(self.flags.run_args(&self.url));
            say!("\n{RULE}");
            say!(
                " Slide {} in Python, as the talk ran it: python/{}",
                slide.number,
                python.file
            );
            say!(" $ bash {}", args.join(" "));
            say!("{RULE}");
            args.push("--json".to_owned());
            let record = self.dir.join(format!("python-{}.json", python.program));
            let turn = match slide::run(Path::new("bash"), &args, &record, self.signals) {
                Ok(Ended::Interrupted(signal)) => Turn::Stopped(signal),
                Ok(Ended::Exited { status, .. }) if stand_in::has_summary(&record) => Turn::Ran {
                    ok: status.success(),
                },
                // It said why on stderr (no Python, no venv): no row for it.
                Ok(Ended::Exited { .. }) => Turn::Failed,
                Err(err) => {
                    eprintln!("{NAME}: {}: {err}", python.file);
                    Turn::Failed
                }
            };
            let stop = matches!(turn, Turn::Stopped(_));
            turns.push((record, turn));
            if stop {
                break;
            }
        }
        turns
    }
}
