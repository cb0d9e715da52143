//! [`timeout`]: a future with a time limit, pool-core's [`Timeout`] on this crate's
//! [`Sleep`].

use std::future::Future;
use std::time::Duration;

use super::sleep::{sleep, Sleep};

/// The future of [`timeout`]: pool-core's [`Timeout`](pool_core::time::Timeout),
/// cut off by a [`Sleep`] on the worker's timers.
pub type Timeout<F> = pool_core::time::Timeout<F, Sleep>;

/// Runs `future` for at most `duration`: its output, or
/// [`Elapsed`](pool_core::time::Elapsed) if the time runs out first. Dropping the
/// future at the deadline cancels it. The same future as
/// [`Runtime::timeout`](pool_core::Runtime::timeout) on `MioPool` and `UringPool`.
///
/// # Panics
///
/// As [`sleep`]: the returned future must be polled on a `MioPool` or `UringPool`
/// worker.
///
/// ```
/// use std::time::Duration;
///
/// use backend_mio::{sleep, timeout, MioPool};
/// use pool_core::{Builder, Runtime};
///
/// let pool: MioPool = Builder::new().pool_size(1).build()?;
/// let (slow, fast) = pool.block_on(async {
///     let slow = timeout(Duration::from_millis(1), sleep(Duration::from_secs(60))).await;
///     let fast = timeout(Duration::from_secs(60), async { 7 }).await;
///     (slow, fast)
/// });
/// assert_eq!(slow.unwrap_err().to_string(), "deadline has elapsed");
/// assert_eq!(fast, Ok(7));
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout::new(future, sleep(duration))
}
