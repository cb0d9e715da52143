//! Round-robin placement of top-level tasks.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Hands out worker indices `0, 1, …, n-1, 0, …` from one shared counter.
///
/// `Relaxed` is enough: the counter only spreads load; no other memory is published
/// through it.
#[derive(Debug)]
pub struct RoundRobin {
    next: AtomicUsize,
    workers: usize,
}

impl RoundRobin {
    /// Placement over `workers` workers (at least 1).
    pub fn new(workers: usize) -> Self {
        assert!(workers > 0, "RoundRobin over zero workers");
        RoundRobin {
            next: AtomicUsize::new(0),
            workers,
        }
    }

    /// The index of the worker for the next task.
    pub fn next(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % self.workers
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        self.workers
    }
}

#[cfg(test)]
mod tests {
    use super::RoundRobin;

    #[test]
    fn cycles_through_workers() {
        let rr = RoundRobin::new(3);
        let got: Vec<usize> = (0..7).map(|_| rr.next()).collect();
        assert_eq!(got, [0, 1, 2, 0, 1, 2, 0]);
    }
}
