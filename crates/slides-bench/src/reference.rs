//! The reference client (`src/bin/reference-client`) as the benchmark runs it: with the slides'
//! flags, measured as a slide is. It is not a slide of the talk, so `lab::talk` does not list
//! it; this entry gives it the fields a case reads.

use lab::talk::{Slide, Width};

/// raw hyper on tokio's one thread: one reused connection per slot, or one HTTP/2 connection.
pub static REFERENCE: Slide = Slide {
    number: "–",
    binary: "reference-client",
    package: "slides-bench",
    source: "crates/slides-bench/src/bin/reference-client/main.rs",
    model: "reference",
    aliases: &["reference"],
    title: "Reference client (raw hyper)",
    width: Width::All,
    one_thread: true,
    companion: None,
    queue: false,
    deck: "–",
    notes: "–",
};
