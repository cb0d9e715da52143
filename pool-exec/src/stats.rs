//! [`WorkerStats`]: what a worker measures of itself for
//! [`Handle::metrics`](pool_core::Handle::metrics).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use pool_core::backend::ParkCounters;
use pool_core::WorkerMetrics;

/// Busy time, parks and the run queue's length of one worker. Written by the worker
/// (relaxed stores, no lock), read by any thread.
#[derive(Debug)]
pub struct WorkerStats {
    started: Instant,
    /// Busy time and parks, recorded by the worker around each blocking wait.
    pub parks: ParkCounters,
    /// The run queue's length, sampled once per loop turn.
    run_queue: AtomicU64,
}

impl Default for WorkerStats {
    fn default() -> Self {
        Self::new()
    }
}

impl WorkerStats {
    /// Stats of a worker starting now.
    pub fn new() -> Self {
        WorkerStats {
            started: Instant::now(),
            parks: ParkCounters::default(),
            run_queue: AtomicU64::new(0),
        }
    }

    /// Records that the worker parks now (call it just before blocking).
    pub fn parking(&self) {
        self.parks.parking(self.started.elapsed());
    }

    /// Records the run queue's length (once per loop turn).
    pub fn set_run_queue(&self, len: usize) {
        self.run_queue.store(len as u64, Ordering::Relaxed);
    }

    /// Fills busy time, parks and the queue depth (`inbox` is the remote queue's
    /// length).
    pub fn fill(&self, inbox: usize, into: &mut WorkerMetrics) {
        self.parks.fill(self.started.elapsed(), into);
        into.queue_depth = Some(self.run_queue.load(Ordering::Relaxed) + inbox as u64);
    }
}
