    // ✎ Your turn: write the lesson from here to the closing ✎ line, in place of the todo!().
    // Make a client, then fetch request number 1, then 2, … up to flags.requests, one after
    // another, and record each answer:
    //     let client = Agent::new_with_config(common::ureq_config(flags.timeout).build());
    //     let fetch = || retry::blocking(flags.retries, || fetch_one(&client, flags));
    //     report.record(clock.time(index, fetch)); // `let clock = report.clock();` first
    // Hint: a plain `for` loop. Every other model starts from this one.
    todo!("fetch_all: one request after another")
    // ✎ Then run `scripts/exercise.sh check sync`: it tells you what works and what not.
