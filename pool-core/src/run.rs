//! [`run`]: the one-call way to serve a future on a default pool.

use std::future::Future;

use crate::builder::Builder;
use crate::error::BuildError;
use crate::runtime::Runtime;

/// Starts a default pool of backend `R`, runs `fut` on it, waits until every task it
/// spawned through the pool has finished, and returns `fut`'s output.
///
/// ```
/// use backend_tokio::TokioPool;
/// use pool_core::Runtime;
///
/// let (tx, rx) = std::sync::mpsc::channel();
/// let out = pool_core::run::<TokioPool, _>(async move {
///     TokioPool::spawn_child(async move { tx.send("child done").unwrap() }).unwrap();
///     "parent done"
/// })?;
/// assert_eq!(out, "parent done");
/// assert_eq!(rx.try_recv(), Ok("child done"));
/// # Ok::<(), pool_core::BuildError>(())
/// ```
///
/// # Errors
///
/// If the pool cannot be built; see [`BuildError`].
///
/// # Panics
///
/// If `fut` panics, or if called from inside a pool worker.
#[track_caller]
pub fn run<R, F>(fut: F) -> Result<F::Output, BuildError>
where
    R: Runtime,
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let pool: R = Builder::new().build()?;
    let output = pool.block_on(fut);
    pool.shutdown_on_idle();
    Ok(output)
}
