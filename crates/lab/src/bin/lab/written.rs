//! A duration kept as it was written (`250ms`): `--delay`, how long httpbin-lite waits before
//! each `/uuid`, and `--work`, the CPU each answer costs. The banners show them as typed, and
//! `slides-report --delay` and the slides' `--work` are handed them that way.

use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub text: String,
    pub duration: Duration,
}

impl FromStr for Written {
    type Err = String;

    fn from_str(text: &str) -> Result<Written, String> {
        Ok(Written {
            text: text.trim().to_owned(),
            duration: common::parse_duration(text)?,
        })
    }
}
