//! The clients the slides are set against that are not slides of the talk, so `lab::talk` does
//! not list them: the reference client (`src/bin/reference-client`), and wrk and h2load, written
//! in C. Each gets the fields a case reads, and runs in a scenario's rounds as a slide does.

use lab::talk::{Slide, Width};

/// A client on one thread that keeps every request it is given in flight. `source` is where
/// its code is in this crate; a tool installed on its own has none, and no package.
const fn yardstick(binary: &'static str, model: &'static str, source: &'static str) -> Slide {
    let built_here = !source.is_empty();
    Slide {
        number: "–",
        binary,
        package: if built_here { "slides-bench" } else { "–" },
        source: if built_here { source } else { "–" },
        model,
        aliases: &[],
        title: binary,
        width: Width::All,
        one_thread: true,
        companion: None,
        queue: false,
        deck: "–",
        notes: "–",
    }
}

/// Raw hyper on tokio's one thread: one reused connection per slot, or one HTTP/2 connection.
/// It takes the slides' flags.
pub static REFERENCE: Slide = yardstick(
    "reference-client",
    "reference",
    "crates/slides-bench/src/bin/reference-client/main.rs",
);

/// `wrk -t1`: HTTP/1.1 for a given time (see `tools.rs` for its flags).
pub static WRK: Slide = yardstick("wrk", "wrk", "");

/// `h2load -t1`: HTTP/2, or HTTP/1.1 with `--h1`, for a given count.
pub static H2LOAD: Slide = yardstick("h2load", "h2load", "");

/// Whether `slide` is a tool written in C, found on PATH and not built here.
pub fn is_tool(slide: &Slide) -> bool {
    std::ptr::eq(slide, &WRK) || std::ptr::eq(slide, &H2LOAD)
}
