//! One scenario's part of the report — what it ran, its tables, the goals it judged and the
//! notes that explain them — in Markdown.

/// A table of the report: a line above it saying what it shows, a header, rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// What the table shows; empty for a scenario's own table, which its section introduces.
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with no rows yet, its header as Markdown writes it: `"model | wall"`.
    pub fn new(caption: String, header: &str) -> Table {
        Table {
            caption,
            header: header.split(" | ").map(str::to_owned).collect(),
            rows: Vec::new(),
        }
    }

    /// The table in GitHub's Markdown, and a blank line after it. Cells are not padded to a
    /// column's width, so a figure measured again changes its own line of BENCHMARKS.md only.
    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let rows: String = self.rows.iter().map(|row| line(row)).collect();
        let rule = "---|".repeat(self.header.len());
        let caption = Some(&self.caption).filter(|caption| !caption.is_empty());
        let caption = caption.map_or_else(String::new, |caption| format!("{caption}\n\n"));
        format!("{caption}{}|{rule}\n{rows}\n", line(&self.header))
    }
}

#[derive(Debug, Clone)]
pub struct Goal {
    pub what: String,
    pub met: bool,
    pub measured: String,
    /// Why it was missed, from the figures (empty when met).
    pub why: String,
}

impl Goal {
    pub fn missed(what: String, measured: String, why: String) -> Goal {
        Goal::judge(what, measured, Some(why), false, String::new)
    }

    /// Judged from the figures: missed with `failed` (what went wrong) if requests failed, met
    /// if `met`, and otherwise missed for the reason `why` gives.
    pub fn judge(
        what: String,
        measured: String,
        failed: Option<String>,
        met: bool,
        why: impl FnOnce() -> String,
    ) -> Goal {
        let (met, why) = match failed {
            Some(failed) => (false, failed),
            None if met => (true, String::new()),
            None => (false, why()),
        };
        Goal {
            what,
            met,
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
        let commands: String = self.commands.iter().map(|c| format!("{c}\n")).collect();
        let tables: String = self.tables.iter().map(Table::markdown).collect();
        let notes: String = self
            .notes
            .iter()
            .map(|note| format!("{note}\n\n"))
            .collect();
        let (title, intro) = (&self.title, &self.intro);
        format!("## {title}\n\n{intro}\n\n```sh\n{commands}```\n\n{tables}{notes}")
    }
}

/// Every scenario's goals in one table.
pub fn goals_table(sections: &[Section]) -> Table {
    let mut table = Table::new(String::new(), "goal | met | measured | why not");
    for goal in sections.iter().flat_map(|section| &section.goals) {
        let met = if goal.met { "yes" } else { "**no**" };
        let row = [&goal.what, met, &goal.measured, &goal.why];
        table.rows.push(row.map(|cell| cell.to_owned()).to_vec());
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_in_markdown() {
        let mut table = Table::new("**Two rows.**".into(), "model | wall");
        table.rows.push(vec!["threads".into(), "1.2 s".into()]);
        table.rows.push(vec!["tokio".into(), "1.1 s".into()]);
        assert_eq!(
            table.markdown(),
            "**Two rows.**\n\n| model | wall |\n|---|---|\n| threads | 1.2 s |\n| tokio | 1.1 s |\n\n"
        );
    }
}
