//! Reading callgrind's counts: the instructions a whole run executed, from its profile, and each
//! function's inclusive count (its own and its callees'), from `callgrind_annotate --inclusive=yes`.
//!
//! Instructions, unlike seconds, come out the same however busy the machine is, so they compare
//! two clients exactly.

use std::collections::HashMap;

/// The instructions a run executed: the profile's `totals:` (or `summary:`) line.
pub fn total(profile: &str) -> Option<u64> {
    profile.lines().find_map(|line| {
        let count = line
            .strip_prefix("totals:")
            .or_else(|| line.strip_prefix("summary:"))?;
        count.split_whitespace().next()?.parse().ok()
    })
}

/// Each function's inclusive instructions, from `callgrind_annotate --inclusive=yes`, by name
/// (without its file and object): a line reads
/// `36,332,280 (22.81%)  ???:url::ParseOptions::parse [/work/…/slide07-tokio]`.
pub fn inclusive(annotated: &str) -> HashMap<String, u64> {
    let mut functions = HashMap::new();
    for line in annotated.lines() {
        let line = line.trim();
        let Some((count, rest)) = line.split_once(' ') else {
            continue;
        };
        let Ok(count) = count.replace(',', "").parse::<u64>() else {
            continue;
        };
        let rest = rest.trim_start();
        let rest = match rest.split_once(')') {
            Some((share, after)) if share.starts_with('(') => after.trim_start(),
            _ => rest,
        };
        let Some((_file, function)) = rest.split_once(':') else {
            continue;
        };
        let function = function
            .rsplit_once(" [")
            .map_or(function, |(name, _)| name);
        // With debug info a function that recurses is shown with its calls: `f (62x)`.
        let function = match function.trim().rsplit_once(" (") {
            Some((name, calls)) if calls.ends_with("x)") => name,
            _ => function.trim(),
        };
        // One name can stand for several copies of a function (a generic one, once per type;
        // one from two files). Their counts may nest, so the largest is taken, never the sum.
        let most = functions.entry(function.to_owned()).or_insert(0);
        *most = (*most).max(count);
    }
    functions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_gives_its_total() {
        let profile = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 159299133\n";
        assert_eq!(total(profile), Some(159_299_133));
        assert_eq!(total("totals: 42\n"), Some(42));
        assert_eq!(total("events: Ir\n"), None);
    }

    #[test]
    fn annotated_lines_give_each_functions_inclusive_count() {
        let annotated = "\
--------------------------------------------------------------------------------
159,299,133 (100.0%)  PROGRAM TOTALS
--------------------------------------------------------------------------------
Ir                    file:function
--------------------------------------------------------------------------------
 36,332,280 (22.81%)  ???:url::ParseOptions::parse [/work/main/target/release/slide07-tokio]
  9,589,844 ( 6.02%)  ./malloc/./malloc/malloc.c:free [/usr/lib/x86_64-linux-gnu/libc.so.6]
  7,280,426 ( 4.57%)  ???:idna::domain_to_ascii_from_cow [/bin/x]
  9,000,000 ( 5.65%)  /src/url/lib.rs:idna::domain_to_ascii_from_cow (62x) [/bin/x]
";
        let functions = inclusive(annotated);
        assert_eq!(functions["url::ParseOptions::parse"], 36_332_280);
        assert_eq!(functions["free"], 9_589_844);
        assert_eq!(functions["idna::domain_to_ascii_from_cow"], 9_000_000);
        assert_eq!(functions.len(), 3, "{functions:?}");
    }
}
