//! Command-line plumbing shared by every binary: one-line usage errors and durations.

use std::process;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{ArgMatches, Command, FromArgMatches};

/// Parses the command line with `command`, or exits.
///
/// `--help` and `--version` print as usual. Any other problem becomes ONE line on
/// stderr, `NAME: what is wrong (see --help)`, and exit code 2 — clap's own message
/// spreads over several lines with a usage block, which is noise for a typo.
pub fn parse_or_exit<T: FromArgMatches>(command: Command) -> T {
    let name = command.get_name().to_owned();
    let parsed = command
        .try_get_matches()
        .and_then(|matches: ArgMatches| T::from_arg_matches(&matches));
    match parsed {
        Ok(value) => value,
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            // Printing help can only fail on a closed stdout; there is nothing left to say then.
            let _ = err.print();
            process::exit(0)
        }
        Err(err) => usage_error(&name, &first_line(&err.to_string())),
    }
}

/// Prints `NAME: MESSAGE (see --help)` on stderr and exits with code 2, as for bad usage.
pub fn usage_error(name: &str, message: &str) -> ! {
    eprintln!("{name}: {message} (see --help)");
    process::exit(2)
}

fn first_line(rendered: &str) -> String {
    let line = rendered.lines().next().unwrap_or("invalid arguments");
    line.trim_start_matches("error: ").trim().to_owned()
}

/// Parses `0`, `250ms`, `1s`, `1.5s` or `2m` into a [`Duration`].
///
/// A bare number must be `0`: "5" could mean seconds or milliseconds, so we ask for a unit.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("'{text}' has no unit; write e.g. 250ms, 1s or 1.5s"))?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a duration; write e.g. 250ms, 1s or 1.5s"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => {
            return Err(format!(
                "'{text}' has unknown unit '{unit}'; use ms, s or m"
            ));
        }
    };
    // Past a day it is a typo, and a clock given an absurd deadline overflows.
    if !(0.0..=MAX_DURATION_SECS).contains(&seconds) {
        return Err(format!("'{text}' is out of range: from 0 to one day"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The longest duration any flag takes: one day.
const MAX_DURATION_SECS: f64 = 24.0 * 3600.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_the_talk_uses() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
    }

    #[test]
    fn durations_that_are_not() {
        for bad in [
            "",
            "abc",
            "5",
            "1h",
            "-1s",
            "1e400s",
            "s",
            "NaNs",
            "300000000000000000m",
            "25h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn clap_errors_fold_to_their_first_line() {
        let rendered = "error: invalid value 'abc' for '--requests <N>'\n\nUsage: x\n";
        assert_eq!(
            first_line(rendered),
            "invalid value 'abc' for '--requests <N>'"
        );
    }
}
