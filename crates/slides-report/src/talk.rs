//! What the talk said about each slide, so the table can put our numbers beside its own.

/// One runnable slide of the talk, in the talk's order.
#[derive(Debug, Clone, Copy)]
pub struct TalkSlide {
    /// The deck's slide number ("7a" for the one the abstract promised but the talk skipped).
    pub number: &'static str,
    /// The binary that runs it.
    pub binary: &'static str,
    pub title: &'static str,
    /// What the slide's heading said it took.
    pub deck: &'static str,
    /// What the speaker said it took.
    pub notes: &'static str,
}

pub const SLIDES: &[TalkSlide] = &[
    TalkSlide {
        number: "4",
        binary: "slide04-sync",
        title: "Synchronous",
        deck: "~1 min",
        notes: "~1 min",
    },
    TalkSlide {
        number: "5",
        binary: "slide05-multiprocess",
        title: "Multiprocessing",
        deck: "10 s",
        notes: "10-12 s",
    },
    TalkSlide {
        number: "6",
        binary: "slide06-threads",
        title: "Multithreading",
        deck: "3 s",
        notes: "5-6 s",
    },
    TalkSlide {
        number: "7a",
        binary: "slide07a-coroutines",
        title: "Coroutines by hand",
        deck: "not shown",
        notes: "not shown",
    },
    TalkSlide {
        number: "7",
        binary: "slide07-tokio",
        title: "Asyncio (tokio)",
        deck: "2 s",
        notes: "5-6 s",
    },
    TalkSlide {
        number: "8",
        binary: "slide08-producer",
        title: "Celery and Redis (a Redis queue)",
        deck: "0.1 s",
        notes: "0.01 s",
    },
];

pub fn find(binary: &str) -> Option<&'static TalkSlide> {
    SLIDES.iter().find(|slide| slide.binary == binary)
}
