//! Every exercise, in the talk's order.

use crate::exercise::{Exercise, Hints, Run, Shape};

/// Every exercise, in the talk's order: the order to do them in.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        dir: "04-sync",
        slide: "4",
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
                      but flags and report are borrowed: start the threads inside \
                      thread::scope(|scope| …) with scope.spawn, which waits for them before \
                      fetch_all returns, so they may borrow",
            answers: "hand out each request number from 1 to flags.requests once (an \
                      AtomicUsize's fetch_add), and give each result to report.record",
            hangs: "thread::scope waits for every thread it started: make sure each one ends \
                    once no request number is left",
        },
        steps: &[
            "thread::scope(|scope| { … }) starts threads that may borrow flags and report, and \
             waits at its closing brace for every thread it started.",
            "One AtomicUsize, starting at 1, hands out the numbers: each fetch_add(1, \
             Ordering::Relaxed) gives a number no other thread gets; stop once it passes \
             flags.requests.",
            "Write one closure that makes its own client, then takes numbers and fetches until \
             none is left, and start it `threads` times in the scope, with no join in that loop: \
             the scope waits for them.",
        ],
    },
    Exercise {
        dir: "07a-coroutines",
        slide: "7a",
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

#[cfg(test)]
#[path = "exercises_tests.rs"]
mod tests;
