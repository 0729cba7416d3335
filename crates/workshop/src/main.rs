//! The workshop's runner. Each concurrency model of the talk is an exercise under `exercises/`:
//! the slide's own code with its lesson left for you to write. `check` proves from outside that
//! what you wrote is really concurrent — httpbin-lite counts the requests in flight, and the OS
//! shows the threads and the child processes — so a loop dressed up as threads cannot pass.
//! `scripts/exercise.sh` builds and runs it.

mod check;
mod exercise;
mod exercises;
mod judge;
mod names;
mod run;
mod splice;
mod status;
mod watch;
mod width;
mod workspace;

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exercise::Exercise;
use crate::exercises::EXERCISES;
use crate::names::find;
use crate::status::{CHECKS, Checked, Checks, HINTS, Status};
use crate::workspace::{Built, Workspace};

/// Write each concurrency model of the talk yourself; `check` tells you whether it really is.
/// NAME is a slide's short name or number, as for scripts/diff.sh: sync, processes, threads,
/// coroutines (7a), tokio (7), queue (8).
#[derive(Parser)]
#[command(name = "scripts/exercise.sh", bin_name = "scripts/exercise.sh")]
struct Cli {
    #[command(subcommand)]
    command: Option<Action>,
}

#[derive(Subcommand)]
enum Action {
    /// Every exercise in order, where each stands, and which to do next (the default)
    List,
    /// Build the exercise, run it against an httpbin-lite of its own, and say what holds
    Check { name: String },
    /// Check again each time the exercise's file is saved (Ctrl-C stops)
    Watch { name: String },
    /// The file to edit
    Path { name: String },
    /// The next hint: one more each time you ask, never the solution
    Hint { name: String },
    /// Put the slide's own code in: the reference solution (asks first)
    Solve {
        name: String,
        /// Do not ask
        #[arg(long)]
        yes: bool,
    },
    /// Put the blank back; your version is kept in target/exercises/kept/
    Reset {
        name: String,
        /// Taken as `solve` takes it; reset never asks, since it keeps your version
        #[arg(long)]
        yes: bool,
    },
    /// Build every exercise and what the checks run beside it, so that no check waits for a
    /// compiler (before the workshop, while the network is good)
    Build,
}

fn main() -> ExitCode {
    let cli = common::parse_flags_or_exit::<Cli>();
    let workspace = match Workspace::here() {
        Ok(workspace) => workspace,
        Err(err) => return common::cannot("find the workspace", err),
    };
    let done = match cli.command.unwrap_or(Action::List) {
        Action::List => list(&workspace).map(|()| true),
        Action::Check { name } => find(&name).and_then(|e| check(&workspace, e)),
        Action::Watch { name } => find(&name).and_then(|e| watch::watch(&workspace, e, check)),
        Action::Path { name } => find(&name).map(|e| println!("{}", e.path())).map(|()| true),
        Action::Hint { name } => find(&name).and_then(|e| hint(&workspace, e)),
        Action::Solve { name, yes } => find(&name).and_then(|e| solve(&workspace, e, yes)),
        Action::Reset { name, yes: _ } => find(&name).and_then(|e| reset(&workspace, e)),
        Action::Build => build(&workspace),
    };
    match done {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("exercise.sh: {err}");
            ExitCode::from(2)
        }
    }
}

/// Checks the exercise and remembers the result for `list`.
fn check(workspace: &Workspace, exercise: &Exercise) -> Result<bool, String> {
    // The text checked is the text built: read before the build, so an edit during the check
    // is not taken for checked.
    let text = workspace.current(exercise)?;
    let passed = check::check(workspace, exercise)?;
    let file = workspace.state_dir().join(CHECKS);
    let mut checks: Checks = status::load(&file);
    checks.insert(exercise.dir.to_owned(), Checked::new(&text, passed));
    if let Err(err) = status::save(&file, &checks) {
        eprintln!("exercise.sh: {err}; list will not show this check");
    }
    Ok(passed)
}

/// Every exercise, in the talk's order, with where it stands and the next one to do.
fn list(workspace: &Workspace) -> Result<(), String> {
    let checks: Checks = status::load(&workspace.state_dir().join(CHECKS));
    println!(
        "Write each model of the talk yourself; `check` proves from outside that it is that model.\n"
    );
    println!(
        "  {:<6} {:<11} {:<18} {:<8} file to edit",
        "slide", "exercise", "status", "minutes"
    );
    let mut next = None;
    let mut passing = 0;
    for exercise in EXERCISES {
        let (text, blank) = (workspace.current(exercise)?, workspace.blank(exercise)?);
        let status = Status::of(&checks, exercise.dir, &text, &blank);
        if status == Status::Passing {
            passing += 1;
        } else if next.is_none() {
            next = Some(exercise);
        }
        println!(
            "  {:<6} {:<11} {:<18} {:<8} {}",
            exercise.slide,
            exercise.name(),
            status.words(),
            format!("~{}", exercise.minutes),
            exercise.path()
        );
    }
    println!("\n{passing} of {} passing.", EXERCISES.len());
    match next {
        Some(exercise) => println!(
            "Next: {name}. Edit {}, then: scripts/exercise.sh check {name}",
            exercise.path(),
            name = exercise.name()
        ),
        None => println!(
            "All done: every model is yours. scripts/diff.sh sync tokio shows them side by side."
        ),
    }
    Ok(())
}

/// Prints the exercise's next hint, and remembers that it was shown; once all were, all again.
fn hint(workspace: &Workspace, exercise: &Exercise) -> Result<bool, String> {
    let file = workspace.state_dir().join(HINTS);
    let mut hints: BTreeMap<String, usize> = status::load(&file);
    let shown = hints.get(exercise.dir).copied().unwrap_or(0);
    let (name, total) = (exercise.name(), exercise.steps.len());
    let Some(step) = exercise.steps.get(shown) else {
        println!("All {total} hints for {name}, as shown before:");
        for (n, step) in exercise.steps.iter().enumerate() {
            println!("  {}. {step}", n + 1);
        }
        println!(
            "Still stuck: scripts/diff.sh with the slide before shows what the model changes, \
             and `scripts/exercise.sh solve {name}` puts in the slide's own code."
        );
        return Ok(true);
    };
    println!("Hint {} of {total} for {name}: {step}", shown + 1);
    if shown + 1 < total {
        println!("(scripts/exercise.sh hint {name} again gives the next.)");
    }
    hints.insert(exercise.dir.to_owned(), shown + 1);
    if let Err(err) = status::save(&file, &hints) {
        eprintln!("exercise.sh: {err}; the next `hint` will show this one again");
    }
    Ok(true)
}

/// Puts the slide's own code in, after asking (it shows you the answer).
fn solve(workspace: &Workspace, exercise: &Exercise, yes: bool) -> Result<bool, String> {
    let name = exercise.name();
    if !yes {
        if !io::stdin().is_terminal() {
            return Err(format!(
                "solve puts the answer into {}; say `solve {name} --yes` to do so without a \
                 terminal to ask on",
                exercise.path()
            ));
        }
        print!(
            "This puts the slide's own {} into {}; your version is kept. Go on? [y/N] ",
            exercise.shown,
            exercise.path()
        );
        io::stdout().flush().map_err(|err| err.to_string())?;
        let answer = io::stdin().lines().next().transpose();
        let answer = answer.map_err(|err| err.to_string())?.unwrap_or_default();
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            println!("Nothing changed.");
            return Ok(true);
        }
    }
    let kept = workspace.replace(exercise, &workspace.solution(exercise)?)?;
    say_kept(kept.as_deref());
    println!(
        "{} now holds the slide's solution ({}). Run scripts/exercise.sh check {name}, and \
         read it.",
        exercise.path(),
        exercise.solution
    );
    Ok(true)
}

/// Puts the blank back, made from the slide as it is now. Never asks: what it replaces is kept.
fn reset(workspace: &Workspace, exercise: &Exercise) -> Result<bool, String> {
    let kept = workspace.replace(exercise, &workspace.blank(exercise)?)?;
    say_kept(kept.as_deref());
    println!("{} is the blank again.", exercise.path());
    Ok(true)
}

/// Builds what every check runs: the exercises, httpbin-lite and the slides' other programs.
fn build(workspace: &Workspace) -> Result<bool, String> {
    let also = EXERCISES.iter().flat_map(|e| e.run.also_build);
    let talk: Vec<&str> = also.copied().collect();
    let packages: Vec<String> = EXERCISES.iter().map(Exercise::package).collect();
    let exercises: Vec<&str> = packages.iter().map(String::as_str).collect();
    let built = workspace.cargo_build(&talk, &exercises)? == Built::Ok;
    if built {
        println!("Every exercise, and what the checks run, is built: scripts/exercise.sh list");
    }
    Ok(built)
}

fn say_kept(kept: Option<&std::path::Path>) {
    if let Some(kept) = kept {
        println!("Your version is kept at {}.", kept.display());
    }
}
