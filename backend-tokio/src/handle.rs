//! [`TokioRemote`]: how other threads reach a [`TokioWorker`](crate::TokioWorker).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use pool_core::backend::{BusyClock, Remote, Task};
use pool_core::WorkerMetrics;
use tokio::sync::mpsc::UnboundedSender;

/// A message to a worker.
#[derive(Debug)]
pub(crate) enum Message {
    /// Run this task.
    Run(Task),
    /// Leave the loop, dropping unfinished tasks.
    Stop,
}

/// Sends tasks to one tokio worker over an unbounded channel.
///
/// Its metrics come from the worker's park hooks (busy time as the thread's CPU time,
/// parks: a [`BusyClock`]; tokio's own busy time leaves out its I/O driver, a third of
/// the thread's CPU in an echo server) and from a count of the tasks sent but not yet received (the queue depth; tokio does not
/// expose the run queue of a `LocalSet`, so tasks already received and waiting to run
/// are not in it).
#[derive(Debug, Clone)]
pub struct TokioRemote {
    pub(crate) tx: UnboundedSender<Message>,
    pub(crate) busy: Arc<BusyClock>,
    /// Tasks in the channel: incremented by `submit`, decremented by the worker.
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

    fn stop(&self) {
        let _ = self.tx.send(Message::Stop);
    }

    fn fill_metrics(&self, metrics: &mut WorkerMetrics) {
        self.busy.fill(metrics);
        metrics.queue_depth = Some(self.queued.load(Ordering::Relaxed));
    }
}
