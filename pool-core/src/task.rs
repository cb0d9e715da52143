//! Task bookkeeping every backend shares: counting live tasks for
//! [`shutdown_on_idle`](crate::Runtime::shutdown_on_idle), and the panic policy.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use pin_project_lite::pin_project;

use crate::counters::WorkerCounters;
use crate::join::{JoinError, JoinHandle};
use crate::join_state::JoinState;

/// Counts the live tasks of one pool and its task panics.
///
/// A [`LiveGuard`] is taken when a task is spawned and released when the task is
/// dropped (finished, panicked or cancelled), so the count never misses a task that is
/// still queued.
///
/// It can also count live tasks per worker, for
/// [`Placement::LeastLoaded`](crate::Placement::LeastLoaded) and
/// [`Placement::PowerOfTwoChoices`](crate::Placement::PowerOfTwoChoices): then a task placed on a
/// worker counts there from its spawn until it is dropped.
#[derive(Debug, Default)]
pub struct TaskTracker {
    live: AtomicUsize,
    panics: AtomicUsize,
    idle_lock: Mutex<()>,
    idle: Condvar,
    /// Live tasks per worker; empty when not counted.
    per_worker: Box<[WorkerLoad]>,
}

/// One worker's live-task count, on a cache line of its own: spawners on any thread
/// and the worker itself update it.
#[derive(Debug, Default)]
#[repr(align(64))]
struct WorkerLoad(AtomicUsize);

impl TaskTracker {
    /// A tracker with no live task.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// A tracker that also counts live tasks per worker, for `workers` workers.
    pub fn per_worker(workers: usize) -> Arc<Self> {
        Arc::new(TaskTracker {
            per_worker: (0..workers).map(|_| WorkerLoad::default()).collect(),
            ..TaskTracker::default()
        })
    }

    /// Counts one more live task until the returned guard drops.
    pub fn guard(self: &Arc<Self>) -> LiveGuard {
        self.guard_on(None)
    }

    /// Counts one more live task, on `worker` too where this tracker counts per
    /// worker, until the returned guard drops.
    pub fn guard_on(self: &Arc<Self>, worker: Option<usize>) -> LiveGuard {
        self.live.fetch_add(1, Ordering::SeqCst);
        let worker = worker.filter(|&w| w < self.per_worker.len());
        if let Some(w) = worker {
            self.per_worker[w].0.fetch_add(1, Ordering::Relaxed);
        }
        LiveGuard {
            tracker: Arc::clone(self),
            worker,
        }
    }

    /// The live tasks placed on `worker`; 0 where this tracker does not count per
    /// worker.
    pub fn live_on(&self, worker: usize) -> usize {
        self.per_worker
            .get(worker)
            .map_or(0, |load| load.0.load(Ordering::Relaxed))
    }

    /// The number of live tasks.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// The number of tasks that have panicked.
    pub fn panics(&self) -> usize {
        self.panics.load(Ordering::SeqCst)
    }

    /// Blocks until no task is live.
    pub fn wait_idle(&self) {
        let mut lock = self.idle_lock.lock().unwrap_or_else(|e| e.into_inner());
        while self.live() != 0 {
            lock = self.idle.wait(lock).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Blocks until no task is live or `deadline` passes; returns the number of tasks
    /// still live (0 if the pool went idle in time).
    pub fn wait_idle_until(&self, deadline: Instant) -> usize {
        let mut lock = self.idle_lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let live = self.live();
            let now = Instant::now();
            if live == 0 || now >= deadline {
                return live;
            }
            lock = self
                .idle
                .wait_timeout(lock, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// Keeps one task counted as live; see [`TaskTracker::guard`].
#[derive(Debug)]
#[must_use = "the task counts as live only while the guard is held"]
pub struct LiveGuard {
    tracker: Arc<TaskTracker>,
    worker: Option<usize>,
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        if let Some(w) = self.worker {
            self.tracker.per_worker[w].0.fetch_sub(1, Ordering::Relaxed);
        }
        if self.tracker.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            // Take the lock so a waiter between its check and its wait cannot miss this.
            drop(self.tracker.idle_lock.lock());
            self.tracker.idle.notify_all();
        }
    }
}

/// A task counted live before its future exists: made by
/// [`Lifecycle::live_task`](crate::backend::Lifecycle::live_task). [`wrap`](LiveTask::wrap)
/// turns the future into the one the pool runs; the backend stores that in its task
/// allocation and makes the [`JoinHandle`] from the same allocation
/// ([`join_cell`](crate::backend::join_cell) for an async-task cell). Backends whose
/// task cannot hold the join state use [`with_join_state`](LiveTask::with_join_state).
#[must_use = "the task counts as live until this is dropped"]
pub struct LiveTask {
    guard: LiveGuard,
    /// Set at the first poll, when the worker's counters count the task as started.
    started: bool,
}

impl LiveTask {
    pub(crate) fn new(tracker: &Arc<TaskTracker>, worker: Option<usize>) -> Self {
        LiveTask {
            guard: tracker.guard_on(worker),
            started: false,
        }
    }

    /// Wraps `fut` as the task the pool runs; its output is the task's result.
    pub fn wrap<F: Future>(self, fut: F) -> Supervised<F> {
        Supervised {
            stage: Stage::Running { fut },
            live: self,
        }
    }

    /// Gives the task a join state in an allocation of its own, for a task built later
    /// (`spawn_pinned`), or a backend that boxes its tasks.
    pub fn with_join_state<T>(self) -> (TaskParts<T>, JoinHandle<T>) {
        let (state, handle) = JoinState::new();
        let parts = TaskParts {
            completer: Completer { state, done: false },
            live: self,
        };
        (parts, JoinHandle::from_state(handle))
    }
}

impl fmt::Debug for LiveTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveTask").finish_non_exhaustive()
    }
}

impl Drop for LiveTask {
    fn drop(&mut self) {
        if self.started {
            WorkerCounters::with_current(WorkerCounters::finished);
        }
    }
}

/// Everything a task needs before its future exists, when its join state lives in an
/// allocation of its own: its live guard and its join state. Made by
/// [`Lifecycle::task`](crate::backend::Lifecycle::task) or
/// [`LiveTask::with_join_state`] together with the task's [`JoinHandle`];
/// [`track`](TaskParts::track) then wraps the future, possibly later and on another
/// thread (as `spawn_pinned` does).
///
/// Dropped without being tracked (a task refused or dropped before it was built), it
/// completes the handle with [`JoinError::is_cancelled`].
#[must_use = "the task's JoinHandle reports it cancelled if its parts are dropped"]
pub struct TaskParts<T> {
    completer: Completer<T>,
    live: LiveTask,
}

impl<T> TaskParts<T> {
    pub(crate) fn new(tracker: &Arc<TaskTracker>, worker: Option<usize>) -> (Self, JoinHandle<T>) {
        LiveTask::new(tracker, worker).with_join_state()
    }

    /// Wraps `fut` as the task the pool runs.
    pub fn track<F: Future<Output = T>>(self, fut: F) -> Tracked<F> {
        Tracked {
            inner: self.live.wrap(fut),
            completer: self.completer,
        }
    }
}

impl<T> fmt::Debug for TaskParts<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskParts").finish_non_exhaustive()
    }
}

/// Completes a task's join state once; completes it as cancelled if dropped first.
struct Completer<T> {
    state: Arc<JoinState<T>>,
    done: bool,
}

impl<T> Completer<T> {
    fn complete(&mut self, result: Result<T, JoinError>) {
        self.done = true;
        self.state.complete(result);
    }
}

impl<T> Drop for Completer<T> {
    fn drop(&mut self) {
        if !self.done {
            self.state.complete(Err(JoinError::cancelled()));
        }
    }
}

pin_project! {
    #[project = StageProj]
    enum Stage<F> {
        Running { #[pin] fut: F },
        Done,
    }
}

pin_project! {
    /// A task as the pool runs it, whose output is the task's result: counted live
    /// until dropped; a panic ending only this task (instead of unwinding into the
    /// worker), as `Err(JoinError)`; the future dropped, on its worker, before the
    /// result is returned.
    #[must_use = "futures do nothing unless polled"]
    pub struct Supervised<F: Future> {
        #[pin]
        stage: Stage<F>,
        live: LiveTask,
    }
}

impl<F: Future> Supervised<F> {
    /// Drops the future (an abort).
    fn cancel(self: Pin<&mut Self>) {
        self.project().stage.set(Stage::Done);
    }
}

impl<F: Future> Future for Supervised<F> {
    type Output = Result<F::Output, JoinError>;

    /// # Panics
    ///
    /// If polled again after it returned `Ready`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let first = !this.live.started;
        this.live.started = true;
        let _watch = PollWatch(WorkerCounters::with_current(|c| c.begin_poll(first)) == Some(true));
        let result = match this.stage.as_mut().project() {
            StageProj::Done => panic!("a task polled after it finished"),
            StageProj::Running { fut } => match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
                Ok(Poll::Pending) => return Poll::Pending,
                Ok(Poll::Ready(output)) => Ok(output),
                Err(payload) => {
                    this.live
                        .guard
                        .tracker
                        .panics
                        .fetch_add(1, Ordering::SeqCst);
                    Err(JoinError::panicked(payload))
                }
            },
        };
        // Drop the future here, on its worker, before the joiner can see the result.
        this.stage.set(Stage::Done);
        Poll::Ready(result)
    }
}

impl<F: Future> fmt::Debug for Supervised<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supervised").finish_non_exhaustive()
    }
}

pin_project! {
    /// A task as the pool runs it when its join state has an allocation of its own:
    /// a [`Supervised`] task whose result goes to that state, and an abort honoured at
    /// the next poll.
    #[must_use = "futures do nothing unless polled"]
    pub struct Tracked<F: Future> {
        #[pin]
        inner: Supervised<F>,
        completer: Completer<F::Output>,
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        if this.completer.done {
            return Poll::Ready(());
        }
        let state = &this.completer.state;
        let result = if state.is_aborted() {
            this.inner.cancel();
            Err(JoinError::cancelled())
        } else {
            match this.inner.as_mut().poll(cx) {
                Poll::Ready(result) => result,
                Poll::Pending if !state.register_task(cx.waker()) => return Poll::Pending,
                Poll::Pending => {
                    this.inner.cancel();
                    Err(JoinError::cancelled())
                }
            }
        };
        this.completer.complete(result);
        Poll::Ready(())
    }
}

/// Marks the end of a watched task poll (for the stall detector) when dropped, on
/// every way out of [`Tracked::poll`].
struct PollWatch(bool);

impl Drop for PollWatch {
    fn drop(&mut self) {
        if self.0 {
            WorkerCounters::with_current(WorkerCounters::end_poll);
        }
    }
}

impl<F: Future> fmt::Debug for Tracked<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracked").finish_non_exhaustive()
    }
}

pin_project! {
    /// Completes with `Err(payload)` if the inner future panics.
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub(crate) struct CatchUnwind<F> {
        #[pin]
        fut: F,
    }
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(fut: F) -> Self {
        CatchUnwind { fut }
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let fut = self.project().fut;
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}
