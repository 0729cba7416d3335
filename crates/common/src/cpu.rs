//! Computing, not waiting: the CPU work `--work` adds to each answer, and the CPU a run used;
//! and the files it may hold open, since every connection is one.

use std::hint::black_box;
use std::time::{Duration, Instant};

use nix::sys::resource::{Usage, UsageWho, getrusage};
use nix::sys::time::TimeValLike;
use nix::time::{ClockId, clock_gettime};
use uuid::Uuid;

/// Rounds of the computation between two looks at the clock: a few microseconds of work.
const ROUNDS: u32 = 1024;

/// Spends `duration` of this thread's CPU on a computation over `uuid`, as parsing or hashing
/// an answer would: busy work, never a sleep, so it holds a core the whole time. It is measured
/// on the thread's own CPU clock, not the wall clock, so a thread that must wait for a core
/// still does all of its work. Gives how much CPU it spent: `duration`, or a hair more.
pub fn spend_cpu(uuid: &Uuid, duration: Duration) -> Duration {
    if duration.is_zero() {
        return Duration::ZERO;
    }
    let (wall, cpu) = (Instant::now(), thread_cpu());
    let spent = || match (cpu, thread_cpu()) {
        (Some(start), Some(now)) => now.saturating_sub(start),
        // No CPU clock for threads here: the wall clock is the next best thing.
        _ => wall.elapsed(),
    };
    let mut state = uuid.as_u64_pair().0 ^ uuid.as_u64_pair().1;
    loop {
        let used = spent();
        if used >= duration {
            // The result is the point of computing it: without this, it could be skipped.
            black_box(state);
            return used;
        }
        for _ in 0..ROUNDS {
            state = mix(black_box(state));
        }
    }
}

/// One round of splitmix64: a few multiplies and shifts a compiler cannot fold away.
fn mix(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How much CPU this thread has used since it started.
fn thread_cpu() -> Option<Duration> {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
        .ok()
        .map(Duration::from)
}

/// The CPU this process has used, user and system, on every core — and that of its children
/// that have ended and been waited for (slide 5's pool counts once its children are gone).
pub fn process_cpu() -> Duration {
    let total = |who| {
        getrusage(who).map_or(Duration::ZERO, |usage: Usage| {
            let micros =
                usage.user_time().num_microseconds() + usage.system_time().num_microseconds();
            Duration::from_micros(micros.max(0) as u64)
        })
    };
    total(UsageWho::RUSAGE_SELF) + total(UsageWho::RUSAGE_CHILDREN)
}

/// Raises this process's soft limit on open files to its hard limit, and gives the limit it has
/// now. Each request in flight holds a socket, which is a file: the usual soft limit (1024 on
/// Linux, 256 on macOS) would fail requests past it with "Too many open files". Raising the soft
/// limit up to the hard one needs no privilege; if even that fails, the process runs within the
/// limit it has, and a request that hits it says what to do.
pub fn raise_open_file_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX)
        .or_else(|_| rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _hard)| soft))
        // Not even readable: assume the usual soft limit.
        .unwrap_or(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_takes_cpu_on_this_thread() {
        let uuid = Uuid::from_u128(7);
        let before = thread_cpu().expect("a thread CPU clock");
        let spent = spend_cpu(&uuid, Duration::from_millis(30));
        let used = thread_cpu().expect("a thread CPU clock") - before;
        assert!(
            spent >= Duration::from_millis(30) && used >= spent,
            "{spent:?}, {used:?}"
        );
        assert_eq!(spend_cpu(&uuid, Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn the_process_counts_that_cpu() {
        let before = process_cpu();
        spend_cpu(&Uuid::from_u128(1), Duration::from_millis(30));
        assert!(process_cpu() - before >= Duration::from_millis(30));
    }
}
