//! [`ExecRemote`]: how other threads reach a worker built on this crate's executor.

use std::sync::Arc;

use std::future::Future;

use pool_core::backend::{async_task, join_cell, LiveTask, Remote, Task};
use pool_core::{JoinHandle, SpawnError, WorkerMetrics};

use crate::inbox::Inbox;
use crate::stats::WorkerStats;
use crate::waker::{schedule, Entry};

/// Queues tasks for one worker from any thread, stops it, and reads its metrics.
///
/// A submit pushes onto the worker's [`Inbox`] (a mutex-protected queue) and, only if
/// the worker is blocked waiting for I/O, unparks it (an `eventfd` write on both
/// backends that use it). [`Pool`](pool_core::Pool) holds one per worker.
///
/// ```
/// use std::sync::Arc;
///
/// use pool_core::backend::{Remote, Task};
/// use pool_exec::{ExecRemote, Inbox, Unpark, WorkerStats};
///
/// struct Nobody;
/// impl Unpark for Nobody {
///     fn unpark(&self) {}
/// }
///
/// let remote = ExecRemote::new(Inbox::new(Box::new(Nobody)), Arc::new(WorkerStats::new()));
/// assert!(remote.submit(Task::Ready(Box::pin(async {}))).is_ok());
/// remote.stop();
/// assert!(remote.submit(Task::Ready(Box::pin(async {}))).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct ExecRemote {
    inbox: Arc<Inbox>,
    stats: Arc<WorkerStats>,
}

impl ExecRemote {
    /// The remote of the worker that owns `inbox` and `stats`.
    pub fn new(inbox: Arc<Inbox>, stats: Arc<WorkerStats>) -> Self {
        ExecRemote { inbox, stats }
    }
}

impl Remote for ExecRemote {
    fn submit(&self, task: Task) -> Result<(), Task> {
        self.inbox.submit(task)
    }

    /// Allocates the task here, once: the future, its output and its join waker in one
    /// cell, which the worker queues as it is.
    fn spawn<F>(&self, task: LiveTask, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let inbox = Arc::clone(&self.inbox);
        let schedule = move |runnable| schedule(&inbox, runnable);
        let (runnable, cell) = async_task::spawn(Entry::new(task.wrap(fut)), schedule);
        let join = join_cell(cell);
        // Refused, the task is dropped here, and its handle with it.
        self.inbox
            .submit_runnable(runnable)
            .map_err(|_| SpawnError::Shutdown)?;
        Ok(join)
    }

    fn stop(&self) {
        self.inbox.stop();
    }

    fn fill_metrics(&self, metrics: &mut WorkerMetrics) {
        self.stats.fill(self.inbox.len(), metrics);
    }
}
