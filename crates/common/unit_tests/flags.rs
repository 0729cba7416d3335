use super::*;
use clap::CommandFactory;

#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    flags: Flags,
}

#[test]
fn flags_are_well_formed() {
    Cli::command().debug_assert();
}

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
        "25h",
        "300000000000000000m",
    ] {
        assert!(parse_duration(bad).is_err(), "{bad:?} should not parse");
    }
    assert!(timeout("0").is_err());
}

#[test]
fn urls_we_fetch_and_refuse() {
    assert!(parse_url("http://127.0.0.1:8080/uuid").is_ok());
    assert!(parse_url("https://httpbin.org/uuid").is_ok());
    assert!(parse_url("http://[::1]:8080/uuid").is_ok());
    assert!(parse_url("not-a-url").unwrap_err().contains("is not a URL"));
    assert!(
        parse_url("ftp://example.org/uuid")
            .unwrap_err()
            .contains("ftp://")
    );
    assert!(
        parse_url("file:///etc/passwd")
            .unwrap_err()
            .contains("file://")
    );
}

#[test]
fn long_values_are_cut_in_messages() {
    let long = format!("http://{}", "a".repeat(100_000));
    assert!(parse_url(&format!("{long}:99999999/")).unwrap_err().len() < 400);
    assert!(parse_duration(&"9".repeat(100_000)).unwrap_err().len() < 400);
}

#[test]
fn concurrency_is_never_more_than_the_requests() {
    let cli = Cli::parse_from(["slide", "-n", "3"]);
    assert_eq!(cli.flags.at_once_or_exit(100_000, 10, "threads"), 3);
    assert_eq!(cli.flags.at_once_or_exit(2, 10, "threads"), 2);
    assert_eq!(width("1000000"), Ok(1_000_000));
    assert!(width("0").is_err() && width("x").is_err() && width("1000001").is_err());
}

#[test]
fn passwords_in_urls_are_masked() {
    assert_eq!(
        without_password("http://me:hunter2@127.0.0.1:8080/uuid"),
        "http://me:****@127.0.0.1:8080/uuid"
    );
    assert_eq!(
        without_password("http://127.0.0.1/uuid"),
        "http://127.0.0.1/uuid"
    );
}
