        // ✎ Your turn: write the run loop from here to the closing ✎ line, in place of todo!().
        // Run every task to its end, all on this one thread. What you have:
        //   - self.run_queue.try_recv(): the number of a task that can make progress, if any;
        //   - self.poll(number): runs that task until it finishes or yields (read it below);
        //   - self.tasks: the tasks not finished yet;
        //   - reactor::nap_and_wake(): naps a millisecond, then wakes every waiting task;
        //   - signals.get(): Some(signal) once Ctrl-C or SIGTERM came.
        // Return None once every task has finished, Some(signal) as soon as a signal comes.
        // Hint: an empty run queue does not mean the work is done; the tasks may be waiting.
        todo!("Executor::run: poll the tasks until none is left")
        // ✎ Then run `scripts/exercise.sh check coroutines`: it says what works and what not.
