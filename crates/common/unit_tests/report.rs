//! The report's own arithmetic: what never came back, and how it is named.
use super::*;
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    flags: Flags,
}

fn report(requests: usize, done: &[usize]) -> Report {
    let cli = Cli::parse_from(["slide", "-q", "-n", &requests.to_string()]);
    let report = Report::start("slide", "model", &cli.flags, 1);
    for &index in done {
        let ok = crate::retry::Tried {
            result: Ok(Uuid::new_v4()),
            retried: vec![],
        };
        report.record(report.clock().time(index, || ok));
    }
    report
}

#[test]
fn unfinished_requests_are_named_as_ranges() {
    assert_eq!(report(5, &[]).results().unfinished(), "#1-#5");
    assert_eq!(
        report(9, &[1, 2, 5, 9]).results().unfinished(),
        "#3-#4, #6-#8"
    );
    assert_eq!(report(3, &[1, 2, 3]).results().unfinished(), "none");
    let every_other: Vec<usize> = (1..=40).step_by(2).collect();
    let text = report(40, &every_other).results().unfinished();
    assert!(
        text.starts_with("#2, #4, #6") && text.ends_with(", …"),
        "{text}"
    );
}

#[test]
fn the_summary_counts_what_never_came_back() {
    let summary = report(5, &[2, 4]).results().summary(None);
    assert_eq!(
        (summary.ok, summary.unique, summary.failed, summary.missing),
        (2, 2, 3, 3)
    );
    assert_eq!(summary.failures.get("missing"), Some(&3));
    let stopped = report(5, &[2]).results().summary(Some(Signal::INTERRUPT));
    assert_eq!(stopped.failures.get("interrupted"), Some(&4));
    assert_eq!(stopped.interrupted.as_deref(), Some("SIGINT"));
}
