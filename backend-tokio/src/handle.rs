//! [`TokioRemote`]: how other threads reach a [`TokioWorker`](crate::TokioWorker).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use pool_core::backend::{join_tokio, BusyClock, LiveTask, Remote, Task};
use pool_core::{JoinHandle, SpawnError, WorkerMetrics};
use tokio::sync::mpsc::UnboundedSender;

use crate::queued::Queued;

/// A message to a worker.
#[derive(Debug)]
pub(crate) enum Message {
    /// Run this task.
    Run(Task),
    /// Leave the loop, dropping unfinished tasks.
    Stop,
}

/// Reaches one tokio worker: [`spawn`](Remote::spawn) puts a `Send` task straight on
/// the worker's runtime (through its `tokio::runtime::Handle`, one allocation: tokio's
/// task, which also holds the join state), and [`submit`](Remote::submit) sends a task
/// to build on the worker (`spawn_pinned`) over an unbounded channel.
///
/// Its metrics come from the worker's park hooks (busy time as the thread's CPU time,
/// parks: a [`BusyClock`]; tokio's own busy time leaves out its I/O driver, a third of
/// the thread's CPU in an echo server) and from a count of the queued tasks (the queue
/// depth): the tasks spawned on the runtime and not yet polled, and the tasks sent over
/// the channel and not yet received (tokio does not expose the run queue of a
/// `LocalSet`, so children and received `spawn_pinned` tasks waiting to run are not in
/// it).
#[derive(Debug, Clone)]
pub struct TokioRemote {
    pub(crate) tx: UnboundedSender<Message>,
    /// The worker's runtime, whose thread runs its tasks (in the worker's `LocalSet`
    /// context, so that their children stay on the worker).
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) busy: Arc<BusyClock>,
    /// Queued tasks: incremented by `submit` and `spawn`, decremented by the worker
    /// (at a receive, or at a task's first poll).
    pub(crate) queued: Arc<AtomicU64>,
}

impl Remote for TokioRemote {
    fn submit(&self, task: Task) -> Result<(), Task> {
        self.queued.fetch_add(1, Ordering::Relaxed);
        self.tx.send(Message::Run(task)).map_err(|e| {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            match e.0 {
                Message::Run(task) => task,
                Message::Stop => unreachable!("submit only sends Run"),
            }
        })
    }

    /// # Errors
    ///
    /// [`SpawnError::Shutdown`] if the worker has left its loop. A spawn racing with
    /// the worker's stop may instead return a handle that reports the task cancelled
    /// (tokio drops a task spawned onto a runtime that shut down).
    fn spawn<F>(&self, task: LiveTask, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // The worker closes its channel when it leaves its loop.
        if self.tx.is_closed() {
            return Err(SpawnError::Shutdown);
        }
        let fut = Queued::new(task.wrap(fut), &self.queued);
        Ok(join_tokio(self.runtime.spawn(fut)))
    }

    fn stop(&self) {
        let _ = self.tx.send(Message::Stop);
    }

    fn fill_metrics(&self, metrics: &mut WorkerMetrics) {
        self.busy.fill(metrics);
        metrics.queue_depth = Some(self.queued.load(Ordering::Relaxed));
    }
}
