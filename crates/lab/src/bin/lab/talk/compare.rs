//! The table: `slides-report compare` over the talk's records, and the report it writes moved
//! from the talk's own directory into OUT.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lab::Binaries;

use super::own_dir::{OwnDir, REPORT};

/// `slides-report compare [--delay D] [--as-given] --out OWN RECORDS`, which prints the table
/// (its rows in the order of RECORDS when `as_given`, else in the talk's) and writes
/// results.json and report.html into the talk's own directory; from there they move into OUT.
/// False when it failed (it says why itself).
pub fn compare(
    bins: &Binaries,
    floor: Option<&str>,
    out: &Path,
    own: &OwnDir,
    records: &[PathBuf],
    as_given: bool,
) -> Result<bool, String> {
    let mut command = Command::new(bins.path("slides-report").map_err(|err| err.to_string())?);
    command.arg("compare");
    if as_given {
        command.arg("--as-given");
    }
    if let Some(delay) = floor {
        command.args(["--delay", delay]);
    }
    command.arg("--out").arg(own.path()).args(records);
    // Its stdout (the table, then where it wrote) is held until the files are where it says.
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|err| format!("cannot run slides-report: {err}"))?;
    let published = match output.status.success() {
        true => REPORT.iter().try_for_each(|name| own.publish(name, out)),
        false => Ok(()),
    };
    // It names the files where it wrote them, and they are in OUT now.
    let said = String::from_utf8_lossy(&output.stdout).replace(
        &own.path().display().to_string(),
        &out.display().to_string(),
    );
    let mut screen = io::stdout().lock();
    // A screen that went away (`| head`) is no reason to fail: the files are written.
    let _ = screen
        .write_all(said.as_bytes())
        .and_then(|()| screen.flush());
    published.map(|()| output.status.success())
}
