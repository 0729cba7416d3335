//! The workshop's exercises. Each is its slide with one function's body left blank between two ✎
//! lines, and the slide's other modules found by `#[path]`, so its solution is the slide, byte
//! for byte but for those paths, and cannot drift from it. And
//! `scripts/exercise.sh check` judges from outside: a blank fails with "not written yet", a loop
//! dressed up as threads fails on the requests in flight, threads inside tokio fail on the
//! threads, each with its hint, and every slide's own code passes.
//!
//! Everything here writes into the exercises' files, so it is one test (the tests of a file run
//! in parallel), and a guard puts every file back however the test ends.

mod support;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use support::{root, stderr, stdout};

/// Each exercise: its name, the file to edit, the slide's file it is a blank of, and the
/// function whose body is the lesson, as the runner names it.
const EXERCISES: [(&str, &str, &str, &str); 6] = [
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

/// A sequential loop dressed up as threads: each thread is waited for before the next starts.
const THREADS_ONE_AT_A_TIME: &str = "    let clock = report.clock();
    for index in 1..=flags.requests {
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let fetch = || retry::blocking(flags.retries, || fetch_one(client, flags));
                report.record(clock.time(index, fetch));
            });
        });
    }
";

/// A future per request, whatever `futures` says: right at the default width, wrong at any
/// other.
const TOKIO_IGNORING_FUTURES: &str = "    let clock = report.clock();
    let one = async |index| {
        let fetch = retry::non_blocking(flags.retries, || fetch_one(client, flags), sleep);
        report.record(clock.time_async(index, fetch).await);
    };
    future::join_all((1..=flags.requests).map(one)).await;
";

/// Threads that borrow what they may outlive: std::thread::spawn wants `'static`.
const THREADS_UNSCOPED: &str = "    let clock = report.clock();
    let handles: Vec<_> = (1..=flags.requests)
        .map(|index| {
            std::thread::spawn(move || {
                let fetch = || retry::blocking(flags.retries, || fetch_one(client, flags));
                report.record(clock.time(index, fetch));
            })
        })
        .collect();
    for handle in handles {
        let _ = handle.join();
    }
";

/// All the requests in flight at once, but on threads, each with an event loop of its own.
const TOKIO_ON_THREADS: &str = "    let clock = report.clock();
    let next = AtomicUsize::new(1);
    let take_next = || Some(next.fetch_add(1, Ordering::Relaxed)).filter(|&i| i <= flags.requests);
    std::thread::scope(|scope| {
        for _ in 0..futures {
            scope.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                let Ok(runtime) = runtime else { return };
                runtime.block_on(async {
                    while let Some(index) = take_next() {
                        let fetch =
                            retry::non_blocking(flags.retries, || fetch_one(client, flags), sleep);
                        report.record(clock.time_async(index, fetch).await);
                    }
                });
            });
        }
    });
";

#[test]
fn blanks_and_wrong_models_fail_with_a_hint_and_every_slide_passes() {
    let restore = Restore::everything();
    the_runner_knows_every_exercise_folder();
    the_exercises_take_the_talks_dependencies();
    for (name, file, slide, _) in EXERCISES {
        the_exercise_owns_its_files_and_finds_the_slides_by_path(name, file, slide);
        each_blank_is_its_slide_with_only_the_lesson_marked_out(&restore, name, file, slide);
    }

    for (name, _, slide, lesson) in EXERCISES {
        hints_come_one_at_a_time_and_never_give_the_code(&restore, name, slide, lesson);
    }

    for (name, file, _, lesson) in EXERCISES {
        let output = restore.exercise(&["check", name]);
        let open = format!("`{lesson}` still says todo!() — open {file} (hint: ");
        failing_line(&output, "not written yet", &open);
    }

    restore.write_lesson("exercises/06-threads/src/main.rs", THREADS_ONE_AT_A_TIME);
    let output = restore.exercise(&["check", "threads"]);
    failing_line(
        &output,
        "the server never saw more than 1 request in flight",
        "(hint: start the threads before you wait for any of them)",
    );

    restore.exercise(&["reset", "threads"]);
    restore.write_lesson("exercises/06-threads/src/main.rs", THREADS_UNSCOPED);
    let output = restore.exercise(&["check", "threads"]);
    failing_line(&output, "it does not compile", "thread::scope");

    restore.write_lesson("exercises/07-tokio/src/main.rs", TOKIO_IGNORING_FUTURES);
    let output = restore.exercise(&["check", "tokio"]);
    failing_line(
        &output,
        "with --concurrency 5, the server still saw 20 requests in flight at once",
        "(hint: start `futures` futures",
    );
    assert!(
        stdout(&output).contains("✓ the server had 20 requests in flight at once"),
        "{}",
        stdout(&output)
    );

    restore.exercise(&["reset", "tokio"]);
    restore.write_lesson("exercises/07-tokio/src/main.rs", TOKIO_ON_THREADS);
    let output = restore.exercise(&["check", "tokio"]);
    let line = failing_line(
        &output,
        "threads while 20 requests were in flight",
        "(hint: ",
    );
    assert!(line.contains("no std::thread"), "{line}");
    // The requests were all in flight: it is the threads that give it away, not the server.
    assert!(
        stdout(&output).contains("✓ the server had 20 requests in flight at once"),
        "{}",
        stdout(&output)
    );

    for (name, file, slide, _) in EXERCISES {
        restore.exercise(&["solve", name, "--yes"]);
        assert!(
            without_paths(&read(file)) == read(slide),
            "{name}: solved, {file} is not {slide}, but for its `#[path]` lines"
        );
    }
    build_every_exercise();
    for (name, _, _, _) in EXERCISES {
        let output = restore.exercise(&["check", name]);
        let text = stdout(&output);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {text}{}",
            stderr(&output)
        );
        assert!(!text.contains('✗'), "{name}: {text}");
        assert!(text.matches('✓').count() >= 4, "{name}: {text}");
    }
    let list = stdout(&exercise(&["list"]));
    assert_eq!(list.matches("✓ passing").count(), EXERCISES.len(), "{list}");

    for (name, file, _, _) in EXERCISES {
        restore.exercise(&["reset", name]);
        assert!(read(file).contains("todo!("), "{name}: reset gave no blank");
    }
    let list = stdout(&exercise(&["list"]));
    assert_eq!(
        list.matches("· not started").count(),
        EXERCISES.len(),
        "{list}"
    );
    assert!(list.contains("Next: sync."), "{list}");
}

/// `hint` gives one hint more each time, then all of them again; none holds a line of the
/// slide's lesson.
fn hints_come_one_at_a_time_and_never_give_the_code(
    restore: &Restore,
    name: &str,
    slide: &str,
    lesson: &str,
) {
    // From the first hint, whatever was shown before (the guard puts that memo back).
    let memo = restore.state.join("hints.json");
    let _ = fs::remove_file(&memo);
    restore.note(&[memo]);
    let mut seen = Vec::new();
    loop {
        let output = restore.exercise(&["hint", name]);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stdout(&output);
        if text.starts_with("All ") {
            assert!(seen.len() >= 2, "{name}: only {} hints", seen.len());
            assert!(text.contains(&format!("solve {name}")), "{text}");
            break;
        }
        let first = text.lines().next().unwrap_or_default().to_owned();
        let expected = format!("Hint {} of ", seen.len() + 1);
        assert!(first.starts_with(&expected), "{name}: {text}");
        assert!(seen.len() < 10, "{name}: hints without end");
        seen.push(first);
    }
    // The lesson's own lines, those long enough to be code rather than a brace.
    let slide_text = read(slide);
    let name_only = lesson.rsplit("::").next().unwrap_or(lesson);
    let code: Vec<&str> = slide_text
        .split(&format!("fn {name_only}("))
        .nth(1)
        .unwrap_or_default()
        .lines()
        .skip(1)
        .take_while(|line| !line.starts_with('}') && *line != "    }")
        .map(str::trim)
        .filter(|line| line.len() > 24 && !line.starts_with("//"))
        .collect();
    assert!(code.len() > 2, "{slide}: no lesson found for {lesson}");
    for hint in &seen {
        for line in &code {
            assert!(
                !hint.contains(line),
                "{name}: a hint gives the code {line:?}"
            );
        }
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

/// `text` without the `#[path = …]` lines a blank adds to the slide's `mod` lines.
fn without_paths(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|line| !line.starts_with("#[path = "))
        .collect()
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

/// The text before the first line with a ✎ and after the last one.
fn around_the_marks(text: &str) -> (&str, &str) {
    let first = text.find('✎').expect("a ✎ line");
    let last = text.rfind('✎').expect("a ✎ line");
    let start = text[..first].rfind('\n').map_or(0, |n| n + 1);
    let end = text[last..].find('\n').map_or(text.len(), |n| last + n + 1);
    (&text[..start], &text[end..])
}

/// The line of `output` that fails (✗) and says `says`; it must also hold `hint`.
fn failing_line(output: &Output, says: &str, hint: &str) -> String {
    let text = stdout(output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(output));
    let line = text
        .lines()
        .find(|line| line.starts_with('✗') && line.contains(says))
        .unwrap_or_else(|| panic!("no ✗ line says {says:?}: {text}"));
    assert!(line.contains(hint), "{line:?} should hold {hint:?}");
    line.to_owned()
}

/// One build of every exercise, as `scripts/exercise.sh build` makes it, so that the checks
/// after it build nothing.
fn build_every_exercise() {
    let output = exercise(&["build"]);
    assert!(
        output.status.success(),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
}

/// `scripts/exercise.sh ARGS`: the runner the script runs.
fn exercise(args: &[&str]) -> Output {
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

fn read(file: &str) -> String {
    fs::read_to_string(root().join(file)).unwrap_or_else(|err| panic!("{file}: {err}"))
}

/// The exercises' files as this test found them, put back when dropped, however the test ends:
/// each one that still holds what this test last wrote there. A file someone changed meanwhile
/// (a blank made again from a slide that changed) holds their change, and keeps it.
struct Restore {
    files: Vec<Tracked>,
    /// What `target/exercises/` held, so that what the runner kept meanwhile goes again.
    state: PathBuf,
    state_before: BTreeSet<PathBuf>,
}

struct Tracked {
    path: PathBuf,
    found: Option<Vec<u8>>,
    /// What this test last left in it, if it has changed it.
    ours: RefCell<Option<Option<Vec<u8>>>>,
}

impl Restore {
    fn everything() -> Restore {
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
    fn exercise(&self, args: &[&str]) -> Output {
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
    fn write_lesson(&self, file: &str, body: &str) {
        let text = read(file);
        let (before, after) = around_the_marks(&text);
        let written = fs::write(root().join(file), format!("{before}{body}{after}"));
        self.note(&[root().join(file)]);
        written.expect("write the exercise");
    }

    /// Takes what `paths` hold now as this test's own doing.
    fn note(&self, paths: &[PathBuf]) {
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
fn paths_under(dir: &Path) -> BTreeSet<PathBuf> {
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
