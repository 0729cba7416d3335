    // ✎ Your turn: write the lesson from here to the closing ✎ line, in place of the todo!().
    // Run `futures` futures at once, all on this one thread. Each takes the next request number
    // (1, 2, … up to flags.requests) until none is left, fetches it and records it:
    //     let fetch = retry::non_blocking(flags.retries, || fetch_one(client, flags), sleep);
    //     report.record(clock.time_async(index, fetch).await); // `report.clock()` first
    // Hints: an `async` closure or block is one future's work; future::join_all runs many at
    // once and waits for them all. No threads: the event loop is the concurrency.
    todo!("fetch_all: run the futures")
    // ✎ Then run `scripts/exercise.sh check tokio`: it tells you what works and what not.
