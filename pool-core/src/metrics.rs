//! Worker metrics: what each worker of a pool has done, read from any thread.

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
    /// Time the worker spent running (polling tasks, turning its reactor) as opposed
    /// to parked, waiting for events. Every backend of this workspace measures it as
    /// the worker thread's CPU time, so that kernel work inside a wait (io_uring
    /// completions, epoll wake-ups) counts as busy
    /// ([`BusyClock`](crate::backend::BusyClock)).
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
