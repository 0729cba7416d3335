//! `scripts/exercise.sh`, the exercises' runner, judges from outside: a blank fails with "not
//! written yet", a loop dressed up as threads fails on the requests in flight, threads inside
//! tokio fail on the threads, each with its hint; `hint` gives one hint at a time and never the
//! code; and every slide's own code passes, which `list` then shows.
//!
//! Everything here writes into the exercises' files or the runner's memos, so it is one test
//! (the tests of a file run in parallel), and a guard puts every file back however it ends.

mod support;

use std::fs;
use std::process::Output;

use support::exercises::{EXERCISES, Restore, exercise, read};
use support::{stderr, stdout};

/// A sequential loop dressed up as threads: each thread is waited for before the next starts.
const THREADS_ONE_AT_A_TIME: &str = "    let clock = report.clock();
    for index in 1..=flags.requests {
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let client = Agent::new_with_config(common::ureq_config(flags.timeout).build());
                let fetch = || retry::blocking(flags.retries, || fetch_one(&client, flags));
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
                let client = Agent::new_with_config(common::ureq_config(flags.timeout).build());
                let fetch = || retry::blocking(flags.retries, || fetch_one(&client, flags));
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
    // From the blanks, whatever the files held (the guard puts that back).
    for (name, _, _, _) in EXERCISES {
        restore.exercise(&["reset", name]);
    }
    for (name, _, slide, lesson) in EXERCISES {
        hints_come_one_at_a_time_and_never_give_the_code(&restore, name, slide, lesson);
    }

    for (name, file, _, lesson) in EXERCISES {
        let output = restore.exercise(&["check", name]);
        let open = format!("`{lesson}` still says todo!() — open {file} (hint: ");
        failing_line(&output, "not written yet", &open);
    }

    written_fails(
        &restore,
        ("threads", THREADS_ONE_AT_A_TIME),
        "the server never saw more than 1 request in flight",
        "(hint: start the threads before you wait for any of them)",
    );

    restore.exercise(&["reset", "threads"]);
    let unscoped = ("threads", THREADS_UNSCOPED);
    written_fails(&restore, unscoped, "it does not compile", "thread::scope");

    let (text, _) = written_fails(
        &restore,
        ("tokio", TOKIO_IGNORING_FUTURES),
        "with --concurrency 5, the server still saw 20 requests in flight at once",
        "(hint: start `futures` futures",
    );
    let all_in_flight = "✓ the server had 20 requests in flight at once";
    assert!(text.contains(all_in_flight), "{text}");

    restore.exercise(&["reset", "tokio"]);
    let (text, line) = written_fails(
        &restore,
        ("tokio", TOKIO_ON_THREADS),
        "threads while 20 requests were in flight",
        "(hint: ",
    );
    assert!(line.contains("no std::thread"), "{line}");
    // The requests were all in flight: it is the threads that give it away, not the server.
    assert!(text.contains(all_in_flight), "{text}");

    for (name, _, _, _) in EXERCISES {
        restore.exercise(&["solve", name, "--yes"]);
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

    for (name, _, _, _) in EXERCISES {
        restore.exercise(&["reset", name]);
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

/// Writes `body` as the lesson of the exercise `name` and checks it: it fails, on a ✗ line that
/// says `says` and holds `hint`. Gives what the check printed, and that line.
fn written_fails(
    restore: &Restore,
    (name, body): (&str, &str),
    says: &str,
    hint: &str,
) -> (String, String) {
    let file = EXERCISES
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, f, ..)| *f);
    restore.write_lesson(file.expect("an exercise of that name"), body);
    let output = restore.exercise(&["check", name]);
    let line = failing_line(&output, says, hint);
    (stdout(&output), line)
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
