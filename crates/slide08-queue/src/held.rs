//! The jobs a worker holds: it renews its claims on them while they run, and says how many
//! went with a run Redis lost.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use uuid::Uuid;

/// The entries a worker holds, each with its job's run; and the runs Redis lost while it held
/// some, so that it says once per run, and truly, how many jobs went with it.
#[derive(Debug, Default)]
pub struct Held {
    entries: Mutex<HashMap<String, Uuid>>,
    lost: Mutex<HashSet<Uuid>>,
}

impl Held {
    /// Entry `id`, a job of `run`, is taken.
    pub fn took(&self, id: &str, run: Uuid) {
        lock(&self.entries).insert(id.to_owned(), run);
    }

    /// Entry `id` is settled, or given up.
    pub fn settled(&self, id: &str) {
        lock(&self.entries).remove(id);
    }

    /// The entries held right now.
    pub fn entries(&self) -> Vec<String> {
        lock(&self.entries).keys().cloned().collect()
    }

    /// How many jobs of `run` are held, the first time Redis is found to have lost it; `None`
    /// after that, so that only the first of them to find out says so.
    pub fn lost(&self, run: Uuid) -> Option<usize> {
        let first = lock(&self.lost).insert(run);
        first.then(|| {
            lock(&self.entries)
                .values()
                .filter(|&&of| of == run)
                .count()
        })
    }
}

/// A task that panicked leaves the sets at worst one entry off: go on with them.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
