//! [`WorkerStats`]: what a mio worker measures of itself for
//! [`Handle::metrics`](pool_core::Handle::metrics).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use pool_core::backend::ParkCounters;
use pool_core::WorkerMetrics;

/// Busy time, parks and the run queue's length of one worker. Written by the worker
/// (relaxed stores, no lock), read by any thread.
#[derive(Debug)]
pub(crate) struct WorkerStats {
    started: Instant,
    pub(crate) parks: ParkCounters,
    /// The run queue's length, sampled once per loop turn.
    run_queue: AtomicU64,
}

impl WorkerStats {
    pub(crate) fn new() -> Self {
        WorkerStats {
            started: Instant::now(),
            parks: ParkCounters::default(),
            run_queue: AtomicU64::new(0),
        }
    }

    /// Records that the worker parks now.
    pub(crate) fn parking(&self) {
        self.parks.parking(self.started.elapsed());
    }

    pub(crate) fn set_run_queue(&self, len: usize) {
        self.run_queue.store(len as u64, Ordering::Relaxed);
    }

    /// Fills busy time, parks and the queue depth (`inbox` is the remote queue's
    /// length).
    pub(crate) fn fill(&self, inbox: usize, into: &mut WorkerMetrics) {
        self.parks.fill(self.started.elapsed(), into);
        into.queue_depth = Some(self.run_queue.load(Ordering::Relaxed) + inbox as u64);
    }
}
