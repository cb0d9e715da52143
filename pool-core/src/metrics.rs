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
    /// Tasks spawned through the pool that this worker has started and not finished
    /// yet (tasks still queued for it are in `queue_depth`).
    pub live_tasks: Option<u64>,
    /// Tasks spawned through the pool that this worker has started, in all.
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
    /// Task polls on this worker that ran past the stall threshold and were reported
    /// (see [`Builder::stall_detector`](crate::Builder::stall_detector)). `None` when
    /// the pool runs no stall detector.
    pub stalls: Option<u64>,
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

/// Busy time and parks, for a backend whose event loop measures them itself (the
/// tokio per-thread backend reads tokio's own instead). Written by the worker thread
/// only, read from any thread.
///
/// Times are offsets from the worker's start (the `uptime` the backend passes), so that
/// a park in progress is not counted as busy time.
#[derive(Debug, Default)]
pub struct ParkCounters {
    parks: AtomicU64,
    parked_nanos: AtomicU64,
    /// Nanoseconds from the worker's start to the start of the park in progress, plus
    /// one; 0 when not parked.
    parked_since: AtomicU64,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl ParkCounters {
    /// Records that a park starts now, `uptime` after the worker started.
    pub fn parking(&self, uptime: Duration) {
        let since = nanos(uptime).saturating_add(1);
        self.parked_since.store(since, Ordering::Relaxed);
    }

    /// Records one park that lasted `parked`, and that it has ended.
    pub fn record_park(&self, parked: Duration) {
        self.parks.fetch_add(1, Ordering::Relaxed);
        self.parked_nanos
            .fetch_add(nanos(parked), Ordering::Relaxed);
        self.parked_since.store(0, Ordering::Relaxed);
    }

    /// Fills `parks`, and `busy` as `uptime` minus the time spent parked, the park in
    /// progress included, so that busy time read this way never goes backwards. (A
    /// reader racing the end of a park may count that park twice, which only makes
    /// that one reading low.)
    pub fn fill(&self, uptime: Duration, into: &mut WorkerMetrics) {
        into.parks = Some(self.parks.load(Ordering::Relaxed));
        let since = self.parked_since.load(Ordering::Acquire);
        let mut parked = self.parked_nanos.load(Ordering::Relaxed);
        if since != 0 {
            parked = parked.saturating_add(nanos(uptime).saturating_sub(since - 1));
        }
        into.busy = Some(uptime.saturating_sub(Duration::from_nanos(parked)));
    }
}
