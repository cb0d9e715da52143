//! [`Timeout`]: a future with a time limit.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::sleep::{sleep, Sleep};

/// Runs `future` for at most `duration`: its output, or [`Elapsed`] if the time runs
/// out first. Dropping the future at the deadline cancels it.
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
/// assert!(slow.is_err());
/// assert_eq!(fast, Ok(7));
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
    }
}

pin_project! {
    /// The future of [`timeout`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

impl<F> Timeout<F> {
    /// The wrapped future.
    ///
    /// ```
    /// let t = backend_mio::timeout(std::time::Duration::from_secs(1), async { 1 });
    /// let _inner = t.into_inner();
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match Pin::new(this.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed { _private: () })),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The error of a [`timeout`] whose time ran out before its future completed.
///
/// ```
/// use std::time::Duration;
///
/// use backend_mio::MioPool;
/// use pool_core::{Builder, Runtime};
///
/// let pool: MioPool = Builder::new().pool_size(1).build()?;
/// let err = pool
///     .block_on(backend_mio::timeout(Duration::ZERO, std::future::pending::<()>()))
///     .unwrap_err();
/// assert_eq!(err.to_string(), "deadline elapsed");
/// # Ok::<(), pool_core::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed {
    _private: (),
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline elapsed")
    }
}

impl Error for Elapsed {}
