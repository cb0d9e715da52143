//! [`TokioRemote`]: how other threads reach a [`TokioWorker`](crate::TokioWorker).

use std::future::Future;
use std::sync::Arc;

use pool_core::backend::{BusyClock, LiveTask, Remote, Task};
use pool_core::{JoinHandle, SpawnError, WorkerMetrics};
use pool_exec::{ExecRemote, Inbox};

/// Reaches one tokio worker through its [`Inbox`], the queue of pool-exec's executor
/// that the worker runs as one task of its `LocalSet`.
///
/// [`spawn`](Remote::spawn) allocates once (pool-exec's task cell holds the future,
/// its output and its join waker) and queues the task; it wakes the worker only if the
/// worker is asleep, so a burst of spawns costs one wake-up, not one per task.
/// [`submit`](Remote::submit) queues a task to build on the worker (`spawn_pinned`).
///
/// Its metrics come from the worker's park hooks (busy time as the thread's CPU time,
/// parks: a [`BusyClock`]; tokio's own busy time leaves out its I/O driver, a third of
/// the thread's CPU in an echo server) and from the inbox (the queue depth): the tasks
/// spawned or submitted and the wakes from other threads, not yet taken by the worker
/// (children, which are tokio tasks of the `LocalSet`, are not in it).
#[derive(Debug, Clone)]
pub struct TokioRemote {
    pub(crate) exec: ExecRemote,
    pub(crate) inbox: Arc<Inbox>,
    pub(crate) busy: Arc<BusyClock>,
}

impl Remote for TokioRemote {
    fn submit(&self, task: Task) -> Result<(), Task> {
        self.exec.submit(task)
    }

    /// # Errors
    ///
    /// [`SpawnError::Shutdown`] if the worker has been stopped.
    fn spawn<F>(&self, task: LiveTask, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.exec.spawn(task, fut)
    }

    fn stop(&self) {
        self.exec.stop();
    }

    fn fill_metrics(&self, metrics: &mut WorkerMetrics) {
        self.busy.fill(metrics);
        metrics.queue_depth = Some(self.inbox.len() as u64);
    }
}
