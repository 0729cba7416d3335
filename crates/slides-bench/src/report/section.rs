//! One scenario's part of the report — what it ran, its table, the goals it judged and the
//! notes that explain them — and a goal, judged.

use std::fmt::Write;

use crate::report::Table;

/// One goal of the benchmark, judged.
#[derive(Debug, Clone)]
pub struct Goal {
    pub what: String,
    pub met: bool,
    pub measured: String,
    /// Why it was missed, from the figures (empty when met).
    pub why: String,
}

impl Goal {
    pub fn met(what: String, measured: String) -> Goal {
        Goal {
            what,
            met: true,
            measured,
            why: String::new(),
        }
    }

    pub fn missed(what: String, measured: String, why: String) -> Goal {
        Goal {
            what,
            met: false,
            measured,
            why,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub intro: String,
    pub commands: Vec<String>,
    /// The scenario's table first, then any that explain it.
    pub tables: Vec<Table>,
    pub goals: Vec<Goal>,
    pub notes: Vec<String>,
    /// Runs in which requests failed or the slide refused to run: a smoke run fails on these.
    pub failures: Vec<String>,
}

impl Section {
    pub fn new(title: &str, intro: String, commands: Vec<String>, header: &str) -> Section {
        Section {
            title: title.into(),
            intro,
            commands,
            tables: vec![Table::new(String::new(), header)],
            goals: Vec::new(),
            notes: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// A row of the scenario's table.
    pub fn row(&mut self, cells: Vec<String>) {
        if let Some(table) = self.tables.first_mut() {
            table.rows.push(cells);
        }
    }

    pub fn note(&mut self, text: String) {
        self.notes.push(text);
    }

    /// The section in Markdown: its title, intro, commands, tables and notes.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "## {}\n", self.title);
        let _ = writeln!(out, "{}\n", self.intro);
        let _ = writeln!(out, "```sh");
        for command in &self.commands {
            let _ = writeln!(out, "{command}");
        }
        let _ = writeln!(out, "```\n");
        for table in &self.tables {
            out.push_str(&table.markdown());
        }
        for note in &self.notes {
            let _ = writeln!(out, "{note}\n");
        }
        out
    }
}
