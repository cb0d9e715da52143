//! [`UringWorker`]: one worker's event loop, the shared worker loop of [`pool_exec`]
//! driven by an io_uring.

use std::io;
use std::sync::Arc;

use pool_core::ParkPolicy;

use crate::driver::Driver;
use crate::probe::Features;
use crate::reactor::UringReactor;

/// The event loop of one [`UringPool`](crate::UringPool) worker: [`pool_exec::Worker`]
/// on a [`UringReactor`].
///
/// Each tick it moves what other threads queued into the executor, polls up to 61
/// runnable tasks (submitting what they queued every 16), then enters its ring once:
/// it submits every operation the tasks queued and reaps completions, without waiting
/// if tasks are still runnable, otherwise waiting for a completion (an I/O
/// completion, its eventfd's read when another thread unparks it, or a ring timeout
/// at the next timer deadline). It then fires due timers and re-queues the tasks
/// that spent their cooperative budget.
///
/// ```
/// use backend_uring::UringBackend;
/// use pool_core::backend::{Backend, Remote, Worker};
///
/// if let Ok(worker) = UringBackend::new_worker(0, &pool_core::backend::PoolConfig::from_builder(&pool_core::Builder::new())) {
///     worker.remote().stop();
///     worker.run(); // returns at once: it was told to stop
/// }
/// ```
pub type UringWorker = pool_exec::Worker<UringReactor>;

/// A worker on a new ring set up with `features`.
///
/// # Errors
///
/// If the ring, its buffer ring or its eventfd cannot be set up.
pub(crate) fn new(features: &'static Features, park: ParkPolicy) -> io::Result<UringWorker> {
    let (inner, unpark) = Driver::setup(features)?;
    Ok(pool_exec::Worker::new(park, Box::new(unpark), |inbox| {
        UringReactor::new(Driver::attach(inner, Arc::clone(inbox)))
    }))
}
