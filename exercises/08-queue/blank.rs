    // ✎ Your turn: write the worker's loop from here to the closing ✎ line, instead of todo!().
    // Run up to worker.cli.concurrency jobs at once, each in a task of its own, until a signal
    // comes; then take no new job, let those in flight finish, and give Ok((ok, taken)). A
    // second signal while they finish gives Err(signal). What you have:
    //   - a tokio::sync::Semaphore of that many permits: a permit is a free slot;
    //   - worker.take(n).await: up to n entries from the queue, each (entry, deliveries);
    //   - worker.run(entry, deliveries).await: runs one job; true if it ended ok;
    //   - a JoinSet to spawn each job into (with its permit, freed when the job ends), and
    //     reap(&mut running), which counts the jobs that have ended ok;
    //   - signals.next().await: the next Ctrl-C or SIGTERM; tokio::select! waits for either.
    // Hint: when take fails, Redis is away: say why (worker.target.explain(&err)), wait, retry.
    todo!("work: take jobs while there are free slots")
    // ✎ Then run `scripts/exercise.sh check queue`: it tells you what works and what not.
