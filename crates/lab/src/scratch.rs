//! A directory of one's own under the system's temp dir, removed when dropped: where a service
//! writes its log (and redis-server its files), so two services never share one.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::Error;

#[derive(Debug)]
pub(crate) struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// A new empty directory named `async-slides-WHAT-PID-N`.
    pub(crate) fn new(what: &str) -> Result<Scratch, Error> {
        let base = std::env::temp_dir();
        let pid = std::process::id();
        // Creating a directory either makes a new one or fails: two threads of one process
        // (tests run in parallel) can never both get the same one.
        for n in 0..1000 {
            let path = base.join(format!("async-slides-{what}-{pid}-{n}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Scratch { path }),
                Err(err) if err.kind() == ErrorKind::AlreadyExists => continue,
                Err(err) => {
                    return Err(Error::new(format!(
                        "cannot create a directory in {}: {err}",
                        base.display()
                    )));
                }
            }
        }
        Err(Error::new(format!(
            "cannot create a directory in {}: 1000 names taken",
            base.display()
        )))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Nothing in it is worth keeping, and a failure here has no one left to tell.
        let _ = fs::remove_dir_all(&self.path);
    }
}
