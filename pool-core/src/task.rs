//! Task bookkeeping every backend shares: counting live tasks for
//! [`shutdown_on_idle`](crate::Runtime::shutdown_on_idle), and the panic policy.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

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

    /// Wraps `fut` so that it counts as live and a panic in it ends only this task.
    pub fn track<F: Future<Output = ()>>(self: &Arc<Self>, fut: F) -> Tracked<F> {
        Tracked::new(fut, self.guard())
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
}

/// Keeps one task counted as live; see [`TaskTracker::guard`].
#[derive(Debug)]
#[must_use = "the task counts as live only while the guard is held"]
pub struct LiveGuard {
    tracker: Arc<TaskTracker>,
}

impl LiveGuard {
    /// Wraps `fut` so that this guard is released when the task is dropped.
    pub fn track<F: Future<Output = ()>>(self, fut: F) -> Tracked<F> {
        Tracked::new(fut, self)
    }
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

pin_project! {
    /// A task as the pool runs it: counted live until dropped, and completing (instead
    /// of unwinding into the worker) when the inner future panics.
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct Tracked<F> {
        #[pin]
        fut: F,
        guard: LiveGuard,
    }
}

impl<F> Tracked<F> {
    fn new(fut: F, guard: LiveGuard) -> Self {
        Tracked { fut, guard }
    }
}

impl<F: Future<Output = ()>> Future for Tracked<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        match catch_unwind(AssertUnwindSafe(|| this.fut.poll(cx))) {
            Ok(poll) => poll,
            Err(_) => {
                this.guard.tracker.panics.fetch_add(1, Ordering::SeqCst);
                Poll::Ready(())
            }
        }
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
