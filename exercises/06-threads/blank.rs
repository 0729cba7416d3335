    // ✎ Your turn: write the lesson from here to the closing ✎ line, in place of the todo!().
    // Start `threads` threads that all run at the same time. Each makes its own client, as
    // slide 4 makes its one, then takes the next request number (1, 2, … up to
    // flags.requests) until none is left, fetches it and records it:
    //     let fetch = || retry::blocking(flags.retries, || fetch_one(&client, flags));
    //     report.record(clock.time(index, fetch)); // `let clock = report.clock();` first
    // Hints: `std::thread::scope` lets the threads borrow `flags` and `report`; one
    // `AtomicUsize` can hand out the numbers; start every thread before you wait for any.
    todo!("fetch_all: start the threads")
    // ✎ Then run `scripts/exercise.sh check threads`: it tells you what works and what not.
