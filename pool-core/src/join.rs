//! [`JoinHandle`] and [`JoinError`]: the output (or the panic) of a spawned task.

use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::join_state::{JoinState, POLLED_AFTER_OUTPUT};

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
    repr: Handle<T>,
}

/// Where the task's output comes from. Each spawn path picks the one that costs it no
/// allocation beyond the task's own.
enum Handle<T> {
    /// A join state of its own (a task built later on its worker, or boxed).
    State(Arc<JoinState<T>>),
    /// The task cell of a hand-built backend, which holds the output and the join
    /// waker itself.
    Cell(Mutex<Cell<T>>),
    /// tokio's own join handle, which shares tokio's task allocation.
    #[cfg(feature = "tokio-join")]
    Tokio(tokio::task::JoinHandle<Result<T, JoinError>>),
    /// A `Cell` or `Tokio` handle returned its output.
    Taken,
}

type Output<T> = Result<T, JoinError>;
type Cancel<T> = Pin<Box<dyn Future<Output = Option<Output<T>>> + Send>>;

/// An async-task handle and its cancellation.
enum Cell<T> {
    Running {
        task: async_task::FallibleTask<Output<T>>,
        /// Boxes `task.cancel()`; made where `T: Send` is known, so that the boxed
        /// future can be `Send`. Only an abort allocates.
        cancel: fn(async_task::FallibleTask<Output<T>>) -> Cancel<T>,
    },
    /// Aborted while running: resolves once the task's future is dropped (to `None`)
    /// or to the output it finished with just before.
    Cancelling(Cancel<T>),
    /// Only while `abort` moves the task into its cancellation.
    Moving,
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
        match &self.repr {
            Handle::State(state) => state.abort(),
            Handle::Cell(cell) => {
                let mut cell = cell.lock().unwrap_or_else(|e| e.into_inner());
                let cancelling = match &*cell {
                    Cell::Running { task, .. } if task.is_finished() => return,
                    Cell::Running { .. } => match std::mem::replace(&mut *cell, Cell::Moving) {
                        Cell::Running { task, cancel } => cancel(task),
                        _ => unreachable!("matched Running above"),
                    },
                    Cell::Cancelling(_) | Cell::Moving => return,
                };
                *cell = Cell::Cancelling(cancelling);
            }
            #[cfg(feature = "tokio-join")]
            Handle::Tokio(handle) => handle.abort(),
            Handle::Taken => {}
        }
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
        match &self.repr {
            Handle::State(state) => state.is_finished(),
            Handle::Cell(cell) => match &*cell.lock().unwrap_or_else(|e| e.into_inner()) {
                Cell::Running { task, .. } => task.is_finished(),
                Cell::Cancelling(_) | Cell::Moving => false,
            },
            #[cfg(feature = "tokio-join")]
            Handle::Tokio(handle) => handle.is_finished(),
            Handle::Taken => true,
        }
    }

    /// Whether [`abort`](JoinHandle::abort) was called, where the handle knows.
    fn aborted(&self) -> Option<bool> {
        match &self.repr {
            Handle::State(state) => Some(state.is_aborted()),
            Handle::Cell(cell) => Some(matches!(
                &*cell.lock().unwrap_or_else(|e| e.into_inner()),
                Cell::Cancelling(_)
            )),
            #[cfg(feature = "tokio-join")]
            Handle::Tokio(_) => None,
            Handle::Taken => None,
        }
    }

    /// A handle on a join state of its own.
    pub(crate) fn from_state(state: Arc<JoinState<T>>) -> Self {
        JoinHandle {
            repr: Handle::State(state),
        }
    }

    /// The handle of a task that lives in an async-task cell (its future wrapped by
    /// [`LiveTask::wrap`](crate::backend::LiveTask::wrap)).
    pub(crate) fn from_cell(task: async_task::Task<Output<T>>) -> Self
    where
        T: Send + 'static,
    {
        fn cancel<T: Send + 'static>(task: async_task::FallibleTask<Output<T>>) -> Cancel<T> {
            Box::pin(task.cancel())
        }
        JoinHandle {
            repr: Handle::Cell(Mutex::new(Cell::Running {
                task: task.fallible(),
                cancel: cancel::<T>,
            })),
        }
    }

    /// The handle of a tokio task (its future wrapped by
    /// [`LiveTask::wrap`](crate::backend::LiveTask::wrap)).
    #[cfg(feature = "tokio-join")]
    pub(crate) fn from_tokio(handle: tokio::task::JoinHandle<Output<T>>) -> Self {
        JoinHandle {
            repr: Handle::Tokio(handle),
        }
    }
}

/// The [`JoinHandle`] of a task stored in an async-task cell, whose future is a
/// [`LiveTask::wrap`](crate::backend::LiveTask::wrap)ped one: the handle reads the
/// output and parks its waker in the task's own allocation, so the spawn allocates
/// once.
///
/// ```
/// use pool_core::backend::{async_task, join_cell};
///
/// let (runnable, task) = async_task::spawn(async { Ok::<_, pool_core::JoinError>(5) }, drop);
/// let handle = join_cell(task);
/// runnable.run();
/// assert_eq!(futures::executor::block_on(handle).unwrap(), 5);
/// ```
pub fn join_cell<T: Send + 'static>(task: async_task::Task<Output<T>>) -> JoinHandle<T> {
    JoinHandle::from_cell(task)
}

/// The [`JoinHandle`] of a tokio task whose future is a
/// [`LiveTask::wrap`](crate::backend::LiveTask::wrap)ped one: it wraps tokio's own
/// handle, which shares tokio's task allocation. Feature `tokio-join`.
///
/// ```
/// use pool_core::backend::join_tokio;
///
/// let rt = tokio::runtime::Builder::new_current_thread().build()?;
/// let handle = join_tokio(rt.spawn(async { Ok::<_, pool_core::JoinError>(5) }));
/// assert_eq!(rt.block_on(handle).unwrap(), 5);
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "tokio-join")]
pub fn join_tokio<T>(handle: tokio::task::JoinHandle<Output<T>>) -> JoinHandle<T> {
    JoinHandle::from_tokio(handle)
}

/// A cell's output: `None` is a task dropped before it finished.
fn cell_output<T>(output: Option<Output<T>>) -> Output<T> {
    output.unwrap_or_else(|| Err(JoinError::cancelled()))
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    /// # Panics
    ///
    /// If polled again after it returned `Ready`.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let output = match &mut this.repr {
            Handle::State(state) => return state.poll_join(cx),
            Handle::Cell(cell) => match cell.get_mut().unwrap_or_else(|e| e.into_inner()) {
                Cell::Running { task, .. } => {
                    cell_output(std::task::ready!(Pin::new(task).poll(cx)))
                }
                Cell::Cancelling(cancel) => {
                    cell_output(std::task::ready!(cancel.as_mut().poll(cx)))
                }
                Cell::Moving => unreachable!("abort restores the cell before it unlocks"),
            },
            #[cfg(feature = "tokio-join")]
            Handle::Tokio(handle) => match std::task::ready!(Pin::new(handle).poll(cx)) {
                Ok(output) => output,
                Err(e) if e.is_panic() => Err(JoinError::panicked(e.into_panic())),
                Err(_) => Err(JoinError::cancelled()),
            },
            Handle::Taken => panic!("{POLLED_AFTER_OUTPUT}"),
        };
        this.repr = Handle::Taken;
        Poll::Ready(output)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.repr, Handle::Taken) {
            Handle::State(state) => state.detach(),
            Handle::Cell(cell) => match cell.into_inner().unwrap_or_else(|e| e.into_inner()) {
                Cell::Running { task, .. } => task.detach(),
                // Dropping it detaches the (already cancelled) task.
                Cell::Cancelling(cancel) => drop(cancel),
                Cell::Moving => {}
            },
            // Dropping tokio's handle detaches the task.
            #[cfg(feature = "tokio-join")]
            Handle::Tokio(handle) => drop(handle),
            Handle::Taken => {}
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .field("aborted", &self.aborted())
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
        let handle = JoinHandle::from_state(handle);
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
