//! `watch NAME`: check the exercise now, then again each time its file is saved, each time on
//! a cleared screen. It looks at the file's modification time a few times a second, which every
//! editor and OS supports.

use std::fs;
use std::io::{self, IsTerminal};
use std::thread;
use std::time::{Duration, SystemTime};

use crate::exercise::Exercise;
use crate::workspace::Workspace;

/// How often to look at the file.
const POLL: Duration = Duration::from_millis(300);

/// What a check is: `main`'s, which also remembers the result for `list`.
type Check = fn(&Workspace, &Exercise) -> Result<bool, String>;

/// Runs until Ctrl-C stops it.
pub fn watch(workspace: &Workspace, exercise: &Exercise, check: Check) -> Result<bool, String> {
    let path = workspace.root.join(exercise.path());
    let stamp = || -> Result<(SystemTime, u64), String> {
        let meta = fs::metadata(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        let modified = meta.modified().map_err(|err| err.to_string())?;
        Ok((modified, meta.len()))
    };
    let mut seen = stamp()?;
    loop {
        // Each check on a clean screen: what it says is about the file as saved last.
        if io::stdout().is_terminal() {
            print!("\x1b[2J\x1b[H");
        } else {
            println!();
        }
        // A check that cannot run (httpbin-lite would not start) is said, and the next save
        // tries again: the watch goes on.
        if let Err(err) = check(workspace, exercise) {
            println!("exercise.sh: {err}");
        }
        println!(
            "\nWatching {}: save it to check again; Ctrl-C stops.",
            exercise.path()
        );
        loop {
            thread::sleep(POLL);
            // A file caught in the middle of a save may be missing for a moment: look again.
            if let Ok(now) = stamp()
                && now != seen
            {
                seen = now;
                break;
            }
        }
    }
}
