//! What the tests of the exercises share: the exercises as the tests know them, the runner
//! (`scripts/exercise.sh`), and a guard that puts back every file they write.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use super::root;

/// Each exercise: its name, the file to edit, the slide's file it is a blank of, and the
/// function whose body is the lesson, as the runner names it.
pub const EXERCISES: [(&str, &str, &str, &str); 6] = [
    (
        "sync",
        "exercises/04-sync/src/main.rs",
        "crates/slide04-sync/src/main.rs",
        "fetch_all",
    ),
    (
        "processes",
        "exercises/05-processes/src/main.rs",
        "crates/slide05-multiprocess/src/main.rs",
        "fetch_all",
    ),
    (
        "threads",
        "exercises/06-threads/src/main.rs",
        "crates/slide06-threads/src/main.rs",
        "fetch_all",
    ),
    (
        "coroutines",
        "exercises/07a-coroutines/src/executor.rs",
        "crates/slide07a-coroutines/src/executor.rs",
        "Executor::run",
    ),
    (
        "tokio",
        "exercises/07-tokio/src/main.rs",
        "crates/slide07-tokio/src/main.rs",
        "fetch_all",
    ),
    (
        "queue",
        "exercises/08-queue/src/main.rs",
        "crates/slide08-queue/src/bin/slide08-worker/main.rs",
        "work",
    ),
];

/// `text` without the `#[path = …]` lines a blank adds to the slide's `mod` lines.
pub fn without_paths(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|line| !line.starts_with("#[path = "))
        .collect()
}

/// The text before the first line with a ✎ and after the last one.
pub fn around_the_marks(text: &str) -> (&str, &str) {
    let first = text.find('✎').expect("a ✎ line");
    let last = text.rfind('✎').expect("a ✎ line");
    let start = text[..first].rfind('\n').map_or(0, |n| n + 1);
    let end = text[last..].find('\n').map_or(text.len(), |n| last + n + 1);
    (&text[..start], &text[end..])
}

/// `scripts/exercise.sh ARGS`: the runner the script runs.
pub fn exercise(args: &[&str]) -> Output {
    Command::new(runner())
        .args(args)
        .current_dir(root())
        .output()
        .expect("the runner starts")
}

/// The runner, built (once) by the cargo and profile that built this test. Only it: it builds
/// what each check needs itself, as it does for a learner.
fn runner() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut build = cargo();
        build.args(["build", "--quiet", "--package", "workshop"]);
        if bins().ends_with("release") {
            build.arg("--release");
        }
        let built = build.status().expect("cargo runs").success();
        assert!(built, "cargo build --package workshop failed");
        bins().join("workshop")
    })
}

/// Where cargo put this test's profile's binaries (`target/debug`).
fn bins() -> PathBuf {
    let bins = lab::Binaries::beside_this_program().unwrap_or_else(|err| panic!("{err}"));
    bins.dir().to_path_buf()
}

/// The cargo that runs this test, in the workspace's root.
fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.current_dir(root());
    cargo
}

pub fn read(file: &str) -> String {
    fs::read_to_string(root().join(file)).unwrap_or_else(|err| panic!("{file}: {err}"))
}

/// The exercises' files as this test found them, put back when dropped, however the test ends:
/// each one that still holds what this test last wrote there. A file someone changed meanwhile
/// (a blank made again from a slide that changed) holds their change, and keeps it.
pub struct Restore {
    files: Vec<Tracked>,
    /// What `target/exercises/` held, so that what the runner kept meanwhile goes again.
    pub state: PathBuf,
    state_before: BTreeSet<PathBuf>,
}

struct Tracked {
    path: PathBuf,
    found: Option<Vec<u8>>,
    /// What this test last left in it, if it has changed it.
    ours: RefCell<Option<Option<Vec<u8>>>>,
}

impl Restore {
    pub fn everything() -> Restore {
        let state = bins().parent().expect("target/").join("exercises");
        let mut paths: Vec<PathBuf> = EXERCISES
            .iter()
            .map(|(_, file, _, _)| root().join(file))
            .collect();
        paths.push(state.join("status.json"));
        paths.push(state.join("hints.json"));
        let files = paths
            .into_iter()
            .map(|path| Tracked {
                found: fs::read(&path).ok(),
                path,
                ours: RefCell::new(None),
            })
            .collect();
        Restore {
            files,
            state_before: paths_under(&state),
            state,
        }
    }

    /// `scripts/exercise.sh COMMAND NAME`, for a command that writes: solve and reset write the
    /// exercise's file, check the runner's status.json, hint its hints.json.
    pub fn exercise(&self, args: &[&str]) -> Output {
        let output = exercise(args);
        let name = args.get(1).copied().unwrap_or_default();
        let file = EXERCISES
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, f, ..)| *f);
        let status = self.state.join("status.json");
        let hints = self.state.join("hints.json");
        self.note(&[root().join(file.unwrap_or_default()), status, hints]);
        output
    }

    /// Writes `body` into the blank's marked place, as a learner would.
    pub fn write_lesson(&self, file: &str, body: &str) {
        let text = read(file);
        let (before, after) = around_the_marks(&text);
        let written = fs::write(root().join(file), format!("{before}{body}{after}"));
        self.note(&[root().join(file)]);
        written.expect("write the exercise");
    }

    /// Takes what `paths` hold now as this test's own doing.
    pub fn note(&self, paths: &[PathBuf]) {
        for file in self.files.iter().filter(|file| paths.contains(&file.path)) {
            *file.ours.borrow_mut() = Some(fs::read(&file.path).ok());
        }
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        for file in &self.files {
            let Some(ours) = file.ours.borrow_mut().take() else {
                continue;
            };
            if fs::read(&file.path).ok() != ours {
                eprintln!("{} changed meanwhile: left as it is", file.path.display());
                continue;
            }
            let _ = match &file.found {
                Some(bytes) => fs::write(&file.path, bytes),
                None => fs::remove_file(&file.path),
            };
        }
        // New files first, then the folders they leave empty, deepest first.
        let new: Vec<PathBuf> = paths_under(&self.state)
            .difference(&self.state_before)
            .cloned()
            .collect();
        for path in new.iter().rev() {
            let _ = fs::remove_file(path).or_else(|_| fs::remove_dir(path));
        }
    }
}

/// Every file and folder under `dir`: a folder sorts before what it holds.
pub fn paths_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut paths = BTreeSet::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return paths;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            paths.extend(paths_under(&path));
        }
        paths.insert(path);
    }
    paths
}
