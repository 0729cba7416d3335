//! The workshop's exercises, as files. Each is its slide with one function's body left blank
//! between two ✎ lines, and the slide's other modules found by `#[path]`, so its solution is the
//! slide, byte for byte but for those paths, and cannot drift from it. What the runner says of
//! them is tested in `exercise_runner.rs`.
//!
//! Everything here writes into the exercises' files, so it is one test (the tests of a file run
//! in parallel), and a guard puts every file back however the test ends.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::exercises::{
    EXERCISES, Restore, around_the_marks, exercise, paths_under, read, without_paths,
};
use support::{root, stdout};

#[test]
fn each_blank_is_its_slide_marked_out_and_each_solution_the_slide() {
    let restore = Restore::everything();
    the_runner_knows_every_exercise_folder();
    the_exercises_take_the_talks_dependencies();
    for (name, file, slide, _) in EXERCISES {
        the_exercise_owns_its_files_and_finds_the_slides_by_path(name, file, slide);
        each_blank_is_its_slide_with_only_the_lesson_marked_out(&restore, name, file, slide);
    }
    for (name, file, slide, _) in EXERCISES {
        restore.exercise(&["solve", name, "--yes"]);
        assert!(
            without_paths(&read(file)) == read(slide),
            "{name}: solved, {file} is not {slide}, but for its `#[path]` lines"
        );
        restore.exercise(&["reset", name]);
        assert!(read(file).contains("todo!("), "{name}: reset gave no blank");
    }
}

/// `path` names the file this test knows for each, and there is no folder it does not test.
fn the_runner_knows_every_exercise_folder() {
    for (name, file, _, _) in EXERCISES {
        assert_eq!(stdout(&exercise(&["path", name])).trim(), file, "{name}");
    }
    let folders: BTreeSet<String> = fs::read_dir(root().join("exercises"))
        .expect("exercises/ is there")
        .flatten()
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    let tested: BTreeSet<String> = EXERCISES
        .iter()
        .map(|(_, file, _, _)| file.split('/').nth(1).unwrap_or_default().to_owned())
        .collect();
    assert_eq!(folders, tested, "an exercise this test does not know");
}

/// The exercise's folder holds its own files, and no link: editing anything in it leaves the
/// slide as it is. What it takes from the slide, it takes by a `#[path]` on a `mod` line or by
/// its Cargo.toml, and each of those names a file of the slide's that is there.
fn the_exercise_owns_its_files_and_finds_the_slides_by_path(name: &str, file: &str, slide: &str) {
    let exercise_dir = root().join(file.split('/').take(2).collect::<Vec<_>>().join("/"));
    for path in paths_under(&exercise_dir) {
        let is_link = path.symlink_metadata().is_ok_and(|meta| meta.is_symlink());
        assert!(
            !is_link,
            "{}: a link, which an editor writes through",
            path.display()
        );
    }
    let own_dir = folder(file);
    let slide_dir = folder(slide).canonicalize().expect("the slide's folder");
    let mut found = 0;
    for line in read(file).lines() {
        let Some(path) = line
            .strip_prefix("#[path = \"")
            .and_then(|l| l.strip_suffix("\"]"))
        else {
            continue;
        };
        let target = own_dir.join(path).canonicalize();
        let target = target.unwrap_or_else(|err| panic!("{file}: {path}: {err}"));
        assert_eq!(target.parent(), Some(slide_dir.as_path()), "{file}: {path}");
        found += 1;
    }
    // Every `mod` line for another of the slide's files got its path; one that did not would
    // look for the module beside the exercise's file, and not build.
    let others = rs_files(&folder(slide), slide);
    let declared = read(file)
        .lines()
        .filter(|line| {
            let name = line.trim_start_matches("pub ").strip_prefix("mod ");
            name.and_then(|n| n.strip_suffix(';'))
                .is_some_and(|n| others.contains(&format!("{n}.rs")))
        })
        .count();
    assert_eq!(
        found, declared,
        "{file}: run scripts/exercise.sh reset {name}"
    );
}

/// The folder `file` is in, from the root.
fn folder(file: &str) -> PathBuf {
    root().join(file).parent().expect("a folder").to_path_buf()
}

/// The `.rs` files in `dir` but `but`'s own name (and the crate's roots, which are no modules).
fn rs_files(dir: &Path, but: &str) -> BTreeSet<String> {
    let skip = Path::new(but)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned());
    fs::read_dir(dir)
        .expect("the folder is there")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs") && Some(name) != skip.as_ref())
        .filter(|name| name != "main.rs" && name != "lib.rs")
        .collect()
}

/// The file as committed is what `reset` writes, and outside its ✎ lines it is the slide's,
/// byte for byte: the slide's text there, put between them, gives the slide.
fn each_blank_is_its_slide_with_only_the_lesson_marked_out(
    restore: &Restore,
    name: &str,
    file: &str,
    slide: &str,
) {
    let found = read(file);
    restore.exercise(&["reset", name]);
    let blank = read(file);
    // An attendee's own work in the file is theirs, not a stale blank (and the guard puts it
    // back): then the blank to hold to this is the one git has. CI holds the file itself to it.
    let committed = match std::env::var("CI").as_deref() {
        Ok("true") => found,
        _ if found == blank => found,
        _ => from_git(file).unwrap_or(found),
    };
    // Not assert_eq: two whole files side by side say less than the one line to run.
    assert!(
        blank == committed,
        "{file} is not the blank {slide} makes now: run scripts/exercise.sh reset {name}"
    );
    let outside = without_paths(&committed);
    let (before, after) = around_the_marks(&outside);
    let slide_text = read(slide);
    assert!(
        slide_text.starts_with(before) && slide_text.ends_with(after),
        "{file} differs from {slide} outside its ✎ lines"
    );
    let lesson = &slide_text[before.len()..slide_text.len() - after.len()];
    assert!(
        before.ends_with("{\n") && after.trim_start().starts_with('}'),
        "{file}"
    );
    assert!(
        lesson.lines().count() > 3,
        "{slide}: the lesson is {lesson:?}"
    );
    assert!(format!("{before}{lesson}{after}") == slide_text, "{file}");
}

/// `file` as git's HEAD has it, if git is there to say.
fn from_git(file: &str) -> Option<String> {
    let output = Command::new("git")
        .args(["show", &format!("HEAD:{file}")])
        .current_dir(root())
        .output()
        .ok()?;
    output.status.success().then(|| stdout(&output))
}

/// The exercises' workspace takes the talk's versions and features: each of its dependencies
/// is the line the talk's Cargo.toml has, so the two share what they compile.
fn the_exercises_take_the_talks_dependencies() {
    let talk = read("Cargo.toml");
    let exercises = read("exercises/Cargo.toml");
    let section = |text: &str, name: &str| -> Vec<String> {
        text.split(name)
            .nth(1)
            .unwrap_or_default()
            .lines()
            .skip(1)
            .take_while(|line| !line.starts_with('['))
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .map(|line| line.replace("\"../crates/", "\"crates/"))
            .collect()
    };
    let theirs = section(&talk, "[workspace.dependencies]");
    for line in section(&exercises, "[workspace.dependencies]") {
        assert!(
            theirs.contains(&line),
            "exercises/Cargo.toml: {line} is not the talk's"
        );
    }
    let theirs = section(&talk, "[workspace.package]");
    assert_eq!(section(&exercises, "[workspace.package]"), theirs);
}
