//! What went wrong while starting or talking to a service, in one line a person can act on.

use std::fmt;

/// A service could not be started, reached or stopped. The message names the program and what
/// to do about it ("redis-server is not installed; run scripts/install-redis-server.sh").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    missing_program: bool,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            missing_program: false,
        }
    }

    /// The program is not installed at all: a caller may skip what needs it instead of failing.
    pub(crate) fn missing_program(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            missing_program: true,
        }
    }

    /// True when the program to start is not installed (not when it started and failed).
    pub fn is_missing_program(&self) -> bool {
        self.missing_program
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
