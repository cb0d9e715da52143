//! Worker metrics: what each worker of a pool has done, read from any thread.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
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

/// The counters pool-core keeps for one worker of a per-thread pool: tasks started,
/// finished and polled, counted by the task wrapper.
///
/// Owned by the worker: only its own thread writes them (a plain relaxed load and
/// store, no read-modify-write), found through a thread-local rather than a pointer in
/// every task, and on a cache line of their own, so that spawning from another thread
/// never pulls the line away from the worker. Any thread may read them.
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct WorkerCounters {
    spawned: AtomicU64,
    finished: AtomicU64,
    polls: AtomicU64,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<WorkerCounters>>> = const { RefCell::new(None) };
}

/// Clears the calling thread's current [`WorkerCounters`] when dropped.
#[derive(Debug)]
#[must_use = "the counters are current until the guard drops"]
pub struct CountersGuard {
    _private: (),
}

impl Drop for CountersGuard {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.borrow_mut().take());
    }
}

/// Adds one; only the owning worker thread writes, so no read-modify-write is needed.
fn bump(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

impl WorkerCounters {
    /// Makes these the calling worker thread's counters until the guard drops.
    pub fn enter(self: &Arc<Self>) -> CountersGuard {
        CURRENT.with(|c| *c.borrow_mut() = Some(Arc::clone(self)));
        CountersGuard { _private: () }
    }

    /// Calls `f` with the calling thread's counters, if it is a counted worker.
    pub(crate) fn with_current(f: impl FnOnce(&WorkerCounters)) {
        let _ = CURRENT.try_with(|c| {
            if let Ok(current) = c.try_borrow() {
                if let Some(counters) = current.as_deref() {
                    f(counters);
                }
            }
        });
    }

    pub(crate) fn started(&self) {
        bump(&self.spawned);
    }

    pub(crate) fn finished(&self) {
        bump(&self.finished);
    }

    pub(crate) fn polled(&self) {
        bump(&self.polls);
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
