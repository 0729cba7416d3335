//! The words of BENCHMARKS.md. They live in `notes.md`, beside this crate's Cargo.toml, so that
//! the code computes figures and the notes say what they mean. A note runs from its
//! `<!-- name -->` line to the next; each `{key}` in it is filled with a figure of this run.

use std::fmt::Display;

const NOTES: &str = include_str!("../notes.md");

/// A note being filled in: `note("talk.intro").with("requests", 50).text()`.
pub struct Note {
    name: &'static str,
    values: Vec<(&'static str, String)>,
}

/// The note called `name`, to be filled in.
pub fn note(name: &'static str) -> Note {
    Note {
        name,
        values: Vec::new(),
    }
}

impl Note {
    /// Fills `{key}` with `value`.
    pub fn with(mut self, key: &'static str, value: impl Display) -> Note {
        self.values.push((key, value.to_string()));
        self
    }

    /// The note with its keys filled, its wrapped lines joined into paragraphs.
    pub fn text(self) -> String {
        match sections().find(|(found, _)| *found == self.name) {
            Some((_, template)) => fill(&join_lines(template), &self.values),
            None => format!("(notes.md has no note `{}`)", self.name),
        }
    }
}

/// Every note: its name and its text, in the file's order.
fn sections() -> impl Iterator<Item = (&'static str, &'static str)> {
    NOTES.split("<!-- ").skip(1).filter_map(|part| {
        let (name, text) = part.split_once(" -->")?;
        (!name.contains(char::is_whitespace)).then(|| (name, text.trim()))
    })
}

/// Lines of one paragraph joined with spaces; a blank line still ends a paragraph, and a line
/// that starts with `- ` still starts a list item.
fn join_lines(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = true;
            continue;
        }
        if !out.is_empty() {
            out.push_str(match (blank, line.starts_with("- ")) {
                (true, _) => "\n\n",
                (false, true) => "\n",
                (false, false) => " ",
            });
        }
        out.push_str(line);
        blank = false;
    }
    out
}

/// `template` with each `{key}` that `values` names replaced by its value, in one pass, so
/// that a figure holding braces (a path) is never read as a key.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let known = after
            .split_once('}')
            .and_then(|(key, _)| values.iter().find(|(name, _)| *name == key));
        match known {
            Some((key, value)) => {
                out.push_str(value);
                rest = &after[key.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out + rest
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every source file that asks for notes.
    const SOURCES: &[&str] = &[
        include_str!("quiet.rs"),
        include_str!("report.rs"),
        include_str!("clients.rs"),
        include_str!("scenarios/cpu.rs"),
        include_str!("scenarios/enqueue.rs"),
        include_str!("judge.rs"),
        include_str!("scenarios/heap.rs"),
        include_str!("scenarios/instructions.rs"),
        include_str!("scenarios/memory.rs"),
        include_str!("scenarios/overhead.rs"),
        include_str!("scenarios/scale.rs"),
        include_str!("scenarios/talk.rs"),
    ];

    fn asked_for() -> Vec<&'static str> {
        SOURCES
            .iter()
            .flat_map(|source| source.split("note(\"").skip(1))
            .filter_map(|rest| rest.split_once('"').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_note_the_code_asks_for_is_written_once() {
        let asked = asked_for();
        assert!(asked.len() > 20, "{asked:?}");
        for name in asked {
            let written = sections().filter(|(found, _)| *found == name).count();
            assert_eq!(written, 1, "note `{name}` is in notes.md {written} times");
        }
    }

    #[test]
    fn every_written_note_is_used() {
        let asked = asked_for();
        for (name, _) in sections() {
            assert!(asked.contains(&name), "notes.md: `{name}` is used nowhere");
        }
    }

    #[test]
    fn wrapped_lines_become_paragraphs_and_list_items() {
        let written = "  One paragraph,\nwrapped.\n\n\nNext:\n- one\n- two,\n  wrapped\n";
        assert_eq!(
            join_lines(written),
            "One paragraph, wrapped.\n\nNext:\n- one\n- two, wrapped"
        );
    }

    #[test]
    fn keys_are_filled_once_and_unknown_ones_left_alone() {
        let values = [("n", "50".to_owned()), ("path", "/tmp/{n}".to_owned())];
        assert_eq!(
            fill("{n} requests, logs in {path}; {unknown} {", &values),
            "50 requests, logs in /tmp/{n}; {unknown} {"
        );
    }

    #[test]
    fn a_missing_note_says_so() {
        assert_eq!(
            note("no.such.note").text(),
            "(notes.md has no note `no.such.note`)"
        );
    }
}
