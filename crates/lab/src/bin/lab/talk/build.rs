//! The rest of the build, while the talk runs. `scripts/run-all.sh` builds what the first slide
//! needs and starts the talk with `--build-rest`; lab then builds every other binary in the
//! background, cargo's messages going to a log file rather than between the slides' lines.
//! Each slide waits at its turn until cargo has built its binaries; one that does not build is
//! said at its turn, after the slides before it have run.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use common::{Signal, SignalFlag};
use lab::Binaries;

/// How often a slide waiting for its binaries looks again.
const POLL: Duration = Duration::from_millis(100);

/// A wait longer than this is said: cargo is compiling the slide, not just finding it built.
const SAY_AFTER: Duration = Duration::from_secs(1);

/// `cargo build --workspace --bins`, running in the background.
pub struct Background {
    cargo: Child,
    state: Arc<Mutex<State>>,
    /// Where cargo's messages go.
    pub log: PathBuf,
}

/// What cargo has said so far on its stdout, in JSON.
#[derive(Debug, Default)]
struct State {
    /// The binaries built, up to date, by their names.
    built: HashSet<String>,
    /// `Some(success)` once cargo is done.
    finished: Option<bool>,
}

/// What waiting for a slide's binaries came to.
pub enum Waited {
    Built,
    /// The build ended without one of them: why, in words.
    NotBuilt(String),
    Stopped(Signal),
}

impl Background {
    /// Starts the build of the workspace's binaries in `bins`' profile, in the directory lab
    /// runs in (the workspace's root: run-all.sh changes to it), its messages into `log`, which
    /// is named from that directory when it is under it. The binaries in `built` are built
    /// already: cargo finds them up to date, but says so only when it comes to them, behind the
    /// work on everything else.
    pub fn start(bins: &Binaries, log: &Path, built: &[String]) -> Result<Background, String> {
        let here = std::env::current_dir().unwrap_or_default();
        let log = log.strip_prefix(&here).unwrap_or(log);
        // On a quick start the log goes into target/release before cargo has made it.
        if let Some(dir) = log.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        }
        let file =
            File::create(log).map_err(|err| format!("cannot create {}: {err}", log.display()))?;
        let mut command = Command::new("cargo");
        // --keep-going: a slide that does not compile keeps none of the others from building.
        command
            .args(["build", "--workspace", "--bins", "--locked", "--keep-going"])
            .arg("--message-format=json-render-diagnostics")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(file);
        if bins.dir().ends_with("release") {
            command.arg("--release");
        }
        let mut cargo = command
            .spawn()
            .map_err(|err| format!("cannot run cargo: {err}"))?;
        let state = Arc::new(Mutex::new(State {
            built: built.iter().cloned().collect(),
            finished: None,
        }));
        let said = cargo.stdout.take();
        let heard = Arc::clone(&state);
        thread::spawn(move || {
            let lines = said.map(|out| BufReader::new(out).lines().map_while(Result::ok));
            for line in lines.into_iter().flatten() {
                lock(&heard).hear(&line);
            }
            // Its stdout closed: cargo is done, or gone without saying so.
            lock(&heard).finished.get_or_insert(false);
        });
        Ok(Background {
            cargo,
            state,
            log: log.to_path_buf(),
        })
    }

    /// Whether cargo has built `binary` (or found it up to date), without waiting.
    pub fn has(&self, binary: &str) -> bool {
        lock(&self.state).built.contains(binary)
    }

    /// Waits until cargo has built every one of `binaries`, the build has ended without one, or
    /// a signal came. Says once that it waits, if it has to.
    pub fn wait_for(&self, binaries: &[&str], signals: &SignalFlag) -> Waited {
        let started = Instant::now();
        let mut said = false;
        loop {
            if let Some(signal) = signals.get() {
                return Waited::Stopped(signal);
            }
            let (missing, finished) = {
                let state = lock(&self.state);
                let missing: Vec<&str> = binaries
                    .iter()
                    .filter(|name| !state.built.contains(**name))
                    .copied()
                    .collect();
                (missing, state.finished)
            };
            match (missing.as_slice(), finished) {
                ([], _) => return Waited::Built,
                (missing, Some(_)) => {
                    return Waited::NotBuilt(format!(
                        "{} did not build: cargo's messages are in {}",
                        missing.join(" and "),
                        self.log.display()
                    ));
                }
                (missing, None) if !said && started.elapsed() > SAY_AFTER => {
                    say!("==> waiting for cargo to build {}", missing.join(" and "));
                    say!("    (its messages: {})", self.log.display());
                    said = true;
                }
                _ => {}
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for Background {
    /// The talk is over: a build still going stops with it (the next build picks it up).
    fn drop(&mut self) {
        if matches!(self.cargo.try_wait(), Ok(None)) {
            let _ = self.cargo.kill();
        }
        let _ = self.cargo.wait();
    }
}

impl State {
    /// One line of cargo's JSON: a binary built (or found up to date), or the build's end.
    fn hear(&mut self, line: &str) {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            return;
        };
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                let executable = message["executable"].as_str().map(Path::new);
                let name = executable.and_then(Path::file_stem);
                if let Some(name) = name {
                    self.built.insert(name.to_string_lossy().into_owned());
                }
            }
            Some("build-finished") => {
                self.finished = Some(message["success"].as_bool().unwrap_or(false));
            }
            _ => {}
        }
    }
}

/// The state, even if the thread that reads cargo panicked while holding it.
fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_says_which_binaries_are_built_and_when_it_is_done() {
        let mut state = State::default();
        state.hear(
            r#"{"reason":"compiler-artifact","target":{"name":"common","kind":["lib"]},"executable":null}"#,
        );
        state.hear(
            r#"{"reason":"compiler-artifact","target":{"name":"slide06-threads","kind":["bin"]},"executable":"/w/target/release/slide06-threads","fresh":true}"#,
        );
        state.hear("not json: ignored");
        assert_eq!(state.built, HashSet::from(["slide06-threads".to_owned()]));
        assert_eq!(state.finished, None);
        state.hear(r#"{"reason":"build-finished","success":false}"#);
        assert_eq!(state.finished, Some(false));
    }
}
