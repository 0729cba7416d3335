//! `watch NAME`: check the exercise now, then again each time its file is saved, each time on
//! a cleared screen. The OS tells of each change to the file (notify), and the debouncer gathers
//! the few events of one save.

use std::io::{self, IsTerminal};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{DebouncedEvent, new_debouncer};

use crate::exercise::Exercise;
use crate::workspace::Workspace;

/// How long a save's events are gathered before they count as one.
const SETTLE: Duration = Duration::from_millis(200);

/// What a check is: `main`'s, which also remembers the result for `list`.
type Check = fn(&Workspace, &Exercise) -> Result<bool, String>;

/// Runs until Ctrl-C stops it.
pub fn watch(workspace: &Workspace, exercise: &Exercise, check: Check) -> Result<bool, String> {
    let file = workspace.root.join(exercise.path());
    let (saved, saves) = mpsc::channel();
    let mut debouncer = new_debouncer(SETTLE, None, saved).map_err(|err| err.to_string())?;
    // The folder, not the file: an editor that saves by writing a new file and renaming it over
    // the old one would leave a watch on the file itself looking at a file that is gone.
    let folder = file.parent().unwrap_or(&workspace.root);
    debouncer
        .watch(folder, RecursiveMode::NonRecursive)
        .map_err(|err| format!("cannot watch {}: {err}", folder.display()))?;
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
        // The next save of the file, or one made during the check; all that came by then are
        // one check, of the file as it is. An error (the OS lost track) checks again to be sure.
        loop {
            let events = saves
                .recv()
                .map_err(|err| format!("watching {}: {err}", file.display()))?;
            // Reading the file is an event too (the check reads it): only a change counts.
            let changed = |events: Vec<DebouncedEvent>| {
                events
                    .iter()
                    .any(|event| !event.kind.is_access() && event.paths.contains(&file))
            };
            if events.map_or(true, changed) {
                break;
            }
        }
        let _ = saves.try_iter().count();
    }
}
