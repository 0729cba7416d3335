//! The reactor: whoever wakes a task that yielded because its socket would block.
//!
//! A real reactor (epoll on Linux, kqueue on macOS; tokio gets them through mio) registers each
//! socket with the OS along with the waiting task's `Waker`, sleeps in one system call until the OS
//! says "socket 7 is readable", and wakes exactly that task. It keeps timers too, so a deadline
//! wakes its task on time. The standard library has no such call, so ours is the simplest honest
//! stand-in: it keeps the waker of every waiting task, naps for a millisecond, and wakes them all
//! to *try again*. A task whose socket is still not ready gets `WouldBlock` again and yields again.
//! It is correct — a woken task always retries before it waits — but it costs one `read` per
//! waiting task per millisecond (little for 50 sockets, a waste for 50 000), and up to a
//! millisecond of delay before a task sees its answer.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// How long to sleep when no task can run: short enough not to delay answers noticeably, long
/// enough that 50 waiting tasks cost a few per cent of one CPU, not all of it.
const NAP: Duration = Duration::from_millis(1);

thread_local! {
    /// The wakers of the tasks waiting for a socket. Everything runs on one thread, so a
    /// thread-local is enough (tokio also finds its reactor through a thread-local "context").
    static WAITING: RefCell<Vec<Waker>> = const { RefCell::new(Vec::new()) };
}

/// The coroutine's `yield`: `reactor::wait_for_io().await` gives the thread back to the
/// executor until the reactor wakes this task.
pub fn wait_for_io() -> WaitForIo {
    WaitForIo { yielded: false }
}

/// The one future in this crate written by hand; every other is an `async fn` built on it.
pub struct WaitForIo {
    yielded: bool,
}

impl Future for WaitForIo {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Polled again: we were woken, so go back and try the socket.
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // The rule of `Pending`: before returning it, make sure someone will wake you. A task
        // that returns `Pending` without leaving its waker anywhere is never polled again.
        WAITING.with_borrow_mut(|waiting| waiting.push(cx.waker().clone()));
        Poll::Pending
    }
}

/// The timer `--retries` waits on between tries. A real reactor keeps timers, and sleeps in
/// `epoll_wait` no longer than until the nearest one is due. Ours needs none: it wakes every
/// waiting task each millisecond anyway, so a sleeping task just looks at the clock each time
/// it is woken, and yields again until its time has come.
pub async fn sleep(duration: Duration) {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        wait_for_io().await;
    }
}

/// What the executor calls when no task can run: sleep a little, then wake every waiting task.
/// Gives how many it woke.
pub fn nap_and_wake() -> usize {
    thread::sleep(NAP);
    let waiting = WAITING.take();
    for waker in &waiting {
        waker.wake_by_ref();
    }
    waiting.len()
}
