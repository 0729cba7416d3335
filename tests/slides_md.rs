//! slides.md stays true: every command in its shell blocks names a package, binary, script and
//! flags that exist, and every runnable slide's section shows how to run it.

mod support;

use std::collections::BTreeMap;
use std::process::Command;

use support::root;

/// Commands slides.md may show that are not ours to check.
const OTHER_COMMANDS: &[&str] = &["curl", "redis-cli", "redis-server", "diff", "wait", "done"];

/// slides.md's sections: heading → the lines of its `sh` code blocks.
fn shell_blocks() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("slides.md")).expect("slides.md exists");
    let mut sections = BTreeMap::new();
    let mut heading = String::new();
    let mut in_shell = false;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            heading = title.to_owned();
            sections.entry(heading.clone()).or_insert_with(Vec::new);
        } else if line.starts_with("```") {
            in_shell = !in_shell && line.trim_start_matches('`').trim() == "sh";
        } else if in_shell {
            let command = line.split(" #").next().unwrap_or("").trim();
            if !command.is_empty() && !command.starts_with('#') {
                sections
                    .entry(heading.clone())
                    .or_default()
                    .push(command.to_owned());
            }
        }
    }
    sections
}

/// The workspace's binaries: every `src/main.rs` and `src/bin/*.rs` under crates/.
fn binaries() -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .flatten()
    {
        let package = entry.file_name().to_string_lossy().into_owned();
        if entry.path().join("src/main.rs").exists() {
            found.insert(package.clone(), package.clone());
        }
        if let Ok(bins) = std::fs::read_dir(entry.path().join("src/bin")) {
            for bin in bins.flatten() {
                let name = bin
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned();
                found.insert(name, package.clone());
            }
        }
    }
    found
}

/// What `--help` says, for a binary of ours or a script.
fn help(program: &str) -> String {
    let path = if program.starts_with("scripts/") {
        root().join(program)
    } else {
        support::bin(program)
    };
    let mut command = Command::new(path);
    // run-all.sh builds lab to ask it: the debug build, which the tests have.
    if program == "scripts/run-all.sh" {
        command.arg("--debug");
    }
    let output = command.arg("--help").output().expect("--help runs");
    assert!(output.status.success(), "{program} --help failed");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Checks one command line; returns what is wrong with it, if anything.
fn check(line: &str, binaries: &BTreeMap<String, String>) -> Result<(), String> {
    // `for i in 1 2 3 4; do slide04-sync -n 13 & done; wait` — check each command in it.
    let parts: Vec<&str> = line
        .split(['&', ';', '|'])
        .map(|part| part.trim().trim_start_matches("do ").trim())
        .filter(|part| !part.is_empty() && !part.starts_with("for "))
        .collect();
    for part in parts {
        let words: Vec<&str> = part
            .split_whitespace()
            .skip_while(|word| word.contains('=') && !word.starts_with('-'))
            .collect();
        let Some(&first) = words.first() else {
            continue;
        };
        let (program, flags): (String, Vec<&str>) = if first == "cargo" {
            if !matches!(words.get(1), Some(&("run" | "build" | "fetch" | "test"))) {
                return Err(format!("unexpected cargo command in {line:?}"));
            }
            let package = words
                .iter()
                .position(|w| *w == "-p")
                .and_then(|i| words.get(i + 1));
            let bin = words
                .iter()
                .position(|w| *w == "--bin")
                .and_then(|i| words.get(i + 1));
            let Some(program) = bin.or(package) else {
                continue;
            };
            if !binaries.contains_key(*program) {
                return Err(format!("no binary or package {program} in {line:?}"));
            }
            let after = words
                .iter()
                .position(|w| *w == "--")
                .map_or(words.len(), |i| i + 1);
            (program.to_string(), words[after..].to_vec())
        } else if first.starts_with("scripts/") {
            if !root().join(first).exists() {
                return Err(format!("no script {first} in {line:?}"));
            }
            (first.to_owned(), words[1..].to_vec())
        } else {
            let name = first.rsplit('/').next().unwrap_or(first);
            if binaries.contains_key(name) {
                (name.to_owned(), words[1..].to_vec())
            } else if OTHER_COMMANDS.contains(&name) {
                continue;
            } else {
                return Err(format!("unknown command {first} in {line:?}"));
            }
        };
        let help = help(&program);
        for flag in flags.iter().filter(|w| w.starts_with('-') && **w != "-") {
            let flag = flag.split('=').next().unwrap_or(flag);
            let known = help
                .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
                .any(|word| word == flag);
            if !known {
                return Err(format!("{program} has no flag {flag} (in {line:?})"));
            }
        }
    }
    Ok(())
}

#[test]
fn every_command_in_slides_md_exists_with_its_flags() {
    let binaries = binaries();
    let mut wrong = Vec::new();
    for (section, lines) in shell_blocks() {
        for line in lines {
            if let Err(why) = check(&line, &binaries) {
                wrong.push(format!("{section}: {why}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "slides.md is out of date:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_runnable_slide_shows_a_command() {
    let sections = shell_blocks();
    // Every runnable slide of the talk's one list has its section, by number: "7b. …".
    for slide in lab::talk::SLIDES {
        let number = format!("{}.", slide.number);
        let Some((title, lines)) = sections
            .iter()
            .find(|(title, _)| title.starts_with(&format!("{number} ")))
        else {
            panic!("slides.md has no section {number}");
        };
        assert!(!lines.is_empty(), "section {title:?} shows no command");
    }
}

#[test]
fn the_checker_catches_what_is_wrong() {
    let binaries = binaries();
    assert!(
        check(
            "cargo run --release -p slide04-sync -- --requests 5",
            &binaries
        )
        .is_ok()
    );
    assert!(
        check(
            "cargo run --release -p slide04-sync -- --no-such-flag",
            &binaries
        )
        .is_err()
    );
    assert!(check("cargo run --release -p no-such-slide", &binaries).is_err());
    assert!(check("scripts/no-such.sh", &binaries).is_err());
    assert!(check("frobnicate --now", &binaries).is_err());
    assert!(
        check(
            "for i in 1 2; do slide04-sync -n 13 & done; wait",
            &binaries
        )
        .is_ok()
    );
}
