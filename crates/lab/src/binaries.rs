//! Where the workspace's programs are: in the directory cargo built them into, which is the
//! directory of the program that is running (`target/release/lab` runs `target/release/…`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::Error;

/// A directory of built binaries: httpbin-lite, the slides, slide08-worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binaries {
    dir: PathBuf,
}

impl Binaries {
    /// The directory the running program is in. Cargo puts a test in `target/debug/deps`, one
    /// level below the binaries it tests, so for a test it is the directory above.
    pub fn beside_this_program() -> Result<Binaries, Error> {
        let exe = std::env::current_exe()
            .map_err(|err| Error::new(format!("cannot tell where this program is: {err}")))?;
        let mut dir = exe
            .parent()
            .ok_or_else(|| Error::new(format!("{} has no directory", exe.display())))?;
        if dir.file_name() == Some(OsStr::new("deps"))
            && let Some(above) = dir.parent()
        {
            dir = above;
        }
        Ok(Binaries::in_dir(dir))
    }

    /// The binaries in `dir`, e.g. `target/release`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Binaries {
        Binaries { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether `name` was built.
    pub fn has(&self, name: &str) -> bool {
        self.file(name).is_file()
    }

    /// The path of the built binary `name`, or an error that says how to build it.
    pub fn path(&self, name: &str) -> Result<PathBuf, Error> {
        let file = self.file(name);
        if file.is_file() {
            Ok(file)
        } else {
            Err(Error::new(format!(
                "{name} is not built (looked for {}); build it with `cargo build --workspace --bins`",
                file.display()
            )))
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_finds_the_binaries_one_level_up_from_deps() {
        let bins = Binaries::beside_this_program().map(|b| b.dir().to_path_buf());
        let dir = bins.unwrap_or_else(|err| panic!("{err}"));
        assert_ne!(
            dir.file_name(),
            Some(OsStr::new("deps")),
            "{}",
            dir.display()
        );
    }

    #[test]
    fn a_missing_binary_says_how_to_build_it() {
        let bins = Binaries::in_dir("/nowhere");
        assert!(!bins.has("httpbin-lite"));
        let err = bins.path("httpbin-lite").err().map(|err| err.to_string());
        assert!(err.is_some_and(|err| err.contains("cargo build")));
    }
}
