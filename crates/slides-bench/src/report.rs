//! BENCHMARKS.md: the machine, the method, the goals at a glance, then one section per
//! scenario. Everything in it is measured by this run; nothing is carried over from another.

use std::fs;
use std::path::Path;

use crate::bench::{Bench, LONG_RUNS};
use crate::machine::Machine;
use crate::merge::merge;
use crate::notes::{Note, note};
use crate::scenarios;
use crate::section::{Section, goals_table};

pub struct Report<'a> {
    pub command: &'a str,
    pub machine: &'a Machine,
    /// Whether the machine was quiet before the start (see `quiet.rs`).
    pub quiet: &'a str,
    pub bench: &'a Bench,
    pub sections: &'a [Section],
}

pub fn render(report: &Report) -> String {
    let bench = report.bench;
    let mut out = String::from("# Benchmarks\n\n");
    if bench.smoke {
        out += &(note("report.smoke").text() + "\n\n");
    }
    out += &(note("report.intro").text() + "\n\n");
    out += &format!("```sh\n{}\n```\n\n", report.command);
    // What the machine is, and what it was doing before the start.
    let facts = report.machine.facts.iter();
    let machine = facts.fold(note("report.machine"), |note, (key, value)| {
        note.with(key, value)
    });
    out += &format!("## Machine\n\n{}\n\n", with_build(machine, report).text());
    let method = note("report.method")
        .with("runs", bench.runs)
        .with("long_runs", bench.runs.min(LONG_RUNS))
        .with("work", bench.work.display());
    out += &format!("## Method\n\n{}\n\n", method.text());
    if !bench.smoke {
        out += &format!("## Goals\n\n{}", goals_table(report.sections).markdown());
    }
    for section in report.sections {
        out += &section.markdown();
    }
    out
}

/// Writes the report to `out`. With `ran` naming the scenarios run, when they are not all of
/// them, their sections go into the full report already there (see `merge.rs`) if there is one.
pub fn write(out: &Path, report: &Report, ran: &[&str]) -> Result<(), String> {
    let existing = fs::read_to_string(out).ok().filter(|_| !ran.is_empty());
    let merged = existing.and_then(|existing| merge_into(&existing, report, ran));
    let wrote = if merged.is_some() {
        "merged into"
    } else {
        "wrote"
    };
    let text = merged.unwrap_or_else(|| render(report));
    if let Some(dir) = out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    }
    fs::write(out, text).map_err(|err| format!("cannot write {}: {err}", out.display()))?;
    println!("==> {wrote} {}", out.display());
    Ok(())
}

/// The report already written in `existing`, with this run's sections in place of their old
/// ones; `None` if `existing` is not a full report, to be written anew.
fn merge_into(existing: &str, report: &Report, ran: &[&str]) -> Option<String> {
    // Each section says how it was measured, with its own command, commit and machine: the
    // report's header tells of the earlier run.
    let alone = note("report.measured-alone").with("command", report.command);
    let alone = with_build(alone, report).text();
    let mut sections = report.sections.to_vec();
    sections
        .iter_mut()
        .for_each(|section| section.note(alone.clone()));
    let order: Vec<&str> = scenarios::ALL.iter().map(|s| s.name).collect();
    merge(existing, &sections, ran, &order)
}

/// `note` with the commit measured, the build the slides came from (as the directory they were
/// found in says) and whether the machine was quiet before the start.
fn with_build(note: Note, report: &Report) -> Note {
    let bin = report.bench.bins.dir();
    let built = ["release", "debug"]
        .into_iter()
        .find(|profile| bin.ends_with(profile));
    note.with("commit", &report.machine.commit)
        .with("profile", built.unwrap_or("as found"))
        .with("quiet", report.quiet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::section::Goal;

    #[test]
    fn a_smoke_report_has_every_figure_filled_in_and_judges_no_goal() {
        let facts = [
            ("cpu", "AMD EPYC"),
            ("cores", "2"),
            ("memory", "23.5"),
            ("kernel", "6.18"),
            ("rustc", "rustc 1.95.0"),
            ("wrk", "not installed"),
            ("h2load", "not installed"),
            ("valgrind", "not installed"),
            ("redis", "Redis server v=7.0.15"),
            ("soft", "20000"),
            ("hard", "20000"),
            ("somaxconn", "4096"),
            ("ports", "32768–60999"),
        ];
        let machine = Machine {
            commit: "6e62258".into(),
            facts: facts
                .into_iter()
                .map(|(key, value)| (key, value.into()))
                .collect(),
        };
        let quiet = "did not wait for a quiet machine";
        let bench = Bench {
            bins: lab::Binaries::in_dir("target/debug"),
            cores: 2,
            work: "target/bench/smoke".into(),
            smoke: true,
            runs: 1,
        };
        let mut section = Section::new("1. The talk", "Intro.".into(), vec![], "model | wall");
        section.row(vec!["sync".into(), "0.251 s".into()]);
        section.goals.push(Goal::judge(
            "talk: sync".into(),
            "1.00".into(),
            None,
            true,
            String::new,
        ));
        let text = render(&Report {
            command: "scripts/bench.sh --smoke",
            machine: &machine,
            quiet,
            bench: &bench,
            sections: &[section],
        });
        assert!(text.starts_with("# Benchmarks\n\n**A smoke run** (`--smoke`): every scenario"));
        assert!(text.contains("\n- Open files (ulimit -n): 20000 soft, 20000 hard; "));
        assert!(text.contains("- Commit measured: 6e62258 (debug build)\n"));
        assert!(text.contains(
            "- Before the start: did not wait for a quiet machine.\n\n## Method\n\n\
             - Each figure is the **median of 1 run(s)** (at most 1 for a case"
        ));
        assert!(text.contains("Logs of every run: `target/bench/smoke`.\n\n## 1. The talk\n"));
        assert!(!text.contains("## Goals"));
        assert!(text.ends_with("| model | wall |\n|---|---|\n| sync | 0.251 s |\n\n"));
        assert!(!text.contains('{'), "a key left unfilled:\n{text}");
    }
}
