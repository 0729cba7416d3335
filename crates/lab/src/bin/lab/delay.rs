//! `--delay`: how long httpbin-lite waits before each `/uuid`, kept as it was written
//! (`250ms`), since that is how the banners and `slides-report --delay` show it.

use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delay {
    pub text: String,
    pub duration: Duration,
}

impl FromStr for Delay {
    type Err = String;

    fn from_str(text: &str) -> Result<Delay, String> {
        Ok(Delay {
            text: text.trim().to_owned(),
            duration: common::parse_duration(text)?,
        })
    }
}
