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

/// The calling worker's provided buffer ring: how many of its buffers hold received
/// bytes not yet read (lent out of the ring), and how many it has (`(0, 0)` without
/// one, as on [`UringFallbackPool`](crate::UringFallbackPool)); `None` off a worker.
///
/// ```
/// use backend_uring::{diagnostics, UringPool};
/// use pool_core::{Builder, Runtime};
///
/// if let Ok(pool) = Builder::new().pool_size(1).build::<UringPool>() {
///     let (lent, count) = pool.block_on(async { diagnostics::ring_buffers() }).unwrap();
///     assert!(lent <= count);
/// }
/// assert_eq!(diagnostics::ring_buffers(), None);
/// ```
pub fn ring_buffers() -> Option<(usize, usize)> {
    driver::current().map(|d| {
        d.inner
            .borrow()
            .bufs
            .as_ref()
            .map_or((0, 0), |b| (b.lent(), usize::from(b.count())))
    })
}
