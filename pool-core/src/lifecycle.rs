//! [`Lifecycle`] and [`StartGate`]: the state every runtime shares, written once.
//!
//! [`Pool`](crate::Pool) and a direct [`Runtime`](crate::Runtime) implementation (the
//! tokio multi-thread adapter) both keep their open/closed state, task tracking,
//! idle waits and worker counters in a `Lifecycle`, and start their workers through a
//! `StartGate`.

use std::any::TypeId;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::config::PoolConfig;
use crate::context::{PoolId, SHUTDOWN_ON_IDLE_IN_WORKER, WorkerContext};
use crate::counters::{CounterOptions, CountersGuard, WorkerCounters};
use crate::error::{BuildError, SpawnError};
use crate::join::JoinHandle;
use crate::metrics::{PoolMetrics, WorkerMetrics};
use crate::placement::Placement;
use crate::task::{LiveTask, TaskParts, TaskTracker};

/// The shared state of one running pool: open or closed, its live tasks, and the
/// counters of its workers.
pub struct Lifecycle {
    id: PoolId,
    tracker: Arc<TaskTracker>,
    closed: AtomicBool,
    /// One per worker where tasks stay on a worker; empty otherwise.
    counters: Vec<Arc<WorkerCounters>>,
    started: Instant,
}

impl Lifecycle {
    /// The state of a new, open pool. `counted_workers` is the number of workers
    /// whose tasks pool-core counts one by one: the pool size for a per-thread pool,
    /// 0 for a runtime whose tasks move between workers.
    pub fn new(counted_workers: usize) -> Arc<Self> {
        Self::with_options(
            counted_workers,
            CounterOptions::default(),
            TaskTracker::new(),
        )
    }

    /// The state of a new, open per-thread pool of `config.pool_size` workers, keeping
    /// the per-worker figures its [`Placement`] and stall detector read.
    pub fn for_pool(config: &PoolConfig) -> Arc<Self> {
        let options = CounterOptions {
            activity: config.placement == Placement::PowerOfTwoChoices,
            watch_polls: config.stall_threshold.is_some(),
        };
        let counts_per_worker = matches!(
            config.placement,
            Placement::LeastLoaded | Placement::PowerOfTwoChoices
        );
        let tracker = if counts_per_worker {
            TaskTracker::per_worker(config.pool_size)
        } else {
            TaskTracker::new()
        };
        Self::with_options(config.pool_size, options, tracker)
    }

    fn with_options(
        counted_workers: usize,
        options: CounterOptions,
        tracker: Arc<TaskTracker>,
    ) -> Arc<Self> {
        let started = Instant::now();
        Arc::new(Lifecycle {
            id: PoolId::next(),
            tracker,
            closed: AtomicBool::new(false),
            counters: (0..counted_workers)
                .map(|_| Arc::new(WorkerCounters::new(started, options)))
                .collect(),
            started,
        })
    }

    /// This pool's id.
    pub fn id(&self) -> PoolId {
        self.id
    }

    /// The context a worker thread of this pool enters.
    pub fn context(self: &Arc<Self>, runtime: TypeId, index: Option<usize>) -> WorkerContext {
        WorkerContext {
            pool: self.id,
            runtime,
            index,
            lifecycle: Arc::clone(self),
        }
    }

    /// `Ok` while the pool accepts spawns.
    ///
    /// # Errors
    ///
    /// [`SpawnError::Shutdown`] once [`close`](Lifecycle::close) was called.
    pub fn check_open(&self) -> Result<(), SpawnError> {
        if self.closed.load(Ordering::Acquire) {
            Err(SpawnError::Shutdown)
        } else {
            Ok(())
        }
    }

    /// Refuses spawns from now on.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Whether [`close`](Lifecycle::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// A new task, counted live (on `worker` too, where given) until dropped; its
    /// backend makes its join handle.
    pub fn live_task(&self, worker: Option<usize>) -> LiveTask {
        LiveTask::new(&self.tracker, worker)
    }

    /// The parts of a new task, and its join handle.
    pub fn task<T>(&self) -> (TaskParts<T>, JoinHandle<T>) {
        TaskParts::new(&self.tracker, None)
    }

    /// The parts of a new task placed on worker `worker`, and its join handle: the
    /// task counts in that worker's load (for
    /// [`Placement::LeastLoaded`]) until dropped.
    pub fn task_on<T>(&self, worker: usize) -> (TaskParts<T>, JoinHandle<T>) {
        TaskParts::new(&self.tracker, Some(worker))
    }

    /// The live tasks placed on `worker` (0 unless the pool places
    /// [`Placement::LeastLoaded`] or [`Placement::PowerOfTwoChoices`]).
    pub fn worker_load(&self, worker: usize) -> usize {
        self.tracker.live_on(worker)
    }

    /// Worker `worker`'s recent busy fraction at `now`, 0 to 1 (1 where pool-core does
    /// not count that worker or the pool does not place by
    /// [`Placement::PowerOfTwoChoices`]).
    pub fn recent_busy(&self, worker: usize, now: Instant) -> f64 {
        self.counters
            .get(worker)
            .map_or(1.0, |counters| counters.recent_busy(now))
    }

    /// The counters of the workers pool-core counts.
    pub(crate) fn counters(&self) -> &[Arc<WorkerCounters>] {
        &self.counters
    }

    /// Makes worker `index`'s counters current on the calling thread (the worker's
    /// own), so that the tasks it polls count there; `None` where pool-core does not
    /// count this runtime's workers.
    pub fn enter_worker(&self, index: usize) -> Option<CountersGuard> {
        self.counters.get(index).map(WorkerCounters::enter)
    }

    /// Tasks spawned through the pool that have not finished.
    pub fn live(&self) -> usize {
        self.tracker.live()
    }

    /// Tasks that have panicked.
    pub fn panics(&self) -> usize {
        self.tracker.panics()
    }

    /// How long ago the pool started.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Blocks until every task has finished.
    ///
    /// # Panics
    ///
    /// If called on one of this pool's workers: it would wait for itself.
    #[track_caller]
    pub fn wait_idle(&self) {
        self.assert_not_own_worker();
        self.tracker.wait_idle();
    }

    /// Blocks until every task has finished or `timeout` has passed; returns how many
    /// tasks were still live.
    ///
    /// # Panics
    ///
    /// If called on one of this pool's workers: it would wait for itself.
    #[track_caller]
    pub fn wait_idle_for(&self, timeout: Duration) -> usize {
        self.assert_not_own_worker();
        let deadline = Instant::now().checked_add(timeout);
        match deadline {
            Some(deadline) => self.tracker.wait_idle_until(deadline),
            None => {
                self.tracker.wait_idle();
                0
            }
        }
    }

    #[track_caller]
    fn assert_not_own_worker(&self) {
        assert!(
            !WorkerContext::is_in(self.id),
            "{}",
            SHUTDOWN_ON_IDLE_IN_WORKER
        );
    }

    /// Worker `worker`'s metrics as far as pool-core counts them (every field `None`
    /// where it does not count that worker's tasks).
    pub fn worker_metrics(&self, worker: usize) -> WorkerMetrics {
        let mut metrics = WorkerMetrics::new(worker);
        if let Some(counters) = self.counters.get(worker) {
            counters.fill(&mut metrics);
        }
        metrics
    }

    /// The pool's metrics around the given per-worker snapshots.
    pub fn pool_metrics(&self, workers: Vec<WorkerMetrics>) -> PoolMetrics {
        PoolMetrics {
            live_tasks: self.live() as u64,
            task_panics: self.panics() as u64,
            workers,
        }
    }
}

impl fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lifecycle")
            .field("id", &self.id)
            .field("closed", &self.is_closed())
            .field("live_tasks", &self.live())
            .finish_non_exhaustive()
    }
}

/// Collects the start-up reports of `n` workers, so that a build returns only when
/// every worker is up, or has failed.
pub struct StartGate<T> {
    state: Mutex<GateState<T>>,
    changed: Condvar,
}

struct GateState<T> {
    started: Vec<Option<T>>,
    reported: usize,
    error: Option<BuildError>,
}

/// What [`StartGate::wait`] found: every worker's value, or the first error with the
/// values of the workers that did start (to stop them).
pub type GateResult<T> = Result<Vec<T>, (BuildError, Vec<T>)>;

impl<T> StartGate<T> {
    /// A gate for `workers` workers.
    pub fn new(workers: usize) -> Arc<Self> {
        Arc::new(StartGate {
            state: Mutex::new(GateState {
                started: (0..workers).map(|_| None).collect(),
                reported: 0,
                error: None,
            }),
            changed: Condvar::new(),
        })
    }

    /// Records how worker `index` started. A second report for one worker is ignored.
    pub fn report(&self, index: usize, result: Result<T, BuildError>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = state.started.get(index) else {
            return;
        };
        if slot.is_some() {
            return;
        }
        state.reported += 1;
        match result {
            Ok(value) => state.started[index] = Some(value),
            Err(e) => {
                state.error.get_or_insert(e);
            }
        }
        self.changed.notify_all();
    }

    /// Counts worker `index` as reported without a value or an error: for a worker
    /// whose thread was never started because an earlier one failed.
    pub fn skip(&self, index: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if index < state.started.len() {
            state.reported += 1;
            self.changed.notify_all();
        }
    }

    /// A reporter for worker `index` that reports
    /// [`BuildError::WorkerExited`] if dropped before it reports.
    pub fn reporter(self: &Arc<Self>, index: usize) -> Reporter<T> {
        Reporter {
            gate: Some(Arc::clone(self)),
            index,
        }
    }

    /// Blocks until every worker has reported.
    ///
    /// # Errors
    ///
    /// The first error reported, with the values of the workers that started.
    pub fn wait(&self) -> GateResult<T> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while state.reported < state.started.len() {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        let started: Vec<T> = state.started.iter_mut().filter_map(Option::take).collect();
        match state.error.take() {
            None => Ok(started),
            Some(e) => Err((e, started)),
        }
    }
}

impl<T> fmt::Debug for StartGate<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartGate").finish_non_exhaustive()
    }
}

/// Reports one worker's start-up to its [`StartGate`], exactly once.
pub struct Reporter<T> {
    gate: Option<Arc<StartGate<T>>>,
    index: usize,
}

impl<T> Reporter<T> {
    /// Reports how the worker started.
    pub fn report(mut self, result: Result<T, BuildError>) {
        if let Some(gate) = self.gate.take() {
            gate.report(self.index, result);
        }
    }
}

impl<T> Drop for Reporter<T> {
    fn drop(&mut self) {
        if let Some(gate) = self.gate.take() {
            gate.report(
                self.index,
                Err(BuildError::WorkerExited { worker: self.index }),
            );
        }
    }
}

impl<T> fmt::Debug for Reporter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}
