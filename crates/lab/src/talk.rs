//! The talk's slides, in order: the one list that the scripts, the report, the benchmark and
//! the tests read. Adding a slide is one folder under `crates/` and one entry here.

/// One runnable slide of the talk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slide {
    /// The deck's slide number ("7a" for the one the abstract promised but the talk skipped).
    pub number: &'static str,
    /// The binary that runs it.
    pub binary: &'static str,
    /// The Cargo package that builds the binary.
    pub package: &'static str,
    /// The file that holds the lesson: the binary's `main.rs`.
    pub source: &'static str,
    /// The concurrency model in one word, as the slide's summary names it.
    pub model: &'static str,
    /// Other names people use for it (`scripts/diff.sh threads tokio`).
    pub aliases: &'static [&'static str],
    /// The slide's heading in the deck.
    pub title: &'static str,
    /// How many requests it keeps in flight when not told.
    pub width: Width,
    /// All of its requests run on one thread, so it uses one core at most: with `--work`, it
    /// cannot reach a floor that needs more.
    pub one_thread: bool,
    /// A binary it needs beside it, with its own source: the pool's child, the queue's worker.
    pub companion: Option<Companion>,
    /// It runs against a queue: the lab starts a redis-server and the companion worker first,
    /// and gives the slide `--redis URL`.
    pub queue: bool,
    /// What the slide's heading said it took.
    pub deck: &'static str,
    /// What the speaker said it took.
    pub notes: &'static str,
}

/// How many requests a slide keeps in flight unless `--concurrency` says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// One at a time: the slide has no `--concurrency`.
    One,
    /// This many (the talk's thread pool used 40), never more than the requests.
    Fixed(usize),
    /// One per CPU, as Python's `multiprocessing.Pool()`.
    PerCpu,
    /// Every request at once, as `asyncio.gather`.
    All,
    /// Every request goes on the queue at once; each worker runs this many at a time.
    PerWorker(usize),
}

impl Width {
    /// How many requests are in flight for `requests` requests on `cpus` CPUs and one worker.
    pub fn resolve(self, requests: usize, cpus: usize) -> usize {
        let width = match self {
            Width::One => 1,
            Width::Fixed(width) | Width::PerWorker(width) => width,
            Width::PerCpu => cpus,
            Width::All => requests,
        };
        width.min(requests).max(1)
    }
}

/// A second binary a slide runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Companion {
    pub binary: &'static str,
    pub source: &'static str,
    pub aliases: &'static [&'static str],
}

/// Slide 7, whose every request is in flight at once on one thread, as in the slides the talk
/// did not show (7a, 7b, 7c).
const TOKIO: Slide = Slide {
    number: "7",
    binary: "slide07-tokio",
    package: "slide07-tokio",
    source: "crates/slide07-tokio/src/main.rs",
    model: "tokio",
    aliases: &["tokio", "async", "asyncio"],
    title: "Asyncio (tokio)",
    width: Width::All,
    one_thread: true,
    companion: None,
    queue: false,
    deck: "2 s",
    notes: "5-6 s",
};

/// Every runnable slide, in the talk's order.
pub const SLIDES: &[Slide] = &[
    Slide {
        number: "4",
        binary: "slide04-sync",
        package: "slide04-sync",
        source: "crates/slide04-sync/src/main.rs",
        model: "sync",
        aliases: &["sync", "synchronous"],
        title: "Synchronous",
        width: Width::One,
        one_thread: true,
        companion: None,
        queue: false,
        deck: "~1 min",
        notes: "~1 min",
    },
    Slide {
        number: "5",
        binary: "slide05-multiprocess",
        package: "slide05-multiprocess",
        source: "crates/slide05-multiprocess/src/main.rs",
        model: "processes",
        aliases: &["processes", "process", "multiprocess", "multiprocessing"],
        title: "Multiprocessing",
        width: Width::PerCpu,
        one_thread: false,
        companion: Some(Companion {
            binary: "slide05-child",
            source: "crates/slide05-multiprocess/src/bin/slide05-child.rs",
            aliases: &["child"],
        }),
        queue: false,
        deck: "10 s",
        notes: "10-12 s",
    },
    Slide {
        number: "6",
        binary: "slide06-threads",
        package: "slide06-threads",
        source: "crates/slide06-threads/src/main.rs",
        model: "threads",
        aliases: &["threads", "thread", "multithreading"],
        title: "Multithreading",
        width: Width::Fixed(40),
        one_thread: false,
        companion: None,
        queue: false,
        deck: "3 s",
        notes: "5-6 s",
    },
    Slide {
        number: "7a",
        binary: "slide07a-coroutines",
        package: "slide07a-coroutines",
        source: "crates/slide07a-coroutines/src/main.rs",
        model: "coroutines",
        aliases: &["coroutines", "coroutine"],
        title: "Coroutines by hand",
        deck: "not shown",
        notes: "not shown",
        ..TOKIO
    },
    TOKIO,
    Slide {
        number: "7b",
        binary: "slide07b-blocking",
        package: "slide07b-blocking",
        source: "crates/slide07b-blocking/src/main.rs",
        model: "blocking",
        aliases: &["blocking", "blocked"],
        title: "Blocking the event loop",
        deck: "not shown",
        notes: "not shown",
        ..TOKIO
    },
    Slide {
        number: "7c",
        binary: "slide07c-http2",
        package: "slide07c-http2",
        source: "crates/slide07c-http2/src/main.rs",
        model: "http2",
        aliases: &["http2", "h2"],
        title: "HTTP/2: one connection, many streams",
        deck: "not shown",
        notes: "not shown",
        ..TOKIO
    },
    Slide {
        number: "8",
        binary: "slide08-producer",
        package: "slide08-queue",
        source: "crates/slide08-queue/src/bin/slide08-producer/main.rs",
        model: "queue",
        aliases: &["producer", "queue", "celery"],
        title: "Celery and Redis (a Redis queue)",
        width: Width::PerWorker(32),
        one_thread: false,
        companion: Some(Companion {
            binary: "slide08-worker",
            source: "crates/slide08-queue/src/bin/slide08-worker/main.rs",
            aliases: &["worker"],
        }),
        queue: true,
        deck: "0.1 s",
        notes: "0.01 s",
    },
];

/// One of the talk's own programs in Python (`python/`, run by `scripts/python.sh`), which the
/// talk can run beside its slide (`lab talk --python`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonOriginal {
    /// The slide it sits beside.
    pub number: &'static str,
    /// Its name for `scripts/python.sh`.
    pub program: &'static str,
    /// Its file in `python/`, which its summary names as its slide.
    pub file: &'static str,
}

/// The Python originals, in the talk's order.
pub const PYTHON_ORIGINALS: &[PythonOriginal] = &[
    PythonOriginal {
        number: "4",
        program: "sync",
        file: "sync.py",
    },
    PythonOriginal {
        number: "5",
        program: "processes",
        file: "processes.py",
    },
    PythonOriginal {
        number: "6",
        program: "threads",
        file: "threads.py",
    },
    PythonOriginal {
        number: "7",
        program: "asyncio",
        file: "async_io.py",
    },
    PythonOriginal {
        number: "8",
        program: "celery",
        file: "celery_producer.py",
    },
    PythonOriginal {
        number: "8",
        program: "rq",
        file: "rq_producer.py",
    },
];

/// The Python originals of `slide`.
pub fn python_originals(slide: &Slide) -> impl Iterator<Item = &'static PythonOriginal> + '_ {
    PYTHON_ORIGINALS
        .iter()
        .filter(move |python| python.number == slide.number)
}

/// The Python original whose summary names `file` as its slide, and the slide it sits beside.
pub fn python_original(file: &str) -> Option<(&'static PythonOriginal, &'static Slide)> {
    let python = PYTHON_ORIGINALS.iter().find(|python| python.file == file)?;
    Some((python, find(python.number)?))
}

/// The least `requests` requests can take at width `concurrency`, each waiting `delay` seconds
/// and then computing for `work` seconds, on `cores` cores: ⌈N/C⌉ rounds of waiting and
/// working, and never less than all the work spread over as many cores as there are requests
/// in flight. The comparison's floor, and the benchmark's: a model that takes this long wasted
/// nothing. A one-thread model has one core, whatever the machine has.
pub fn floor(requests: usize, concurrency: usize, delay: f64, work: f64, cores: usize) -> f64 {
    let rounds = requests.div_ceil(concurrency.max(1)) as f64 * (delay + work);
    let computing = requests as f64 * work / concurrency.min(cores).max(1) as f64;
    rounds.max(computing)
}

/// The slide a number, binary name or alias stands for (`6`, `06`, `threads`, `slide06-threads`).
pub fn find(name: &str) -> Option<&'static Slide> {
    let name = name.trim().to_ascii_lowercase();
    let number = name.trim_start_matches('0');
    SLIDES.iter().find(|slide| {
        slide.number == number || slide.binary == name || slide.aliases.contains(&name.as_str())
    })
}

/// The source file a name stands for: a slide's `main.rs`, or its companion's (`worker`).
pub fn source(name: &str) -> Option<&'static str> {
    if let Some(slide) = find(name) {
        return Some(slide.source);
    }
    let name = name.trim().to_ascii_lowercase();
    SLIDES
        .iter()
        .filter_map(|slide| slide.companion)
        .find(|c| c.binary == name || c.aliases.contains(&name.as_str()))
        .map(|c| c.source)
}

#[cfg(test)]
#[path = "talk_tests.rs"]
mod tests;
