//! [`JoinHandle`] and [`JoinError`]: the output (or the panic) of a spawned task.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use atomic_waker::AtomicWaker;

/// Awaits the output of a task spawned through a pool.
///
/// A `JoinHandle` is a future of `Result<T, JoinError>`. It can be awaited from any
/// thread: inside a task of the same pool, of another pool, or outside every pool (for
/// example with `futures::executor::block_on`). Dropping it *detaches* the task, which
/// keeps running; [`abort`](JoinHandle::abort) cancels it.
///
/// Every spawn function of [`Handle`](crate::Handle) and [`Runtime`](crate::Runtime)
/// returns one, on every backend.
///
/// ```
/// use backend_tokio::TokioPool;
/// use pool_core::{Builder, Runtime};
///
/// let pool: TokioPool = Builder::new().pool_size(2).build()?;
/// let task = pool.spawn(async { 6 * 7 })?;
/// assert_eq!(futures::executor::block_on(task)?, 42);
///
/// let panicky = pool.spawn(async { panic!("boom") })?;
/// let err = futures::executor::block_on(panicky).unwrap_err();
/// assert!(err.is_panic());
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
// Not `#[must_use]`: dropping the handle to detach a task is the common case (as with
// tokio's JoinHandle), and a lint on every fire-and-forget spawn would be noise.
pub struct JoinHandle<T> {
    state: Arc<JoinState<T>>,
}

/// Why a task gave no output: it panicked, or it was cancelled.
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    // The mutex only makes the payload `Sync`, so that `JoinError` is too.
    Panicked(Mutex<Box<dyn Any + Send + 'static>>),
}

/// The state a task and its [`JoinHandle`] share.
pub(crate) struct JoinState<T> {
    slot: Mutex<Slot<T>>,
    /// Set once the output (or the error) is in `slot`.
    finished: AtomicBool,
    /// Set by [`JoinHandle::abort`]; the task checks it at each poll.
    aborted: AtomicBool,
    /// Set when the handle is dropped: the result then has no reader, and the task
    /// drops it without taking the lock.
    detached: AtomicBool,
    /// The task's own waker, for `abort` to make it run (and so end) soon.
    task: AtomicWaker,
}

enum Slot<T> {
    /// Not finished; the waker of whoever awaits the handle.
    Running(Option<Waker>),
    Done(Result<T, JoinError>),
    /// The handle took the output.
    Taken,
}

impl<T> JoinState<T> {
    /// A new shared state and the handle that reads it.
    pub(crate) fn new() -> (Arc<Self>, JoinHandle<T>) {
        let state = Arc::new(JoinState {
            slot: Mutex::new(Slot::Running(None)),
            finished: AtomicBool::new(false),
            aborted: AtomicBool::new(false),
            detached: AtomicBool::new(false),
            task: AtomicWaker::new(),
        });
        let handle = JoinHandle {
            state: Arc::clone(&state),
        };
        (state, handle)
    }

    fn lock(&self) -> MutexGuard<'_, Slot<T>> {
        // No code panics while holding this lock; recover rather than cascade.
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the task's result, unless one is stored already, and wakes the joiner.
    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        if self.detached.load(Ordering::Acquire) {
            // Nobody will read it: drop it here, on the task's worker.
            self.finished.store(true, Ordering::Release);
            drop(result);
            return;
        }
        let waker = {
            let mut slot = self.lock();
            match &mut *slot {
                Slot::Running(waker) => {
                    let waker = waker.take();
                    *slot = Slot::Done(result);
                    waker
                }
                Slot::Done(_) | Slot::Taken => return,
            }
        };
        self.finished.store(true, Ordering::Release);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether [`JoinHandle::abort`] was called.
    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }

    /// Remembers the task's waker, so that an abort can wake it. Returns `true` if an
    /// abort arrived meanwhile (the caller then ends the task at once).
    pub(crate) fn register_task(&self, waker: &Waker) -> bool {
        self.task.register(waker);
        self.is_aborted()
    }
}

impl<T> JoinHandle<T> {
    /// Cancels the task. It is dropped at its next poll, on its own worker, and the
    /// handle then gives [`JoinError::is_cancelled`]. A task aborted before its first
    /// poll never runs. Aborting a finished task does nothing: its output stays.
    ///
    /// ```
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(1).build()?;
    /// let forever = pool.spawn(std::future::pending::<()>())?;
    /// forever.abort();
    /// assert!(futures::executor::block_on(forever).unwrap_err().is_cancelled());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn abort(&self) {
        self.state.aborted.store(true, Ordering::Release);
        self.state.task.wake();
    }

    /// Whether the task has finished: completed, panicked or been cancelled.
    ///
    /// ```
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(1).build()?;
    /// let task = pool.spawn(async { 1 })?;
    /// pool.shutdown_on_idle();
    /// assert!(task.is_finished());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_finished(&self) -> bool {
        self.state.finished.load(Ordering::Acquire)
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    /// # Panics
    ///
    /// If polled again after it returned `Ready`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.state.lock();
        match &mut *slot {
            Slot::Running(waker) => {
                match waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => *waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            Slot::Done(_) => match std::mem::replace(&mut *slot, Slot::Taken) {
                Slot::Done(result) => Poll::Ready(result),
                _ => unreachable!("matched Done above"),
            },
            Slot::Taken => panic!("JoinHandle polled after it returned the task's output"),
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.state.detached.store(true, Ordering::Release);
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .field("aborted", &self.state.is_aborted())
            .finish_non_exhaustive()
    }
}

impl JoinError {
    pub(crate) fn cancelled() -> Self {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panicked(payload: Box<dyn Any + Send + 'static>) -> Self {
        JoinError {
            repr: Repr::Panicked(Mutex::new(payload)),
        }
    }

    /// The task was cancelled: [`JoinHandle::abort`], or the pool shut down
    /// ([`shutdown_now`](crate::Runtime::shutdown_now), a
    /// [`shutdown_timeout`](crate::Runtime::shutdown_timeout) that ran out, or a drop)
    /// before the task finished.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The task panicked. The panic also went to the panic hook and counts in
    /// [`Handle::task_panics`](crate::Handle::task_panics).
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panicked(_))
    }

    /// The panic payload, to inspect or to resume with `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// If the task did not panic ([`is_panic`](JoinError::is_panic) is `false`).
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .unwrap_or_else(|_| panic!("JoinError::into_panic on a cancelled task"))
    }

    /// The panic payload, or the error back if the task was cancelled.
    ///
    /// # Errors
    ///
    /// Gives `self` back if the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panicked(payload) => Ok(payload.into_inner().unwrap_or_else(|e| e.into_inner())),
            Repr::Cancelled => Err(self),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("the task was cancelled"),
            Repr::Panicked(payload) => {
                let payload = payload.lock().unwrap_or_else(|e| e.into_inner());
                match panic_message(&**payload) {
                    Some(msg) => write!(f, "the task panicked: {msg}"),
                    None => f.write_str("the task panicked"),
                }
            }
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("JoinError::Cancelled"),
            Repr::Panicked(_) => write!(f, "JoinError::Panicked({self})"),
        }
    }
}

impl Error for JoinError {}

/// The message of a panic payload, if it is a string.
fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_traits<T: Send + Sync + Unpin + fmt::Debug>() {}

    #[test]
    fn auto_traits() {
        assert_traits::<JoinHandle<u8>>();
        assert_traits::<JoinError>();
    }

    #[test]
    fn first_result_wins() {
        let (state, handle) = JoinState::new();
        state.complete(Ok(1));
        state.complete(Err(JoinError::cancelled()));
        assert!(handle.is_finished());
        let got = futures::executor::block_on(handle);
        assert_eq!(got.unwrap(), 1);
    }

    #[test]
    fn display_names_the_panic() {
        let err = JoinError::panicked(Box::new(String::from("oops")));
        assert_eq!(err.to_string(), "the task panicked: oops");
        assert!(JoinError::cancelled().try_into_panic().is_err());
    }
}
