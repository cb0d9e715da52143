//! [`PoolHandle`]: the [`Handle`] of every per-thread [`Pool`](crate::Pool).

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::backend::{Backend, Remote, Task};
use crate::context::PoolId;
use crate::error::SpawnError;
use crate::placement::RoundRobin;
use crate::runtime::Handle;
use crate::task::TaskTracker;

/// State shared by a pool and all its handles.
pub(crate) struct Shared<B: Backend> {
    pub(crate) id: PoolId,
    pub(crate) remotes: Vec<B::Remote>,
    pub(crate) placement: RoundRobin,
    pub(crate) tracker: Arc<TaskTracker>,
    pub(crate) closed: AtomicBool,
}

/// The [`Handle`] of a per-thread [`Pool`](crate::Pool).
pub struct PoolHandle<B: Backend> {
    pub(crate) shared: Arc<Shared<B>>,
}

impl<B: Backend> PoolHandle<B> {
    fn submit(&self, worker: usize, task: Task) -> Result<(), SpawnError> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Err(SpawnError::Shutdown);
        }
        self.shared.remotes[worker]
            .submit(task)
            .map_err(|_| SpawnError::Shutdown)
    }

    fn ready<F: Future<Output = ()> + Send + 'static>(&self, fut: F) -> Task {
        Task::Ready(Box::pin(self.shared.tracker.track(fut)))
    }
}

impl<B: Backend> Handle for PoolHandle<B> {
    fn pool_size(&self) -> usize {
        self.shared.remotes.len()
    }

    fn spawn<F>(&self, fut: F) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.submit(self.shared.placement.next(), self.ready(fut))
    }

    fn spawn_on<F>(&self, worker: usize, fut: F) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        SpawnError::check_worker(worker, self.pool_size())?;
        self.submit(worker, self.ready(fut))
    }

    fn spawn_pinned<C, F>(&self, make: C) -> Result<(), SpawnError>
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + 'static,
    {
        let guard = self.shared.tracker.guard();
        // `make` runs inside the tracked future, so a panic in it is caught like a panic
        // in the task itself (the task policy) instead of unwinding into the worker.
        let task = Task::Build(Box::new(move || {
            Box::pin(guard.track(async move { make().await }))
        }));
        self.submit(self.shared.placement.next(), task)
    }

    fn task_panics(&self) -> usize {
        self.shared.tracker.panics()
    }
}

impl<B: Backend> Clone for PoolHandle<B> {
    fn clone(&self) -> Self {
        PoolHandle {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<B: Backend> fmt::Debug for PoolHandle<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolHandle")
            .field("backend", &B::NAME)
            .field("pool_size", &self.shared.remotes.len())
            .field("closed", &self.shared.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}
