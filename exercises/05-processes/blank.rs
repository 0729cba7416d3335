    // ✎ Your turn: write the lesson from here to the closing ✎ line, in place of the todo!().
    // The pool's children make the requests, one at a time each; you hand them request numbers
    // (1, 2, … up to flags.requests) and record their answers, as Python's `Pool` does.
    // What you have (`let clock = report.clock();` first):
    //   - pool.free_child(): a child that is alive and has no request, if any;
    //   - pool.give(child, index): sends it request number `index`;
    //   - pool.next(clock): waits for what comes back: Some(Event::Answered(fetched)), for
    //     report.record(fetched); Some(Event::Lost(index)), a number to hand out again; or
    //     None once nothing is in flight.
    // Hint: a VecDeque of the numbers still to hand out; keep every child busy.
    todo!("fetch_all: hand the children request numbers")
    // ✎ Then run `scripts/exercise.sh check processes`: it tells you what works and what not.
