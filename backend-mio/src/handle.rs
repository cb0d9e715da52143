//! [`MioRemote`]: how other threads reach a [`MioWorker`](crate::MioWorker).

use std::sync::Arc;

use pool_core::backend::{Remote, Task};
use pool_core::WorkerMetrics;

use crate::executor::Inbox;
use crate::metrics::WorkerStats;

/// Queues tasks for one mio worker from any thread, and stops it.
///
/// A submit pushes onto the worker's inbox (a mutex-protected queue) and, only if the
/// worker is blocked in `epoll_wait`, writes its `mio::Waker` eventfd. [`Pool`] holds
/// one per worker; you rarely need it directly.
///
/// [`Pool`]: pool_core::Pool
///
/// ```
/// use backend_mio::MioBackend;
/// use pool_core::backend::{Backend, Remote, Task, Worker};
///
/// let worker = MioBackend::new_worker(0, pool_core::Builder::new().config())?;
/// let remote = worker.remote();
/// let (tx, rx) = std::sync::mpsc::channel();
/// remote
///     .submit(Task::Ready(Box::pin(async move { tx.send(1).unwrap() })))
///     .unwrap();
/// let stopper = remote.clone();
/// let thread = std::thread::spawn(move || {
///     assert_eq!(rx.recv().unwrap(), 1);
///     stopper.stop();
/// });
/// worker.run();
/// thread.join().unwrap();
/// assert!(remote.submit(Task::Ready(Box::pin(async {}))).is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MioRemote {
    pub(crate) inbox: Arc<Inbox>,
    pub(crate) stats: Arc<WorkerStats>,
}

impl Remote for MioRemote {
    fn submit(&self, task: Task) -> Result<(), Task> {
        self.inbox.submit(task)
    }

    fn stop(&self) {
        self.inbox.stop();
    }

    fn fill_metrics(&self, metrics: &mut WorkerMetrics) {
        self.stats.fill(self.inbox.len(), metrics);
    }
}
