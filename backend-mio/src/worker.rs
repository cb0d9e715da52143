//! [`MioWorker`]: one worker's event loop, the shared worker loop of [`pool_exec`]
//! driven by a mio reactor.

use std::io;

use pool_core::ParkPolicy;

use crate::reactor::MioReactor;

/// The event loop of one [`MioPool`](crate::MioPool) worker: [`pool_exec::Worker`]
/// on a [`MioReactor`].
///
/// Each tick it moves what other threads queued into the executor, polls up to
/// 61 runnable tasks, then turns the reactor (one `epoll_wait`), with a zero timeout
/// if tasks are still runnable, otherwise blocking until the next timer deadline,
/// fires due timers, and finally re-queues the tasks that spent their cooperative
/// budget during the tick. It owns the thread it runs on; [`Pool`](pool_core::Pool)
/// creates and runs it.
///
/// ```
/// use backend_mio::MioBackend;
/// use pool_core::backend::{Backend, Remote, Worker};
///
/// let worker = MioBackend::new_worker(0, &pool_core::backend::PoolConfig::from_builder(&pool_core::Builder::new()))?;
/// worker.remote().stop();
/// worker.run(); // returns at once: it was told to stop
/// # Ok::<(), std::io::Error>(())
/// ```
pub type MioWorker = pool_exec::Worker<MioReactor>;

/// A worker on a new `mio::Poll`.
///
/// # Errors
///
/// If the poll cannot be set up (out of file descriptors).
pub(crate) fn new(park: ParkPolicy) -> io::Result<MioWorker> {
    let (reactor, waker) = MioReactor::new()?;
    Ok(pool_exec::Worker::new(
        park,
        Box::new(MioUnpark(waker)),
        |_| reactor,
    ))
}

/// Unparks a worker blocked in `epoll_wait` by writing its `mio::Waker` (an eventfd).
struct MioUnpark(mio::Waker);

impl pool_exec::Unpark for MioUnpark {
    fn unpark(&self) {
        // Only fails if the eventfd is gone, that is, if the worker has exited.
        let _ = self.0.wake();
    }
}
