//! A table of the report in Markdown: a line above it saying what it shows, a header, rows.

use std::fmt::Write;

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

    /// The table in Markdown, and a blank line after it.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        if !self.caption.is_empty() {
            let _ = writeln!(out, "{}\n", self.caption);
        }
        let _ = writeln!(out, "| {} |", self.header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(self.header.len()));
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        out + "\n"
    }
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
