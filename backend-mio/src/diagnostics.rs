//! Counters of the worker running on the calling thread, for tests and debugging.

use crate::reactor::registry;

/// The number of I/O sources registered with the calling worker's reactor, or `None`
/// off a [`MioPool`](crate::MioPool) worker. A dropped socket no longer counts.
///
/// ```
/// use backend_mio::{diagnostics, MioPool};
/// use pool_core::{Builder, Runtime};
///
/// let pool: MioPool = Builder::new().pool_size(1).build()?;
/// assert_eq!(pool.block_on(async { diagnostics::registered_sources() }), Some(0));
/// assert_eq!(diagnostics::registered_sources(), None);
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub fn registered_sources() -> Option<usize> {
    registry::current().ok().map(|r| r.sources().len())
}

/// The number of tasks stored on the calling worker (including the caller), or `None`
/// off a [`MioPool`](crate::MioPool) worker.
///
/// ```
/// use backend_mio::{diagnostics, MioPool};
/// use pool_core::{Builder, Runtime};
///
/// let pool: MioPool = Builder::new().pool_size(1).build()?;
/// assert_eq!(pool.block_on(async { diagnostics::local_tasks() }), Some(1));
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub fn local_tasks() -> Option<usize> {
    pool_exec::current::with(|e| e.len())
}
