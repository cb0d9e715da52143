//! Counters of the worker running on the calling thread, for tests and debugging.

use crate::driver;

/// The number of sockets the calling worker's driver holds (a dropped socket still
/// counts until its last operation has completed), or `None` off a
/// [`UringPool`](crate::UringPool) worker.
///
/// ```
/// use backend_uring::{diagnostics, UringPool};
/// use pool_core::{Builder, Runtime};
///
/// if let Ok(pool) = Builder::new().pool_size(1).build::<UringPool>() {
///     assert_eq!(pool.block_on(async { diagnostics::sockets() }), Some(0));
/// }
/// assert_eq!(diagnostics::sockets(), None);
/// ```
pub fn sockets() -> Option<usize> {
    driver::current().map(|d| d.inner.borrow().socks.len())
}

/// The number of operations in flight on the calling worker's ring (its eventfd read
/// and ring timeouts included), or `None` off a [`UringPool`](crate::UringPool)
/// worker.
///
/// ```
/// use backend_uring::{diagnostics, UringPool};
/// use pool_core::{Builder, Runtime};
///
/// if let Ok(pool) = Builder::new().pool_size(1).build::<UringPool>() {
///     assert!(pool.block_on(async { diagnostics::in_flight() }).is_some());
/// }
/// assert_eq!(diagnostics::in_flight(), None);
/// ```
pub fn in_flight() -> Option<usize> {
    driver::current().map(|d| d.inner.borrow().in_flight())
}
