//! Worker metrics: what each worker of a pool has done, read from any thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A snapshot of one worker's counters. See [`Handle::metrics`](crate::Handle::metrics).
///
/// Counters only grow; take two snapshots and subtract to get a rate. A field is
/// `None` where the backend cannot measure it (each backend's docs list which).
///
/// ```
/// use backend_tokio::TokioPool;
/// use pool_core::{Builder, Handle, Runtime};
///
/// let pool: TokioPool = Builder::new().pool_size(2).build()?;
/// pool.block_on(async {});
/// let metrics = pool.handle().metrics();
/// assert_eq!(metrics.workers.len(), 2);
/// assert!(metrics.workers[0].spawned >= Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerMetrics {
    /// The worker index (0-based).
    pub worker: usize,
    /// Tasks spawned through the pool onto this worker that have not finished yet.
    pub live_tasks: Option<u64>,
    /// Tasks spawned through the pool onto this worker, in all.
    pub spawned: Option<u64>,
    /// Polls of those tasks.
    pub polls: Option<u64>,
    /// Time the worker spent running (polling tasks, turning its reactor without
    /// blocking) as opposed to parked, waiting for events.
    pub busy: Option<Duration>,
    /// Times the worker parked (blocked waiting for events).
    pub parks: Option<u64>,
    /// Tasks waiting to run at the moment of the snapshot: the remote queue (spawns
    /// and wakes from other threads) plus the local run queue.
    pub queue_depth: Option<u64>,
}

impl WorkerMetrics {
    /// A snapshot of worker `worker` with every field unknown.
    pub fn new(worker: usize) -> Self {
        WorkerMetrics {
            worker,
            ..WorkerMetrics::default()
        }
    }
}

/// A snapshot of a whole pool: its workers' metrics and pool-wide counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolMetrics {
    /// Tasks spawned through the pool that have not finished yet.
    pub live_tasks: u64,
    /// Tasks that have panicked ([`Handle::task_panics`](crate::Handle::task_panics)).
    pub task_panics: u64,
    /// One entry per worker, in index order.
    pub workers: Vec<WorkerMetrics>,
}

/// The counters pool-core keeps for one worker of a per-thread pool: spawns, polls and
/// finished tasks, counted by the task wrapper. `Relaxed` atomics: no lock, and the
/// cache line is written mostly by the worker itself.
#[derive(Debug, Default)]
pub struct WorkerCounters {
    spawned: AtomicU64,
    finished: AtomicU64,
    polls: AtomicU64,
}

impl WorkerCounters {
    pub(crate) fn spawned(&self) {
        self.spawned.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn finished(&self) {
        self.finished.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn polled(&self) {
        self.polls.fetch_add(1, Ordering::Relaxed);
    }

    /// Fills the fields these counters know into `into`.
    pub fn fill(&self, into: &mut WorkerMetrics) {
        let spawned = self.spawned.load(Ordering::Relaxed);
        let finished = self.finished.load(Ordering::Relaxed);
        into.spawned = Some(spawned);
        // Read apart, the two may cross; a live count never goes below zero.
        into.live_tasks = Some(spawned.saturating_sub(finished));
        into.polls = Some(self.polls.load(Ordering::Relaxed));
    }
}

/// Busy time and parks, for a backend whose event loop measures them itself (the
/// tokio per-thread backend reads tokio's own instead). Written by the worker thread
/// only, read from any thread.
#[derive(Debug, Default)]
pub struct ParkCounters {
    parks: AtomicU64,
    parked_nanos: AtomicU64,
}

impl ParkCounters {
    /// Records one park that lasted `parked`.
    pub fn record_park(&self, parked: Duration) {
        self.parks.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(parked.as_nanos()).unwrap_or(u64::MAX);
        self.parked_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Fills `parks`, and `busy` as `uptime` minus the time spent parked.
    pub fn fill(&self, uptime: Duration, into: &mut WorkerMetrics) {
        into.parks = Some(self.parks.load(Ordering::Relaxed));
        let parked = Duration::from_nanos(self.parked_nanos.load(Ordering::Relaxed));
        into.busy = Some(uptime.saturating_sub(parked));
    }
}
