//! [`PoolHandle`]: the [`Handle`] of every per-thread [`Pool`](crate::Pool).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::backend::{Backend, Remote, Task};
use crate::error::SpawnError;
use crate::join::JoinHandle;
use crate::lifecycle::Lifecycle;
use crate::metrics::PoolMetrics;
use crate::placement::Placer;
use crate::runtime::Handle;

/// State shared by a pool and all its handles.
pub(crate) struct Shared<B: Backend> {
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) remotes: Vec<B::Remote>,
    pub(crate) placement: Placer,
}

/// The [`Handle`] of a per-thread [`Pool`](crate::Pool).
pub struct PoolHandle<B: Backend> {
    pub(crate) shared: Arc<Shared<B>>,
}

impl<B: Backend> PoolHandle<B> {
    fn submit(&self, worker: usize, task: Task) -> Result<(), SpawnError> {
        self.shared.lifecycle.check_open()?;
        self.shared.remotes[worker]
            .submit(task)
            .map_err(|_| SpawnError::Shutdown)
    }

    /// Wraps `fut` for worker `worker` and submits it there.
    fn submit_ready<F>(&self, worker: usize, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.shared.lifecycle.check_open()?;
        let task = self.shared.lifecycle.live_task(Some(worker));
        self.shared.remotes[worker].spawn(task, fut)
    }
}

impl<B: Backend> Handle for PoolHandle<B> {
    fn pool_size(&self) -> usize {
        self.shared.remotes.len()
    }

    fn spawn<F>(&self, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.submit_ready(self.shared.placement.next(&self.shared.lifecycle), fut)
    }

    fn spawn_on<F>(&self, worker: usize, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        crate::backend::check_worker(worker, self.pool_size())?;
        self.submit_ready(worker, fut)
    }

    fn spawn_pinned<C, F>(&self, make: C) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        let worker = self.shared.placement.next(&self.shared.lifecycle);
        let (parts, join) = self.shared.lifecycle.task_on(worker);
        // `make` runs inside the tracked future, so a panic in it is caught like a panic
        // in the task itself (the task policy) instead of unwinding into the worker.
        let task = Task::Build(Box::new(move || {
            Box::pin(parts.track(async move { make().await }))
        }));
        self.submit(worker, task)?;
        Ok(join)
    }

    fn task_panics(&self) -> usize {
        self.shared.lifecycle.panics()
    }

    fn metrics(&self) -> PoolMetrics {
        let lifecycle = &self.shared.lifecycle;
        let workers = (self.shared.remotes.iter().enumerate())
            .map(|(i, remote)| {
                let mut metrics = lifecycle.worker_metrics(i);
                remote.fill_metrics(&mut metrics);
                metrics
            })
            .collect();
        lifecycle.pool_metrics(workers)
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
            .field("closed", &self.shared.lifecycle.is_closed())
            .finish_non_exhaustive()
    }
}
