//! The files a runner reads and writes: the exercises, the slides they come from, the built
//! binaries, and what it keeps in cargo's target directory.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

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

    /// `target/exercises`: the last checks, and the files `solve` and `reset` replaced.
    pub fn state_dir(&self) -> PathBuf {
        let target = self.bins.dir().parent().unwrap_or(self.bins.dir());
        target.join("exercises")
    }

    /// Whether the runner (and so what it builds) is the release build.
    pub fn release(&self) -> bool {
        self.bins.dir().ends_with("release")
    }

    pub fn read(&self, relative: &str) -> Result<String, String> {
        let path = self.root.join(relative);
        fs::read_to_string(&path).map_err(|err| format!("cannot read {relative}: {err}"))
    }

    /// What the exercise's file holds now.
    pub fn current(&self, exercise: &Exercise) -> Result<String, String> {
        self.read(&exercise.path())
    }

    /// The blank, made from the slide as it is now.
    pub fn blank(&self, exercise: &Exercise) -> Result<String, String> {
        let slide = self.read(exercise.solution)?;
        let body = self.read(&exercise.blank_body())?;
        splice::blank(&slide, exercise.lesson, &body)
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

    /// Links into the exercise every other `.rs` file beside the slide's lesson file, so that
    /// the exercise builds with the slide's own modules, and drops links to files the slide no
    /// longer has. Gives what it changed, in words.
    pub fn link_the_rest(&self, exercise: &Exercise) -> Result<Vec<String>, String> {
        let own = exercise.path();
        let (Some(own_dir), Some(slide_dir)) = (
            Path::new(&own).parent(),
            Path::new(exercise.solution).parent(),
        ) else {
            return Err(format!("{own} or {} has no folder", exercise.solution));
        };
        let lesson_file = Path::new(exercise.solution).file_name();
        // From the exercise's folder back up to the root: links are relative, so the
        // workspace can move.
        let up = PathBuf::from("../".repeat(own_dir.components().count()));
        let mut changed = Vec::new();
        for name in rs_files(&self.root.join(slide_dir))? {
            let link = self.root.join(own_dir).join(&name);
            if Some(name.as_os_str()) == lesson_file || link.symlink_metadata().is_ok() {
                continue;
            }
            symlink(up.join(slide_dir).join(&name), &link)
                .map_err(|err| format!("cannot link {}: {err}", link.display()))?;
            changed.push(format!(
                "linked {} to the slide's",
                own_dir.join(&name).display()
            ));
        }
        for name in rs_files(&self.root.join(own_dir))? {
            let link = self.root.join(own_dir).join(&name);
            let is_link = link.symlink_metadata().is_ok_and(|meta| meta.is_symlink());
            // A link whose file is gone: the slide no longer has that module.
            if is_link && !link.exists() {
                fs::remove_file(&link)
                    .map_err(|err| format!("cannot remove {}: {err}", link.display()))?;
                changed.push(format!(
                    "removed {}: the slide has no such file",
                    own_dir.join(&name).display()
                ));
            }
        }
        Ok(changed)
    }
}

/// The names of the `.rs` files (and links) in `dir`, sorted.
fn rs_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        fs::read_dir(dir).map_err(|err| format!("cannot list {}: {err}", dir.display()))?;
    let mut names: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| PathBuf::from(entry.file_name()))
        .filter(|name| name.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    names.sort();
    Ok(names)
}
