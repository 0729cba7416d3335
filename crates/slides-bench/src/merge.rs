//! `--only`: the scenarios that ran replace their own sections of the report already written,
//! and their own rows of its goals table; every other section stays as it was measured. The
//! header (machine, method) stays the full run's; each merged section says how it was measured.

use crate::section::{Section, goals_table};

/// `existing` with `sections` merged in, or `None` if `existing` is not a full report to merge
/// into (no report, a smoke run's, or one without a goals table): then the caller writes anew.
/// `ran` names the scenarios that ran, `order` every scenario in the report's order; each goal
/// begins with its scenario's name ("cpu: ").
pub fn merge(existing: &str, sections: &[Section], ran: &[&str], order: &[&str]) -> Option<String> {
    if !existing.starts_with("# Benchmarks") || existing.contains("**A smoke run**") {
        return None;
    }
    let mut blocks = blocks(existing);
    let goals = blocks.iter_mut().find(|block| block.title == "Goals")?;
    goals.text = merged_goals(&goals.text, sections, ran, order)?;
    for section in sections {
        let fresh = Block {
            title: section.title.clone(),
            text: section.markdown(),
        };
        match blocks.iter().position(|block| block.title == section.title) {
            Some(at) => blocks[at] = fresh,
            None => {
                // Numbered sections stay in order: before the first with a higher number.
                let number = number(&section.title);
                let later = |block: &Block| number.is_some() && number < self::number(&block.title);
                let at = blocks.iter().position(later).unwrap_or(blocks.len());
                blocks.insert(at, fresh);
            }
        }
    }
    Some(blocks.into_iter().map(|block| block.text).collect())
}

/// A part of the report: the text before the first `## ` heading (untitled), or a heading and
/// everything up to the next.
#[derive(Default)]
struct Block {
    title: String,
    text: String,
}

fn blocks(report: &str) -> Vec<Block> {
    let mut blocks = vec![Block::default()];
    for line in report.split_inclusive('\n') {
        if let Some(title) = line.strip_prefix("## ") {
            blocks.push(Block {
                title: title.trim().to_owned(),
                text: String::new(),
            });
        }
        if let Some(block) = blocks.last_mut() {
            block.text.push_str(line);
        }
    }
    blocks
}

/// The leading number of a section's title: 6 for "6. CPU-bound work".
fn number(title: &str) -> Option<u32> {
    title.split_once(". ")?.0.parse().ok()
}

/// The goals table with the rows of the scenarios that ran replaced by their new ones, every row
/// in its scenario's place in `order` (a row of no scenario there goes last).
fn merged_goals(text: &str, sections: &[Section], ran: &[&str], order: &[&str]) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first_row = lines.iter().position(|line| line.starts_with("|---"))? + 1;
    let end = lines[first_row..]
        .iter()
        .position(|line| !line.starts_with("| "))
        .map_or(lines.len(), |n| first_row + n);
    let scenario_of = |row: &str| {
        let goal = row.trim_start_matches("| ");
        goal.split_once(": ").map(|(name, _)| name.to_owned())
    };
    let mut rows: Vec<String> = lines[first_row..end]
        .iter()
        .filter(|row| scenario_of(row).is_none_or(|name| !ran.contains(&name.as_str())))
        .map(|row| row.to_string())
        .collect();
    let fresh = goals_table(sections).markdown();
    // The new rows, without their table's header and separator.
    let fresh = fresh.lines().skip(2).filter(|line| line.starts_with("| "));
    rows.extend(fresh.map(|line| format!("{line}\n")));
    // Stable: within a scenario, its goals keep their order.
    rows.sort_by_key(|row| {
        scenario_of(row)
            .and_then(|name| order.iter().position(|known| *known == name))
            .unwrap_or(order.len())
    });
    let mut out: String = lines[..first_row].concat();
    out.extend(rows);
    out.push_str(&lines[end..].concat());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::section::Goal;

    const REPORT: &str = "\
# Benchmarks

Intro.

## Machine

- CPU: test

## Goals

| goal | met | measured | why not |
|---|---|---|---|
| talk: sync | yes | 1.00 |  |
| cpu: old | **no** | 0.9 | slow |
| enqueue: 50 jobs | yes | 0.45 ms |  |

## 1. The talk

Talk figures.

## 5. Queue enqueue

Enqueue figures.

";

    const ORDER: &[&str] = &["talk", "scale", "overhead", "memory", "enqueue", "cpu"];

    fn section(title: &str, goal: &str) -> Section {
        let mut section = Section::new(title, "Fresh.".into(), vec![], "model | wall");
        section.row(vec!["threads".into(), "0.5 s".into()]);
        section.goals.push(Goal::judge(
            goal.into(),
            "0.50".into(),
            None,
            true,
            String::new,
        ));
        section
    }

    #[test]
    fn a_new_scenario_goes_after_the_sections_before_it() {
        let fresh = [section("6. CPU-bound work", "cpu: new")];
        let merged = merge(REPORT, &fresh, &["cpu"], ORDER).unwrap();
        assert!(merged.starts_with("# Benchmarks\n\nIntro.\n\n## Machine\n\n- CPU: test\n"));
        assert!(merged.contains(
            "| talk: sync | yes | 1.00 |  |\n| enqueue: 50 jobs | yes | 0.45 ms |  |\n\
             | cpu: new | yes | 0.50 |  |\n\n## 1. The talk\n"
        ));
        assert!(!merged.contains("cpu: old"));
        assert!(
            merged.contains("## 5. Queue enqueue\n\nEnqueue figures.\n\n## 6. CPU-bound work\n")
        );
        assert!(merged.ends_with("| threads | 0.5 s |\n\n"));
    }

    #[test]
    fn a_scenario_run_again_replaces_its_own_section_and_no_other() {
        let fresh = [section("1. The talk", "talk: sync")];
        // Its goal keeps the place of the one it replaces, first.
        let merged = merge(REPORT, &fresh, &["talk"], ORDER).unwrap();
        assert!(merged.contains("## 1. The talk\n\nFresh.\n"));
        assert!(!merged.contains("Talk figures."));
        assert!(merged.contains("## 5. Queue enqueue\n\nEnqueue figures.\n"));
        assert!(merged.contains("| cpu: old |"));
        assert_eq!(merged.matches("| talk: sync |").count(), 1);
        assert!(merged.contains("|---|---|---|---|\n| talk: sync | yes | 0.50 |  |\n"));
        assert!(merged.find("## 1. The talk") < merged.find("## 5. Queue enqueue"));
    }

    #[test]
    fn a_smoke_report_or_none_at_all_is_written_anew() {
        let fresh = [section("6. CPU-bound work", "cpu: new")];
        assert!(merge("", &fresh, &["cpu"], ORDER).is_none());
        let smoke = "# Benchmarks\n\n**A smoke run** (`--smoke`): …\n";
        assert!(merge(smoke, &fresh, &["cpu"], ORDER).is_none());
    }
}
