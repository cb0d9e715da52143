//! [`WorkerStats`]: what a worker measures of itself for
//! [`Handle::metrics`](pool_core::Handle::metrics).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use pool_core::backend::BusyClock;
use pool_core::WorkerMetrics;

/// Busy time, parks and the run queue's length of one worker. Written by the worker
/// (relaxed stores, no lock), read by any thread.
#[derive(Debug, Default)]
pub struct WorkerStats {
    /// Busy time (the thread's CPU time) and parks, recorded around each blocking
    /// wait.
    busy: BusyClock,
    /// The run queue's length, sampled once per loop turn.
    run_queue: AtomicU64,
}

impl WorkerStats {
    /// Stats of a worker starting now, on the calling thread (see [`BusyClock::new`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the worker parks now (call it just before blocking).
    pub fn parking(&self) {
        self.busy.parking();
    }

    /// [`parking`](WorkerStats::parking) with the park's start `now` just read.
    pub fn parking_at(&self, now: Instant) {
        self.busy.parking_at(now);
    }

    /// Records that the park has ended (call it when the blocking wait returns).
    pub fn unparked(&self) {
        self.busy.unparked();
    }

    /// Records the run queue's length (once per loop turn).
    pub fn set_run_queue(&self, len: usize) {
        self.run_queue.store(len as u64, Ordering::Relaxed);
    }

    /// Fills busy time, parks and the queue depth (`inbox` is the remote queue's
    /// length).
    pub fn fill(&self, inbox: usize, into: &mut WorkerMetrics) {
        self.busy.fill(into);
        into.queue_depth = Some(self.run_queue.load(Ordering::Relaxed) + inbox as u64);
    }
}
