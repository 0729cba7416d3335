//! BENCHMARKS.md: the machine, the method, the goals at a glance, then one section per
//! scenario. Everything in it is measured by this run; nothing is carried over from another.

use std::fmt::Write;

use crate::machine::{Machine, Quiet};
use crate::scenarios::Settings;

/// One goal of issue 8, judged.
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

/// A table of the report, with a line above it saying what it shows.
#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(caption: String, header: &[&str]) -> Table {
        Table {
            caption,
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// One scenario's part of the report.
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
    pub fn new(title: &str, intro: String, commands: Vec<String>, header: &[&str]) -> Section {
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
}

pub struct Report<'a> {
    pub command: &'a str,
    pub machine: &'a Machine,
    pub quiet: &'a Quiet,
    pub settings: &'a Settings,
    pub sections: &'a [Section],
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let machine = report.machine;
    let settings = report.settings;
    let profile = if settings.bin.ends_with("release") {
        "release"
    } else if settings.bin.ends_with("debug") {
        "debug"
    } else {
        "as found"
    };
    let _ = writeln!(out, "# Benchmarks\n");
    if settings.smoke {
        let _ = writeln!(
            out,
            "**A smoke run** (`--smoke`): every scenario at a tiny size, to prove the benchmark \
             runs. Its figures are not measurements of anything; the goals are not judged.\n"
        );
    }
    let _ = writeln!(
        out,
        "How each concurrency model's cost grows with the work, against the physical floor and \
         against wrk (issue 8). The floor for N requests, each answered after a delay d, with C \
         in flight is ⌈N/C⌉ × d; efficiency is floor ÷ wall. Every figure below was measured by \
         the command below, on the machine below, in one run; none is copied from elsewhere.\n"
    );
    let _ = writeln!(out, "```sh\n{}\n```\n", report.command);
    let _ = writeln!(out, "## Machine\n");
    let _ = writeln!(
        out,
        "- CPU: {}, {} cores\n- Memory: {:.1} GiB\n- Kernel: Linux {}\n- {}\n- wrk: {}\n- redis-server: {}\n- Commit measured: {} ({} build)\n- Open files (ulimit -n): {} soft, {} hard; net.core.somaxconn {}; ephemeral ports {}",
        machine.cpu,
        machine.cores,
        machine.memory_gib,
        machine.kernel,
        machine.rustc,
        machine.wrk.as_deref().unwrap_or("not installed"),
        machine.redis.as_deref().unwrap_or("not installed"),
        machine.commit,
        profile,
        machine.nofile.0,
        machine.nofile.1,
        machine.somaxconn,
        machine.port_range,
    );
    let _ = writeln!(out, "- Before the start: {}.\n", report.quiet.summary());
    let _ = writeln!(out, "## Method\n");
    let _ = writeln!(
        out,
        "- Each figure is the **median of {} run(s)** (at most {} for a case whose floor is 10 \
         s or more; the 50-job enqueue gets at least 11). The wall column also gives the \
         fastest and slowest run.\n\
         - Wall time, CPU time (user + system) and peak RSS are measured **from outside** the \
         slide: each program runs under `slides-bench measure`, which starts it, waits for it, \
         and reads `getrusage(RUSAGE_CHILDREN)` — the kernel's count for the whole process tree. \
         The wall time therefore includes starting the program and its setup (a pool of \
         processes, a runtime, an HTTP client); \"slide's own clock\" is the slide's `wall_s`, \
         from after its setup to its last answer.\n\
         - ru_maxrss is the peak of the largest single process; for slide 5's pool the summed \
         RSS of the parent and its children is also sampled every 50 ms from /proc, and the \
         larger figure is shown.\n\
         - Every slide runs with `--quiet --json`: no line per answer (printing is not the \
         model), and the summary that says how many requests failed. A failed request is shown \
         in bold; a goal is not met if any request failed.\n\
         - httpbin-lite, redis-server and each queue worker are started by the benchmark on free \
         loopback ports, one httpbin-lite per scenario (its CPU time during each run is read \
         from /proc); every process it starts is stopped when it ends, Ctrl-C included.\n\
         - `$URL` in the commands is that httpbin-lite's `/uuid`, `$REDIS` that redis-server. \
         Logs of every run: `{}`.\n",
        settings.runs,
        settings.runs.min(3),
        settings.work.display()
    );
    if !settings.smoke {
        let _ = writeln!(out, "## Goals\n");
        let _ = writeln!(out, "| goal | met | measured | why not |");
        let _ = writeln!(out, "|---|---|---|---|");
        for goal in report.sections.iter().flat_map(|s| &s.goals) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                goal.what,
                if goal.met { "yes" } else { "**no**" },
                goal.measured,
                if goal.met { "" } else { goal.why.as_str() }
            );
        }
        let _ = writeln!(out);
    }
    for section in report.sections {
        let _ = writeln!(out, "## {}\n", section.title);
        let _ = writeln!(out, "{}\n", section.intro);
        let _ = writeln!(out, "```sh");
        for command in &section.commands {
            let _ = writeln!(out, "{command}");
        }
        let _ = writeln!(out, "```\n");
        for table in &section.tables {
            if !table.caption.is_empty() {
                let _ = writeln!(out, "{}\n", table.caption);
            }
            let _ = writeln!(out, "| {} |", table.header.join(" | "));
            let _ = writeln!(out, "|{}", "---|".repeat(table.header.len()));
            for row in &table.rows {
                let _ = writeln!(out, "| {} |", row.join(" | "));
            }
            let _ = writeln!(out);
        }
        for note in &section.notes {
            let _ = writeln!(out, "{note}\n");
        }
    }
    out
}

/// Seconds, with as many digits as a person needs: `50.1 s`, `1.005 s`, `12 ms`.
pub fn secs(value: f64) -> String {
    if !value.is_finite() {
        "–".into()
    } else if value.abs() >= 10.0 {
        format!("{value:.1} s")
    } else if value.abs() >= 0.1 {
        format!("{value:.3} s")
    } else {
        ms(value)
    }
}

/// Seconds shown in milliseconds: `0.61 ms`, `12.4 ms`, `1000 ms`.
pub fn ms(value: f64) -> String {
    let millis = value * 1e3;
    if !millis.is_finite() {
        "–".into()
    } else if millis.abs() >= 100.0 {
        format!("{millis:.0} ms")
    } else if millis.abs() >= 10.0 {
        format!("{millis:.1} ms")
    } else {
        format!("{millis:.2} ms")
    }
}

/// Seconds shown in microseconds: `16.2 µs`.
pub fn us(value: f64) -> String {
    let micros = value * 1e6;
    if !micros.is_finite() {
        "–".into()
    } else if micros.abs() >= 100.0 {
        format!("{micros:.0} µs")
    } else {
        format!("{micros:.1} µs")
    }
}

/// KiB shown in MB (10^6 bytes), as the issue's goal is written: `46.3 MB`.
pub fn mb(kib: f64) -> String {
    if !kib.is_finite() {
        "–".into()
    } else {
        format!("{:.1} MB", kib * 1024.0 / 1e6)
    }
}

/// `kib` over `count`, in KiB: `24.1 KiB`.
pub fn kib_per(kib: f64, count: f64) -> String {
    let per = kib / count;
    if !per.is_finite() || count <= 0.0 {
        "–".into()
    } else {
        format!("{per:.1} KiB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_well() {
        assert_eq!(secs(50.123), "50.1 s");
        assert_eq!(secs(1.0051), "1.005 s");
        assert_eq!(secs(0.012), "12.0 ms");
        assert_eq!(ms(0.00061), "0.61 ms");
        assert_eq!(us(0.0000162), "16.2 µs");
        assert_eq!(mb(45_000.0), "46.1 MB");
        assert_eq!(kib_per(24_000.0, 1000.0), "24.0 KiB");
        assert_eq!(secs(f64::NAN), "–");
    }
}
