//! Time for code generic over the backend: [`Runtime::sleep`](crate::Runtime::sleep),
//! [`Runtime::sleep_until`](crate::Runtime::sleep_until) and
//! [`Runtime::timeout`](crate::Runtime::timeout), with the [`Timeout`] future and its
//! [`Elapsed`] error.
//!
//! Timers belong to a worker: a sleep registers with the timers of the worker that
//! polls it, and the worker's event loop wakes it. They only run inside a task of a
//! pool of the runtime that made them; polled anywhere else (a plain thread,
//! `futures::executor::block_on`, another backend's worker), they panic with
//! [`TIME_OUTSIDE_WORKER`].
//!
//! ```
//! use std::time::{Duration, Instant};
//!
//! use backend_tokio::TokioPool;
//! use pool_core::{Builder, Runtime};
//!
//! /// Waits a little, generically.
//! async fn pause<R: Runtime>() -> Duration {
//!     let start = Instant::now();
//!     R::sleep(Duration::from_millis(2)).await;
//!     start.elapsed()
//! }
//!
//! let pool: TokioPool = Builder::new().pool_size(1).build()?;
//! assert!(pool.block_on(pause::<TokioPool>()) >= Duration::from_millis(2));
//! let late = pool.block_on(TokioPool::timeout(
//!     Duration::from_millis(1),
//!     std::future::pending::<()>(),
//! ));
//! assert!(late.is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

/// The panic message of a timer polled outside a worker of its runtime.
pub const TIME_OUTSIDE_WORKER: &str = "a pool timer (sleep, sleep_until or timeout) was polled outside a worker of its runtime: \
     timers only run inside tasks spawned on a pool of the backend that made them";

pin_project! {
    /// Runs a future with a deadline. Made by
    /// [`Runtime::timeout`](crate::Runtime::timeout).
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct Timeout<F, S> {
        #[pin]
        future: F,
        #[pin]
        sleep: S,
    }
}

impl<F, S> Timeout<F, S> {
    /// `future`, cut off when `sleep` completes. Backends build it through
    /// [`Runtime::timeout`](crate::Runtime::timeout).
    ///
    /// ```
    /// use pool_core::time::Timeout;
    ///
    /// let in_time = Timeout::new(async { 7 }, std::future::pending::<()>());
    /// assert_eq!(futures::executor::block_on(in_time), Ok(7));
    /// ```
    pub fn new(future: F, sleep: S) -> Self {
        Timeout { future, sleep }
    }

    /// The wrapped future.
    ///
    /// ```
    /// use pool_core::time::Timeout;
    ///
    /// let inner = Timeout::new(async { 7 }, async {}).into_inner();
    /// assert_eq!(futures::executor::block_on(inner), 7);
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }
}

impl<F: Future, S: Future<Output = ()>> Future for Timeout<F, S> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // The future first: an output ready at the deadline is not lost.
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match this.sleep.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The deadline of a [`Timeout`] passed before its future completed.
///
/// ```
/// use pool_core::time::Timeout;
///
/// let late = Timeout::new(std::future::pending::<()>(), async {});
/// let elapsed = futures::executor::block_on(late).unwrap_err();
/// assert_eq!(elapsed.to_string(), "deadline has elapsed");
/// assert_eq!(std::io::Error::from(elapsed).kind(), std::io::ErrorKind::TimedOut);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(e: Elapsed) -> Self {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}
