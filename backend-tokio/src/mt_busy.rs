//! [`ThreadBusy`]: busy time per worker thread of a
//! [`TokioMultiThread`](crate::TokioMultiThread), from its park hooks.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use pool_core::backend::BusyClock;
use pool_core::WorkerMetrics;

thread_local! {
    /// This worker thread's clock in its runtime's [`ThreadBusy`], once it has parked.
    static SLOT: Cell<Option<usize>> = const { Cell::new(None) };
}

/// One [`BusyClock`] per worker thread, each claimed by a thread at its first park:
/// worker `i` of the metrics is the `i`-th thread to park (tokio's own worker indices
/// are not visible to its hooks). tokio's busy duration leaves out the time its I/O
/// driver runs, a third of a worker's CPU time in an echo server; this is the thread's
/// CPU time.
#[derive(Debug)]
pub(crate) struct ThreadBusy {
    clocks: Vec<BusyClock>,
    claimed: AtomicUsize,
}

impl ThreadBusy {
    pub(crate) fn new(workers: usize) -> Self {
        ThreadBusy {
            // Made on the builder's thread: each reads its worker's CPU from its first park.
            clocks: (0..workers).map(|_| BusyClock::off_thread()).collect(),
            claimed: AtomicUsize::new(0),
        }
    }

    /// The calling worker thread's clock, claimed at its first call.
    fn clock(&self) -> Option<&BusyClock> {
        let slot = SLOT.with(|s| {
            if s.get().is_none() {
                s.set(Some(self.claimed.fetch_add(1, Ordering::Relaxed)));
            }
            s.get()
        });
        slot.and_then(|i| self.clocks.get(i))
    }

    /// The `on_thread_park` hook.
    pub(crate) fn parking(&self) {
        if let Some(clock) = self.clock() {
            clock.parking();
        }
    }

    /// The `on_thread_unpark` hook.
    pub(crate) fn unparked(&self) {
        if let Some(clock) = self.clock() {
            clock.unparked();
        }
    }

    /// Fills worker `i`'s busy time and parks (before its thread first parks, its
    /// whole uptime counts as busy).
    pub(crate) fn fill(&self, i: usize, into: &mut WorkerMetrics) {
        if let Some(clock) = self.clocks.get(i) {
            clock.fill(into);
        }
    }
}
