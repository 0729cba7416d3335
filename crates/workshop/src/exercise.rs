//! The exercises, in the talk's order: for each, the slide it comes from, the file you edit,
//! the function whose body is the lesson, and what a check holds it to.

use lab::talk::{self, Slide};

/// One exercise: a slide's own code with the lesson (a function's body) left for you to write.
#[derive(Debug)]
pub struct Exercise {
    /// Its folder under `exercises/`: `06-threads`.
    pub dir: &'static str,
    /// The slide it comes from, as `lab::talk` numbers it: `6`.
    pub slide: &'static str,
    /// Its Cargo package, which is also its binary: `ex06-threads`.
    pub package: &'static str,
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
    /// Who makes the requests.
    pub runs: Runs,
    /// Other packages whose binaries it runs (slide 5's children).
    pub also_build: &'static [&'static str],
}

/// Who makes the requests in a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// The exercise's own binary.
    Itself,
    /// The slide's producer, through a private Redis and the exercise as its one worker, which
    /// is told `--concurrency`.
    QueueWorker,
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

/// Every exercise, in the talk's order: the order to do them in.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        dir: "04-sync",
        slide: "4",
        package: "ex04-sync",
        file: "src/main.rs",
        solution: "crates/slide04-sync/src/main.rs",
        lesson: "fn fetch_all(",
        shown: "fetch_all",
        minutes: 5,
        run: Run {
            requests: 5,
            concurrency: None,
            narrower: None,
            promise: "one after another",
            shape: None,
            runs: Runs::Itself,
            also_build: &[],
        },
        hints: Hints {
            too_few: "make the requests, one after another",
            too_many: "sync makes one request, waits for its answer, then makes the next: a \
                       plain `for` loop, no threads",
            shape: "",
            ignores_width: "",
            escapes: "sync needs no thread: call fetch_one in a plain for loop",
            answers: "fetch each request number from 1 to flags.requests once, and give each \
                      result to report.record",
            hangs: "a request that never ends waits at most --timeout: look for a loop that \
                    never ends",
        },
        steps: &[
            "fetch_all makes the requests numbered 1 to flags.requests, each once, in order: one \
             `for` loop over 1..=flags.requests.",
            "For each number, the two lines in the blank's comment: a closure that fetches (with \
             retries), and report.record of what clock.time gives for it. Take the clock once, \
             before the loop.",
            "Nothing else: no thread, no task. The next exercise keeps this loop's body and \
             changes who runs it.",
        ],
    },
    Exercise {
        dir: "05-processes",
        slide: "5",
        package: "ex05-processes",
        file: "src/main.rs",
        solution: "crates/slide05-multiprocess/src/main.rs",
        lesson: "fn fetch_all(",
        shown: "fetch_all",
        minutes: 15,
        run: Run {
            requests: 12,
            concurrency: Some(4),
            narrower: Some(2),
            promise: "one per child process",
            shape: Some(Shape::ChildPerRequest),
            runs: Runs::Itself,
            also_build: &["slide05-multiprocess"],
        },
        hints: Hints {
            too_few: "give every free child a request number (pool.free_child(), pool.give) \
                      before you wait for an answer with pool.next",
            too_many: "give a child a request only while pool.free_child() says it is free",
            shape: "the pool's children make the requests: hand them request numbers, and \
                    make none in this process",
            ignores_width: "give a request only to a child pool.free_child() gives you: the \
                            pool is as wide as --concurrency, and no wider",
            escapes: "the children are processes, not threads: hand them request numbers with \
                      pool.give, and start no thread here",
            answers: "hand out each request number from 1 to flags.requests once, record every \
                      Event::Answered, and put the number of an Event::Lost back in the queue",
            hangs: "pool.next returns None once nothing is in flight: stop then, and hand out \
                    work before each call",
        },
        steps: &[
            "Keep the request numbers still to hand out in a VecDeque, filled with \
             1..=flags.requests, and loop until the pool says nothing is in flight.",
            "At the top of each round, give every free child a number: while pool.free_child() \
             gives a child and the queue gives a number, pool.give(child, index). Only then wait, \
             with pool.next(clock).",
            "What pool.next gives: Event::Answered goes to report.record; Event::Lost(index) goes \
             back in the queue for another child; None means nothing is in flight, and the loop \
             ends.",
        ],
    },
    Exercise {
        dir: "06-threads",
        slide: "6",
        package: "ex06-threads",
        file: "src/main.rs",
        solution: "crates/slide06-threads/src/main.rs",
        lesson: "fn fetch_all(",
        shown: "fetch_all",
        minutes: 15,
        run: Run {
            requests: 20,
            concurrency: Some(5),
            narrower: Some(3),
            promise: "one per thread",
            shape: Some(Shape::ThreadPerRequest),
            runs: Runs::Itself,
            also_build: &[],
        },
        hints: Hints {
            too_few: "start the threads before you wait for any of them",
            too_many: "start `threads` threads, not one per request: each takes request \
                       numbers until none is left",
            shape: "each request in flight needs a thread of its own: start them with \
                    thread::scope",
            ignores_width: "start `threads` threads, the width main gives you, not a number of \
                            your own or one per request",
            escapes: "std::thread::spawn wants what its thread uses to live forever (`'static`), \
                      but client, flags and report are borrowed: start the threads inside \
                      thread::scope(|scope| …) with scope.spawn, which waits for them before \
                      fetch_all returns, so they may borrow",
            answers: "hand out each request number from 1 to flags.requests once (an \
                      AtomicUsize's fetch_add), and give each result to report.record",
            hangs: "thread::scope waits for every thread it started: make sure each one ends \
                    once no request number is left",
        },
        steps: &[
            "thread::scope(|scope| { … }) starts threads that may borrow client, flags and report, \
             and waits at its closing brace for every thread it started.",
            "One AtomicUsize, starting at 1, hands out the numbers: each fetch_add(1, \
             Ordering::Relaxed) gives a number no other thread gets; stop once it passes \
             flags.requests.",
            "Write one closure that takes numbers and fetches until none is left, and start it \
             `threads` times in the scope, with no join in that loop: the scope waits for them.",
        ],
    },
    Exercise {
        dir: "07a-coroutines",
        slide: "7a",
        package: "ex07a-coroutines",
        file: "src/executor.rs",
        solution: "crates/slide07a-coroutines/src/executor.rs",
        lesson: "pub fn run(",
        shown: "Executor::run",
        minutes: 25,
        run: Run {
            requests: 20,
            concurrency: None,
            narrower: Some(5),
            promise: "every request, each a coroutine of its own",
            shape: Some(Shape::OneThread),
            runs: Runs::Itself,
            also_build: &[],
        },
        hints: Hints {
            too_few: "poll every task whose number is on the run queue before you nap: a task \
                      you poll runs until its socket would block, then yields",
            too_many: "keep to the tasks fetch_all spawned",
            shape: "the executor polls every task on this one thread: start no threads",
            ignores_width: "poll only the tasks fetch_all spawned: it spawns `tasks` of them, and \
                            each takes request numbers until none is left",
            escapes: "the executor runs every task on this thread: poll them here, and spawn no \
                      thread",
            answers: "run until self.tasks is empty: return None only once every task has \
                      finished",
            hangs: "a task that returned Pending runs again only once woken: when the run \
                    queue is empty, call reactor::nap_and_wake() to wake the waiting ones",
        },
        steps: &[
            "The loop runs until every task has finished: self.tasks empty. Look at signals.get() \
             once a round, and give back Some(signal) as soon as one came.",
            "A number on the run queue (self.run_queue.try_recv()) is a task that can go on: \
             self.poll(number) runs it until it finishes or yields. Take numbers until none is \
             left.",
            "An empty run queue with tasks left means they all wait for their sockets: \
             reactor::nap_and_wake() naps, then wakes each one, and their numbers are back on the \
             queue.",
        ],
    },
    Exercise {
        dir: "07-tokio",
        slide: "7",
        package: "ex07-tokio",
        file: "src/main.rs",
        solution: "crates/slide07-tokio/src/main.rs",
        lesson: "fn fetch_all(",
        shown: "fetch_all",
        minutes: 10,
        run: Run {
            requests: 20,
            concurrency: None,
            narrower: Some(5),
            promise: "every request, each a future of its own",
            shape: Some(Shape::OneThread),
            runs: Runs::Itself,
            also_build: &[],
        },
        hints: Hints {
            too_few: "make every future first, then await them all together with \
                      future::join_all: an .await inside a for loop waits for one before it \
                      starts the next",
            too_many: "start `futures` futures, each taking request numbers until none is left",
            shape: "tokio's loop runs every future on this one thread: no std::thread, no \
                    spawn_blocking, no second runtime",
            ignores_width: "start `futures` futures, the width main gives you, not one per \
                            request: each takes request numbers until none is left",
            escapes: "tokio::spawn wants a future that owns everything it uses (`'static`), \
                      but client, flags and report are borrowed: run the futures on this one \
                      task instead, as the slide does: make them all, then \
                      future::join_all(…).await",
            answers: "hand out each request number from 1 to flags.requests once, and give \
                      each result to report.record",
            hangs: "look for a future that waits for something that never comes",
        },
        steps: &[
            "An async closure (async || { … }) is one future's work; calling it only builds the \
             future. Nothing runs until something awaits it.",
            "Hand out the numbers as the threads did: one AtomicUsize, and each future takes the \
             next until it passes flags.requests.",
            "Build `futures` of them first, then await them together with future::join_all: an \
             .await inside a for loop would wait for each before it builds the next.",
        ],
    },
    Exercise {
        dir: "08-queue",
        slide: "8",
        package: "ex08-queue",
        file: "src/main.rs",
        solution: "crates/slide08-queue/src/bin/slide08-worker/main.rs",
        lesson: "async fn work(",
        shown: "work",
        minutes: 30,
        run: Run {
            requests: 20,
            concurrency: Some(5),
            narrower: Some(3),
            promise: "the worker's --concurrency, one job each",
            shape: None,
            runs: Runs::QueueWorker,
            also_build: &["slide08-queue"],
        },
        hints: Hints {
            too_few: "take as many jobs as there are free slots (worker.take(free.len(), \
                      &mut away)) and spawn each into the JoinSet before you wait for any",
            too_many: "hold one of the semaphore's permits for each job in flight, until the \
                       job is stored and acknowledged, and take no more jobs than you have \
                       permits",
            shape: "",
            ignores_width: "take no more jobs than the semaphore has free permits: it has \
                            worker.flags.concurrency of them",
            escapes: "a spawned job must own what it uses: clone the Arc<Worker> into it \
                      (`let worker = worker.clone();` then `async move`), and move its permit \
                      in too",
            answers: "run every job worker.take gives you (worker.run(&job, fetch_one)), store \
                      and acknowledge each (worker.store_and_acknowledge), and end with \
                      finish(…), which lets the jobs in flight finish",
            hangs: "look for a wait that nothing ends: a permit never given back, or a \
                    select! with no branch that can come",
        },
        steps: &[
            "A free slot is a permit of the semaphore: wait for one (acquire_owned) in a \
             tokio::select! beside signals.next(), which ends the loop; then take the other free \
             ones without waiting (try_acquire_owned).",
            "worker.take(free slots, &mut away).await gives up to that many jobs: spawn each into \
             the JoinSet as a task that owns a permit and a clone of the Arc<Worker>, runs the \
             job (worker.run) and stores and acknowledges it (worker.store_and_acknowledge). On \
             Err(wait), sleep that long, unless a signal comes first.",
            "After the signal, take nothing more: return finish(running, ok, taken, signals).await, \
             counting in ok what reap(&mut running) gave you along the way.",
        ],
    },
];

impl Exercise {
    /// The slide it comes from, in the talk's list.
    pub fn slide(&self) -> &'static Slide {
        // The table's own promise, which its tests check: every exercise names a slide.
        talk::find(self.slide).expect("every exercise comes from a slide of the talk")
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

/// The exercise a name stands for: whatever `scripts/diff.sh` takes (`threads`, `6`, `7a`),
/// its folder (`06-threads`) or its package (`ex06-threads`). Says what went wrong otherwise.
pub fn find(name: &str) -> Result<&'static Exercise, String> {
    let wanted = name.trim().to_ascii_lowercase();
    let by_dir = EXERCISES
        .iter()
        .find(|exercise| exercise.dir == wanted || exercise.package == wanted);
    if let Some(exercise) = by_dir {
        return Ok(exercise);
    }
    let names = EXERCISES
        .iter()
        .map(|exercise| format!("{} ({})", exercise.name(), exercise.slide))
        .collect::<Vec<_>>()
        .join(", ");
    let Some(slide) = talk::find(&wanted) else {
        return Err(format!(
            "the talk has no slide {name:?}; the exercises are {names}"
        ));
    };
    EXERCISES
        .iter()
        .find(|exercise| exercise.slide == slide.number)
        .ok_or_else(|| match slide.model {
            "blocking" => format!(
                "slide 7b has no exercise: it is the mistake slide 7 teaches you to avoid; \
                 the exercises are {names}"
            ),
            _ => format!(
                "slide {} ({}) has no exercise; the exercises are {names}",
                slide.number, slide.model
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exercise_is_a_slide_of_the_talk_in_the_talks_order() {
        let mut last = 0;
        for exercise in EXERCISES {
            let slide = talk::find(exercise.slide);
            let place = talk::SLIDES.iter().position(|s| Some(s) == slide);
            let place = place.unwrap_or_else(|| panic!("{}: no such slide", exercise.dir));
            assert!(place >= last, "{} is out of the talk's order", exercise.dir);
            last = place;
            let crate_dir = slide.map(|s| s.source.split("/src/").next().unwrap_or_default());
            let solution_dir = exercise.solution.split("/src/").next();
            assert_eq!(crate_dir, solution_dir, "{}", exercise.dir);
            assert_eq!(exercise.package, format!("ex{}", exercise.dir));
            assert!(exercise.dir.ends_with(exercise.name()), "{}", exercise.dir);
        }
    }

    #[test]
    fn names_numbers_folders_and_packages_find_the_same_exercise() {
        for name in [
            "threads",
            "6",
            "06",
            "slide06-threads",
            "06-threads",
            "ex06-threads",
        ] {
            assert_eq!(find(name).map(|e| e.dir), Ok("06-threads"), "{name}");
        }
        assert_eq!(find("7a").map(|e| e.dir), Ok("07a-coroutines"));
        assert_eq!(find("tokio").map(|e| e.dir), Ok("07-tokio"));
        let blocking = find("blocking").err().unwrap_or_default();
        assert!(blocking.contains("no exercise"), "{blocking}");
        let nonsense = find("nope").err().unwrap_or_default();
        assert!(nonsense.contains("threads (6)"), "{nonsense}");
    }

    #[test]
    fn widths_are_what_each_model_promises() {
        // Chosen by the check, never by the machine's CPUs: the same on every laptop.
        let widths: Vec<(&str, usize)> = EXERCISES.iter().map(|e| (e.dir, e.width())).collect();
        let expected = [
            ("04-sync", 1),
            ("05-processes", 4),
            ("06-threads", 5),
            ("07a-coroutines", 20),
            ("07-tokio", 20),
            ("08-queue", 5),
        ];
        assert_eq!(widths, expected);
    }
}
