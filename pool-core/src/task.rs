//! Task bookkeeping every backend shares: counting live tasks for
//! [`shutdown_on_idle`](crate::Runtime::shutdown_on_idle), and the panic policy.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use pin_project_lite::pin_project;

use crate::join::{JoinError, JoinHandle, JoinState};
use crate::metrics::WorkerCounters;

/// Counts the live tasks of one pool and its task panics.
///
/// A [`LiveGuard`] is taken when a task is spawned and released when the task is
/// dropped (finished, panicked or cancelled), so the count never misses a task that is
/// still queued.
#[derive(Debug, Default)]
pub struct TaskTracker {
    live: AtomicUsize,
    panics: AtomicUsize,
    idle_lock: Mutex<()>,
    idle: Condvar,
}

impl TaskTracker {
    /// A tracker with no live task.
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Counts one more live task until the returned guard drops.
    pub fn guard(self: &Arc<Self>) -> LiveGuard {
        self.live.fetch_add(1, Ordering::SeqCst);
        LiveGuard {
            tracker: Arc::clone(self),
        }
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
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        if self.tracker.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            // Take the lock so a waiter between its check and its wait cannot miss this.
            drop(self.tracker.idle_lock.lock());
            self.tracker.idle.notify_all();
        }
    }
}

/// Everything a task needs before its future exists: its live guard and its join
/// state. Made by [`Lifecycle::task`](crate::backend::Lifecycle::task)
/// together with the task's [`JoinHandle`]; [`track`](TaskParts::track) then wraps the
/// future, possibly later and on another thread (as `spawn_pinned` does).
///
/// Dropped without being tracked (a task refused or dropped before it was built), it
/// completes the handle with [`JoinError::is_cancelled`].
#[must_use = "the task's JoinHandle reports it cancelled if its parts are dropped"]
pub struct TaskParts<T> {
    completer: Completer<T>,
    guard: LiveGuard,
    /// Set at the first poll, when the worker's counters count the task as started.
    started: bool,
}

impl<T> TaskParts<T> {
    pub(crate) fn new(tracker: &Arc<TaskTracker>) -> (Self, JoinHandle<T>) {
        let (state, handle) = JoinState::new();
        let parts = TaskParts {
            completer: Completer { state, done: false },
            guard: tracker.guard(),
            started: false,
        };
        (parts, handle)
    }

    /// Wraps `fut` as the task the pool runs.
    pub fn track<F: Future<Output = T>>(self, fut: F) -> Tracked<F> {
        Tracked {
            stage: Stage::Running { fut },
            parts: self,
        }
    }
}

impl<T> fmt::Debug for TaskParts<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskParts").finish_non_exhaustive()
    }
}

impl<T> Drop for TaskParts<T> {
    fn drop(&mut self) {
        if self.started {
            WorkerCounters::with_current(WorkerCounters::finished);
        }
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
    /// A task as the pool runs it: counted live until dropped; its output, panic or
    /// cancellation delivered to its [`JoinHandle`]; a panic ending only this task
    /// (instead of unwinding into the worker); an abort honoured at the next poll.
    #[must_use = "futures do nothing unless polled"]
    pub struct Tracked<F: Future> {
        #[pin]
        stage: Stage<F>,
        parts: TaskParts<F::Output>,
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let first = !this.parts.started;
        this.parts.started = true;
        WorkerCounters::with_current(|c| {
            if first {
                c.started();
            }
            c.polled();
        });
        let parts = &mut *this.parts;
        let state = &parts.completer.state;
        let result = match this.stage.as_mut().project() {
            StageProj::Done => return Poll::Ready(()),
            StageProj::Running { .. } if state.is_aborted() => Err(JoinError::cancelled()),
            StageProj::Running { fut } => match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
                Ok(Poll::Pending) => {
                    if !state.register_task(cx.waker()) {
                        return Poll::Pending;
                    }
                    Err(JoinError::cancelled())
                }
                Ok(Poll::Ready(output)) => Ok(output),
                Err(payload) => {
                    parts.guard.tracker.panics.fetch_add(1, Ordering::SeqCst);
                    Err(JoinError::panicked(payload))
                }
            },
        };
        // Drop the future here, on its worker, before the joiner can see the result.
        this.stage.set(Stage::Done);
        parts.completer.complete(result);
        Poll::Ready(())
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
