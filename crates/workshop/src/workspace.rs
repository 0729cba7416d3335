//! The files a runner reads and writes: the exercises, the slides they come from, the built
//! binaries, and what it keeps in cargo's target directory.

use std::fs;
use std::io::{self, BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lab::Binaries;

use crate::exercise::Exercise;
use crate::splice;

/// The workspace's root and its build directory.
pub struct Workspace {
    pub root: PathBuf,
    /// Where cargo puts the binaries this runner was built with (`target/debug`).
    pub bins: Binaries,
}

impl Workspace {
    /// The workspace this runner was built from, and the binaries beside it.
    pub fn here() -> Result<Workspace, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let root = root
            .canonicalize()
            .map_err(|err| format!("cannot find the workspace at {}: {err}", root.display()))?;
        let bins = Binaries::beside_this_program().map_err(|err| err.to_string())?;
        Ok(Workspace { root, bins })
    }

    /// Cargo's target directory, where `target/debug` is.
    fn target(&self) -> &Path {
        self.bins.dir().parent().unwrap_or(self.bins.dir())
    }

    /// `target/exercises`: the last checks, and the files `solve` and `reset` replaced.
    pub fn state_dir(&self) -> PathBuf {
        self.target().join("exercises")
    }

    /// Whether the runner (and so what it builds) is the release build.
    pub fn release(&self) -> bool {
        self.bins.dir().ends_with("release")
    }

    /// `cargo build` of httpbin-lite and `talk`'s packages in the talk's workspace, then of
    /// `exercises`' in the exercises' own (`exercises/Cargo.toml`), both into this runner's
    /// target directory and profile, so that they share the compiled dependencies and the
    /// binaries are beside it.
    /// Quiet once the exercises and httpbin-lite have been built before, when what is left to
    /// compile takes seconds; the first time, cargo's progress shows the minute it takes.
    /// Cargo's messages go to the terminal as they come; a failed build gives them back too,
    /// for the check to recognise an error it has a hint for.
    pub fn cargo_build(&self, talk: &[&str], exercises: &[&str]) -> Result<Built, String> {
        let before = ["httpbin-lite"].iter().chain(exercises);
        let built_before = before.into_iter().all(|name| self.bins.has(name));
        let talk = [&["httpbin-lite"][..], talk].concat();
        let manifests = [
            (self.root.join("Cargo.toml"), &talk[..]),
            (self.root.join("exercises/Cargo.toml"), exercises),
        ];
        for (manifest, packages) in manifests {
            if packages.is_empty() {
                continue;
            }
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut command = Command::new(cargo);
            command
                .current_dir(&self.root)
                .arg("build")
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(self.target());
            if built_before {
                command.arg("--quiet");
            } else {
                println!(
                    "  building {} (the first build takes a minute or two)",
                    packages.join(", ")
                );
            }
            // Read through a pipe, cargo would drop its colours: keep them for a terminal.
            if io::stderr().is_terminal() {
                command.arg("--color=always");
            }
            for package in packages {
                command.args(["--package", package]);
            }
            if self.release() {
                command.arg("--release");
            }
            let built = echoed(command)?;
            if built != Built::Ok {
                return Ok(built);
            }
        }
        Ok(Built::Ok)
    }

    pub fn read(&self, relative: &str) -> Result<String, String> {
        let path = self.root.join(relative);
        fs::read_to_string(&path).map_err(|err| format!("cannot read {relative}: {err}"))
    }

    /// What the exercise's file holds now.
    pub fn current(&self, exercise: &Exercise) -> Result<String, String> {
        self.read(&exercise.path())
    }

    /// The blank, made from the slide as it is now: its `mod` lines for the slide's other files
    /// get a `#[path]` to them (see [`splice::with_paths`]).
    pub fn blank(&self, exercise: &Exercise) -> Result<String, String> {
        let slide = self.read(exercise.solution)?;
        let body = self.read(&exercise.blank_body())?;
        let own = exercise.path();
        let (Some(own_dir), Some(slide_dir)) = (
            Path::new(&own).parent(),
            Path::new(exercise.solution).parent(),
        ) else {
            return Err(format!("{own} or {} has no folder", exercise.solution));
        };
        // The slide's other files, each the module of a `mod` line that needs a `#[path]`.
        let dir = self.root.join(slide_dir);
        let files =
            fs::read_dir(&dir).map_err(|err| format!("cannot list {}: {err}", dir.display()))?;
        let lesson_file = Path::new(exercise.solution).file_name();
        let modules: Vec<String> = files
            .flatten()
            .map(|entry| PathBuf::from(entry.file_name()))
            .filter(|name| name.extension().is_some_and(|ext| ext == "rs"))
            .filter(|name| Some(name.as_os_str()) != lesson_file)
            .filter_map(|name| Some(name.file_stem()?.to_string_lossy().into_owned()))
            .collect();
        // From the exercise's folder up to the root and down to the slide's: relative, so the
        // workspace can move.
        let up = "../".repeat(own_dir.components().count());
        let to_slide = format!("{up}{}", slide_dir.display());
        splice::blank(&slide, exercise.lesson, &body, &to_slide, &modules)
            .map_err(|err| format!("{}: {err}", exercise.solution))
    }

    /// The solution: the blank with the slide's own lesson in its marked place.
    pub fn solution(&self, exercise: &Exercise) -> Result<String, String> {
        let slide = self.read(exercise.solution)?;
        splice::solve(&self.blank(exercise)?, &slide, exercise.lesson)
            .map_err(|err| format!("{}: {err}", exercise.blank_body()))
    }

    /// Writes `text` into the exercise's file. What was there is kept first in
    /// `target/exercises/kept/`, unless it was the blank or the solution (or nothing: a file
    /// deleted by mistake is written again), and the path it was kept at is given.
    pub fn replace(&self, exercise: &Exercise, text: &str) -> Result<Option<PathBuf>, String> {
        let path = self.root.join(exercise.path());
        let now = fs::read_to_string(&path).unwrap_or_default();
        let mut kept = None;
        if !now.is_empty() && now != self.blank(exercise)? && now != self.solution(exercise)? {
            let dir = self.state_dir().join("kept").join(exercise.dir);
            fs::create_dir_all(&dir)
                .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
            let name = Path::new(exercise.file)
                .file_name()
                .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
            // Numbered, never overwritten: every version you replaced is still there.
            let free = (1..)
                .map(|n| dir.join(format!("{name}.{n}")))
                .find(|path| !path.exists());
            let Some(copy) = free else {
                return Err(format!("no free name in {}", dir.display()));
            };
            fs::write(&copy, &now)
                .map_err(|err| format!("cannot keep your file at {}: {err}", copy.display()))?;
            kept = Some(copy);
        }
        fs::write(&path, text).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        Ok(kept)
    }
}

/// How a build went.
#[derive(Debug, PartialEq, Eq)]
pub enum Built {
    Ok,
    /// What cargo said, without its colours.
    Failed(String),
}

/// Runs `command`, writing what it says on stderr to ours line by line as it comes, and keeps
/// it for a build that fails.
fn echoed(mut command: Command) -> Result<Built, String> {
    let mut child = command
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot run cargo: {err}; is Rust installed (rustup.rs)?"))?;
    let mut said = String::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            said.push_str(&anstream::adapter::strip_str(&line).to_string());
            said.push('\n');
        }
    }
    let status = child.wait().map_err(|err| format!("cargo: {err}"))?;
    Ok(match status.success() {
        true => Built::Ok,
        false => Built::Failed(said),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn cargos_colours_are_taken_out() {
        let line = "\u{1b}[0m\u{1b}[1m\u{1b}[38;5;9merror[E0521]\u{1b}[0m: borrowed data escapes";
        let plain = anstream::adapter::strip_str(line).to_string();
        assert_eq!(plain, "error[E0521]: borrowed data escapes");
    }
}
