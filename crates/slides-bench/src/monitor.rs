//! Watching, while a scenario runs, for programs that are someone else's work.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::notes::note;
use crate::quiet::others;

/// Watches, while a scenario runs, for programs that are someone else's work.
pub struct Monitor {
    stop: Arc<AtomicBool>,
    sampler: thread::JoinHandle<Interference>,
}

/// What the monitor saw.
#[derive(Debug, Clone, Default)]
pub struct Interference {
    pub samples: usize,
    /// Samples in which another program was running.
    pub busy: usize,
    pub names: Vec<String>,
}

impl Interference {
    /// A note for the scenario's section: whether it ran alone.
    pub fn summary(&self) -> String {
        let summary = if self.busy == 0 {
            note("monitor.alone")
        } else {
            note("monitor.not-alone")
                .with("names", self.names.join(", "))
                .with("busy", self.busy)
        };
        summary
            .with("looks", self.samples)
            .with("every", MONITOR_EVERY.as_secs())
            .text()
    }
}

const MONITOR_EVERY: Duration = Duration::from_secs(2);

impl Monitor {
    pub fn start() -> Monitor {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let sampler = thread::spawn(move || {
            let mut seen = Interference::default();
            let mut next = Instant::now();
            // Bounded: ends when the scenario does.
            while !stopped.load(Ordering::Relaxed) {
                if Instant::now() >= next {
                    next += MONITOR_EVERY;
                    let names = others();
                    seen.samples += 1;
                    if !names.is_empty() {
                        seen.busy += 1;
                        seen.names.extend(names);
                        seen.names.sort();
                        seen.names.dedup();
                    }
                }
                thread::sleep(Duration::from_millis(100));
            }
            seen
        });
        Monitor { stop, sampler }
    }

    pub fn finish(self) -> Interference {
        self.stop.store(true, Ordering::Relaxed);
        self.sampler.join().unwrap_or_default()
    }
}
