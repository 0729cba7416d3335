//! The benchmark's seven scenarios, as one list: each its name, what it measures, and the code
//! that runs it and turns what it measured into a section of the report — its commands, its
//! tables, and its goals marked met or not with the figures that say why.

mod cases;
mod cpu;
mod enqueue;
mod heap;
mod instructions;
mod memory;
mod overhead;
mod scale;
mod talk;

use crate::bench::Bench;
use crate::quiet;
use crate::section::Section;

#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// As `--only` takes it, and as each of its goals begins: "talk".
    pub name: &'static str,
    /// What it measures, and what it holds each model to.
    pub measures: &'static str,
    run: fn(&Bench) -> Result<Section, String>,
}

/// Every scenario, in the report's order.
pub const ALL: [Scenario; 7] = [
    Scenario {
        name: "talk",
        measures: "the talk's 50 requests, 1 s each: every slide near its floor",
        run: talk::run,
    },
    Scenario {
        name: "scale",
        measures: "10 000 requests, 1 000 in flight: efficiency against the floor and the best client",
        run: scale::run,
    },
    Scenario {
        name: "overhead",
        measures: "no delay: each model's cost per request, against wrk",
        run: overhead::run,
    },
    Scenario {
        name: "memory",
        measures: "every request in flight at once: peak memory per request",
        run: memory::run,
    },
    Scenario {
        name: "enqueue",
        measures: "the queue's producer: 50 and 10 000 jobs onto Redis",
        run: enqueue::run,
    },
    Scenario {
        name: "cpu",
        measures: "CPU work on each answer: threads on every core, one-thread models on one",
        run: cpu::run,
    },
    Scenario {
        name: "instructions",
        measures: "slide 7 against raw hyper: instructions per request under callgrind",
        run: instructions::run,
    },
];

/// The scenario `--only` names, or a line that lists every name.
pub fn named(name: &str) -> Result<Scenario, String> {
    let names: Vec<&str> = ALL.iter().map(|scenario| scenario.name).collect();
    ALL.into_iter()
        .find(|scenario| scenario.name == name)
        .ok_or_else(|| format!("no scenario '{name}'; give some of: {}", names.join(", ")))
}

/// Runs each scenario in turn, watching for other programs while it runs.
pub fn run_all(bench: &Bench, scenarios: &[Scenario]) -> Result<Vec<Section>, String> {
    std::fs::create_dir_all(&bench.work)
        .map_err(|err| format!("cannot create {}: {err}", bench.work.display()))?;
    let mut sections = Vec::new();
    for scenario in scenarios {
        println!("\n==> {}: {}", scenario.name, scenario.measures);
        let (section, seen) = quiet::watch(|| (scenario.run)(bench));
        let mut section =
            section.ok_or_else(|| format!("{}: the scenario panicked", scenario.name))??;
        if seen.busy > 0 {
            let names = seen.names.join(", ");
            println!("    (other programs ran meanwhile: {names})");
        }
        section.note(seen.summary());
        sections.push(section);
    }
    Ok(sections)
}
