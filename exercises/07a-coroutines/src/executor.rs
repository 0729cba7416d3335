//! The executor: a run queue of tasks, and a loop that polls them, all on this one thread.
//!
//! A task is a future — here one request's `async fn`. Polling it runs it until it finishes
//! (`Poll::Ready`) or until it would have to wait (`Poll::Pending`): that return is the
//! coroutine's `yield`. A task that yielded is not polled again until something calls the
//! `Waker` we lent it, which puts it back on the run queue. Who calls it? The reactor
//! (`reactor.rs`), once the task's socket may be ready.
//!
//! tokio's scheduler is this loop plus worker threads that steal tasks from one another and a
//! budget that stops one busy task from starving the rest; its contract with the futures is
//! the same.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::task::{Context, Wake, Waker};

use common::{Signal, SignalFlag};

use crate::reactor;

/// A future of any size behind one type, so that all tasks fit in one map. Pinned, because
/// once an `async fn` has run it may point into itself (a borrow held across an `.await`), so
/// it must not move again. `'a`, not `'static`: `run` returns only when every task is done, so
/// tasks may borrow from the caller — no `Arc` needed, unlike `tokio::spawn`.
type BoxFuture<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// A task: its future, and the waker that puts it back on the run queue.
struct Task<'a> {
    future: BoxFuture<'a>,
    waker: Waker,
}

pub struct Executor<'a> {
    /// Tasks by number. A finished task is removed.
    tasks: HashMap<usize, Task<'a>>,
    /// The run queue: numbers of tasks that can make progress. Wakers send, the loop receives.
    /// A channel rather than a `VecDeque`, because a `Waker` must be `Send + Sync` — std
    /// assumes any waker may be called from another thread, even though ours never are.
    run_queue: Receiver<usize>,
    wake: Sender<usize>,
}

impl<'a> Executor<'a> {
    pub fn new() -> Self {
        let (wake, run_queue) = mpsc::channel();
        Executor {
            tasks: HashMap::new(),
            run_queue,
            wake,
        }
    }

    /// Adds a task, straight onto the run queue: its first poll is what starts it.
    pub fn spawn(&mut self, future: impl Future<Output = ()> + 'a) {
        let number = self.tasks.len();
        let waker = Waker::from(Arc::new(TaskWaker {
            number,
            run_queue: self.wake.clone(),
        }));
        waker.wake_by_ref();
        let future = Box::pin(future);
        self.tasks.insert(number, Task { future, waker });
    }

    /// Runs every task to its end, on this thread — or until Ctrl-C or SIGTERM, which it gives
    /// back: then the tasks left are dropped, which closes their sockets.
    pub fn run(mut self, signals: &SignalFlag) -> Option<Signal> {
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
    }

    /// Polls one task: it runs until it finishes or yields.
    fn poll(&mut self, number: usize) {
        // Woken twice and already finished: nothing to do.
        let Some(task) = self.tasks.get_mut(&number) else {
            return;
        };
        let mut context = Context::from_waker(&task.waker);
        if task.future.as_mut().poll(&mut context).is_ready() {
            self.tasks.remove(&number);
        }
        // Otherwise it yielded, and left a clone of its waker with the reactor on the way out.
    }
}

/// What calling a task's `Waker` does: put the task's number back on the run queue.
struct TaskWaker {
    number: usize,
    run_queue: Sender<usize>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Sending fails only once the executor is gone, and then there is nothing to run.
        let _ = self.run_queue.send(self.number);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Poll;

    /// A task that yields `times` times before it finishes, waking itself each time, as a
    /// reactor would.
    async fn yield_times(times: usize, name: &'static str, log: &std::cell::RefCell<Vec<String>>) {
        for step in 0..times {
            log.borrow_mut().push(format!("{name}{step}"));
            let mut yielded = false;
            std::future::poll_fn(|cx| {
                if yielded {
                    return Poll::Ready(());
                }
                yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            })
            .await;
        }
    }

    #[test]
    fn tasks_take_turns_at_each_yield() {
        let log = std::cell::RefCell::new(Vec::new());
        let mut executor = Executor::new();
        executor.spawn(yield_times(2, "a", &log));
        executor.spawn(yield_times(3, "b", &log));
        executor.spawn(yield_times(1, "c", &log));
        assert_eq!(executor.run(&SignalFlag::listen_exit_on_second()), None);
        assert_eq!(log.into_inner(), ["a0", "b0", "c0", "a1", "b1", "b2"]);
    }
}
