//! Per-worker counters: accepted connections, bytes echoed, reads, hot requests.
//!
//! A counter slot is chosen by the name of the thread doing the work (`srv-w{i}`), so
//! the counts show balance on every backend, including the work-stealing baseline,
//! where a task may move between threads.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::server::WORKER_PREFIX;

/// Counters of one worker thread.
#[derive(Debug, Default)]
struct Counters {
    accepted: AtomicU64,
    bytes: AtomicU64,
    reads: AtomicU64,
    hot: AtomicU64,
}

/// What one worker (or "other" threads) did, at one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerCounts {
    /// Connections registered with this worker.
    pub accepted: u64,
    /// Bytes echoed.
    pub bytes: u64,
    /// Successful reads.
    pub reads: u64,
    /// Requests of hot connections, each of which cost the run's `--work-us`.
    #[serde(default)]
    pub hot: u64,
}

impl WorkerCounts {
    /// The counts accumulated since `earlier`.
    pub fn since(&self, earlier: &WorkerCounts) -> WorkerCounts {
        WorkerCounts {
            accepted: self.accepted.saturating_sub(earlier.accepted),
            bytes: self.bytes.saturating_sub(earlier.bytes),
            reads: self.reads.saturating_sub(earlier.reads),
            hot: self.hot.saturating_sub(earlier.hot),
        }
    }
}

/// A snapshot of every worker's counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Worker `i` (thread `srv-w{i+1}`).
    pub workers: Vec<WorkerCounts>,
    /// Work done on threads that are not numbered workers (e.g. tokio's blocking pool).
    pub other: WorkerCounts,
    /// Failed accepts or socket registrations.
    pub accept_errors: u64,
}

impl StatsSnapshot {
    /// Total bytes echoed by all threads.
    pub fn total_bytes(&self) -> u64 {
        self.workers.iter().map(|w| w.bytes).sum::<u64>() + self.other.bytes
    }

    /// The counts accumulated since `earlier`.
    pub fn since(&self, earlier: &StatsSnapshot) -> StatsSnapshot {
        StatsSnapshot {
            workers: self
                .workers
                .iter()
                .zip(&earlier.workers)
                .map(|(a, b)| a.since(b))
                .collect(),
            other: self.other.since(&earlier.other),
            accept_errors: self.accept_errors.saturating_sub(earlier.accept_errors),
        }
    }
}

/// The server's counters, shared by all workers.
#[derive(Debug)]
pub struct ServerStats {
    workers: Vec<Counters>,
    other: Counters,
    accept_errors: AtomicU64,
}

thread_local! {
    /// This thread's worker index, parsed from its name once.
    static SLOT: Cell<Option<Option<usize>>> = const { Cell::new(None) };
}

fn current_slot() -> Option<usize> {
    SLOT.with(|slot| {
        if let Some(s) = slot.get() {
            return s;
        }
        let s = std::thread::current()
            .name()
            .and_then(|n| n.strip_prefix(WORKER_PREFIX))
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| i.checked_sub(1));
        slot.set(Some(s));
        s
    })
}

impl ServerStats {
    /// Counters for `workers` workers.
    pub fn new(workers: usize) -> ServerStats {
        ServerStats {
            workers: (0..workers).map(|_| Counters::default()).collect(),
            other: Counters::default(),
            accept_errors: AtomicU64::new(0),
        }
    }

    fn here(&self) -> &Counters {
        current_slot()
            .and_then(|i| self.workers.get(i))
            .unwrap_or(&self.other)
    }

    /// Counts a connection registered on the calling thread.
    pub fn accepted(&self) {
        self.here().accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts `bytes` read and echoed on the calling thread.
    pub fn echoed(&self, bytes: usize) {
        let c = self.here();
        c.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        c.reads.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts `requests` of a hot connection worked on the calling thread.
    pub fn worked(&self, requests: u64) {
        self.here().hot.fetch_add(requests, Ordering::Relaxed);
    }

    /// Counts a failed accept or registration.
    pub fn accept_error(&self) {
        self.accept_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        let load = |c: &Counters| WorkerCounts {
            accepted: c.accepted.load(Ordering::Relaxed),
            bytes: c.bytes.load(Ordering::Relaxed),
            reads: c.reads.load(Ordering::Relaxed),
            hot: c.hot.load(Ordering::Relaxed),
        };
        StatsSnapshot {
            workers: self.workers.iter().map(load).collect(),
            other: load(&self.other),
            accept_errors: self.accept_errors.load(Ordering::Relaxed),
        }
    }
}
