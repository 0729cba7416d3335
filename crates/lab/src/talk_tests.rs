use super::*;

#[test]
fn names_numbers_and_aliases_find_the_same_slide() {
    for name in ["6", "06", "threads", "Threads", "slide06-threads"] {
        assert_eq!(find(name).map(|s| s.number), Some("6"), "{name}");
    }
    assert_eq!(find("7a").map(|s| s.model), Some("coroutines"));
    assert_eq!(find("7").map(|s| s.model), Some("tokio"));
    assert_eq!(find("7b").map(|s| s.model), Some("blocking"));
    assert_eq!(find("9"), None);
}

#[test]
fn companions_have_sources_too() {
    assert_eq!(
        source("worker"),
        Some("crates/slide08-queue/src/bin/slide08-worker/main.rs")
    );
    assert_eq!(source("nope"), None);
}

#[test]
fn every_source_is_in_the_tree() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    for slide in SLIDES {
        let sources = std::iter::once(slide.source).chain(slide.companion.map(|c| c.source));
        for source in sources {
            let path = std::path::Path::new(root).join(source);
            assert!(path.is_file(), "{source} is missing");
        }
    }
}

#[test]
fn the_floor_counts_waiting_work_and_cores() {
    // 50 requests at 100 ms, with 20 ms of CPU each or none.
    let cases = [
        (1, 0.02, 2, 6.0, "one at a time"),
        (40, 0.02, 2, 0.5, "the work on 2 cores"),
        (40, 0.02, 1, 1.0, "the work on 1 core"),
        (50, 0.0, 2, 0.1, "no work: the delay alone"),
    ];
    for (concurrency, work, cores, least, why) in cases {
        let floor = floor(50, concurrency, 0.1, work, cores);
        assert!((floor - least).abs() < 1e-9, "{why}: {floor}");
    }
}

#[test]
fn widths_never_exceed_the_requests() {
    assert_eq!(Width::One.resolve(50, 8), 1);
    assert_eq!(Width::Fixed(40).resolve(50, 8), 40);
    assert_eq!(Width::Fixed(40).resolve(5, 8), 5);
    assert_eq!(Width::PerCpu.resolve(50, 8), 8);
    assert_eq!(Width::All.resolve(50, 8), 50);
    assert_eq!(Width::PerWorker(32).resolve(50, 8), 32);
}
