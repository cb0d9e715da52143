//! [`Sleep`]: a future that completes at a deadline.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::timers::{self as timer, TimerKey};

/// Waits for `duration`, measured from this call, on the current worker's timers.
///
/// # Panics
///
/// The returned future panics if polled before its deadline outside a worker
/// of a backend built on this executor (`backend_mio::MioPool`, `backend_uring::UringPool`).
///
/// ```
/// use std::time::{Duration, Instant};
///
/// use backend_mio::MioPool;
/// use pool_core::{Builder, Runtime};
///
/// let pool: MioPool = Builder::new().pool_size(1).build()?;
/// let waited = pool.block_on(async {
///     let start = Instant::now();
///     backend_mio::sleep(Duration::from_millis(5)).await;
///     start.elapsed()
/// });
/// assert!(waited >= Duration::from_millis(5));
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Waits until `deadline` on the current worker's timers.
///
/// # Panics
///
/// As [`sleep`].
///
/// ```
/// use std::time::{Duration, Instant};
///
/// use backend_mio::MioPool;
/// use pool_core::{Builder, Runtime};
///
/// let pool: MioPool = Builder::new().pool_size(1).build()?;
/// let deadline = Instant::now() + Duration::from_millis(2);
/// pool.block_on(backend_mio::sleep_until(deadline));
/// assert!(Instant::now() >= deadline);
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        seq: None,
    }
}

/// The future of [`sleep`] and [`sleep_until`].
///
/// It registers with the timers of the worker that polls it. It is `Send`, so it can
/// be part of a task spawned with [`Handle::spawn`](pool_core::Handle::spawn); a
/// `Sleep` moved to another worker registers there when next polled.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    deadline: Instant,
    /// Set once registered with a worker's timers.
    seq: Option<u64>,
}

impl Sleep {
    /// The instant this future completes at.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(backend_mio::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed.
    ///
    /// ```
    /// let sleep = backend_mio::sleep(std::time::Duration::ZERO);
    /// assert!(sleep.is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    fn key(&self) -> Option<TimerKey> {
        self.seq.map(|seq| (self.deadline, seq))
    }
}

impl Future for Sleep {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_elapsed() {
            if let Some(key) = self.key() {
                timer::cancel(key);
                self.seq = None;
            }
            return Poll::Ready(());
        }
        let seq = *self.seq.get_or_insert_with(timer::next_seq);
        assert!(
            timer::register((self.deadline, seq), cx.waker()),
            "{}",
            pool_core::time::TIME_OUTSIDE_WORKER
        );
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(key) = self.key() {
            timer::cancel(key);
        }
    }
}
