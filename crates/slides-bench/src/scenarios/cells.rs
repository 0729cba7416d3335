//! Cells that several scenarios' tables share.

use crate::outcome::Outcome;
use crate::units::{percent, secs};

/// The median wall time, and over several runs the fastest and slowest: `1.2 s (1.1 s–1.3 s)`.
pub fn wall(outcome: &Outcome) -> String {
    match outcome.wall_range() {
        Some((low, high)) if outcome.runs.len() > 1 => {
            format!("{} ({}–{})", secs(outcome.wall_s()), secs(low), secs(high))
        }
        _ => secs(outcome.wall_s()),
    }
}

/// CPU time with the kernel's share of it: `2.30 s (71% sys)`.
pub fn cpu(outcome: &Outcome) -> String {
    let share = outcome.sys_share();
    if share.is_finite() {
        format!("{} ({} sys)", secs(outcome.cpu_s()), percent(share))
    } else {
        secs(outcome.cpu_s())
    }
}

/// Failed requests, in bold unless there are none.
pub fn failed(outcome: &Outcome) -> String {
    match outcome.failed() {
        0 => "0".into(),
        n => format!("**{n}**"),
    }
}

/// A figure, or a dash where there is none.
pub fn or_dash(figure: Option<String>) -> String {
    figure.unwrap_or_else(|| "–".into())
}
