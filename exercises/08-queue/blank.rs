    // ✎ Your turn: write the worker's loop from here to the closing ✎ line, instead of todo!().
    // Run up to worker.flags.concurrency jobs at once, each in a task of its own, until a signal
    // comes; then hand over to finish(running, ok, taken, signals).await, which lets the jobs in
    // flight finish. What you have:
    //   - a tokio::sync::Semaphore of that many permits: a permit is a free slot;
    //   - worker.take(n, &mut away).await: up to n jobs from the queue, or Err(wait) when Redis
    //     is away (`away`, first None, remembers the last wait: each is longer);
    //   - worker.run(&job, fetch_one).await: runs one job, and gives its outcome;
    //   - worker.store_and_acknowledge(&job, outcome).await: true if the job ended ok;
    //   - a JoinSet to spawn each job into (with its permit, freed when the job ends), and
    //     reap(&mut running), which counts the jobs that have ended ok;
    //   - signals.next().await: the next Ctrl-C or SIGTERM; tokio::select! waits for either.
    todo!("work: take jobs while there are free slots")
    // ✎ Then run `scripts/exercise.sh check queue`: it tells you what works and what not.
