//! What an exercise is: the slide it comes from, the file you edit, the function whose body is
//! the lesson, and what a check holds it to. The exercises themselves are in `exercises.rs`.

use lab::talk::{self, Slide};

/// One exercise: a slide's own code with the lesson (a function's body) left for you to write.
#[derive(Debug)]
pub struct Exercise {
    /// Its folder under `exercises/`: `06-threads`.
    pub dir: &'static str,
    /// The slide it comes from, as `lab::talk` numbers it: `6`.
    pub slide: &'static str,
    /// The file you edit, in its folder: `src/main.rs`.
    pub file: &'static str,
    /// The slide's own copy of that file, from the workspace's root: the solution.
    pub solution: &'static str,
    /// The function whose body you write, as its signature reads up to the `(`.
    pub lesson: &'static str,
    /// That function as a learner calls it: `fetch_all`.
    pub shown: &'static str,
    /// About how long it takes, for the README's plan.
    pub minutes: u32,
    /// How a check runs it.
    pub run: Run,
    /// What to say when a property does not hold.
    pub hints: Hints,
    /// `hint NAME`, one more each time: from where to start to the last step, never the code.
    pub steps: &'static [&'static str],
}

/// How a check runs an exercise, and the shape its model must show.
#[derive(Debug)]
pub struct Run {
    /// How many requests: enough for the width to show, few enough to take a second.
    pub requests: usize,
    /// `--concurrency C` when the check chooses the width, so that it does not depend on the
    /// machine's CPUs or on the requests; `None` keeps the slide's own default.
    pub concurrency: Option<usize>,
    /// A second, smaller `--concurrency` the check runs it at too, to see that it keeps to the
    /// width it is given, not to one of its own; `None` for sync, which has no width.
    pub narrower: Option<usize>,
    /// The width in words: what keeps that many requests in flight.
    pub promise: &'static str,
    /// What the OS must show of the program while its requests are in flight. `None` for
    /// sync, whose one request at a time is the main thread's, and for the queue's worker,
    /// whose multi-thread runtime has as many threads as the machine has CPUs, whatever its
    /// width.
    pub shape: Option<Shape>,
    /// Other packages whose binaries it runs (slide 5's children).
    pub also_build: &'static [&'static str],
}

/// What the OS sees of a model while its requests are in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A child process for each request in flight.
    ChildPerRequest,
    /// A thread for each request in flight, and the main thread: more threads than requests.
    ThreadPerRequest,
    /// One thread, however many requests are in flight.
    OneThread,
}

/// A hint for each way a check can fail; the first failure gets its hint printed.
#[derive(Debug)]
pub struct Hints {
    /// Fewer requests in flight than the model promises.
    pub too_few: &'static str,
    /// More requests in flight than the model promises.
    pub too_many: &'static str,
    /// At the narrower width, more requests in flight than that width: it ignores the width.
    pub ignores_width: &'static str,
    /// E0521 or E0373 at a spawn: a thread or task borrows what it may outlive.
    pub escapes: &'static str,
    /// The OS sees the wrong shape.
    pub shape: &'static str,
    /// Not every request was answered once with a UUID of its own.
    pub answers: &'static str,
    /// It did not finish in time.
    pub hangs: &'static str,
}

impl Exercise {
    /// The slide it comes from, in the talk's list.
    pub fn slide(&self) -> &'static Slide {
        // The table's own promise, which its tests check: every exercise names a slide.
        talk::find(self.slide).expect("every exercise comes from a slide of the talk")
    }

    /// Its Cargo package, which is also its binary: `ex06-threads`.
    pub fn package(&self) -> String {
        format!("ex{}", self.dir)
    }

    /// Whether it is the queue's worker: then the slide's producer makes the requests, through
    /// a private Redis and the exercise as its one worker, told `--concurrency`.
    pub fn is_queue_worker(&self) -> bool {
        self.slide().queue
    }

    /// How it is named in `list`: the slide's own short name (`threads`).
    pub fn name(&self) -> &'static str {
        self.slide().model
    }

    /// How many requests the server must see in flight at once.
    pub fn width(&self) -> usize {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        match self.run.concurrency {
            Some(c) => c.min(self.run.requests),
            None => self.slide().width.resolve(self.run.requests, cpus),
        }
    }

    /// The file you edit, from the workspace's root.
    pub fn path(&self) -> String {
        format!("exercises/{}/{}", self.dir, self.file)
    }

    /// The blank's lesson body, kept beside the exercise, from the workspace's root.
    pub fn blank_body(&self) -> String {
        format!("exercises/{}/blank.rs", self.dir)
    }
}
