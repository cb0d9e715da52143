//! For backend implementors: the per-thread backend seam ([`Backend`], [`Worker`],
//! [`Remote`], [`Task`]) and the shared mechanics a direct [`Runtime`](crate::Runtime)
//! implementation reuses ([`Lifecycle`], [`StartGate`], [`WorkerContext`], task
//! tracking, placement).
//!
//! Users of a pool need none of this: they see [`Builder`](crate::Builder),
//! [`Runtime`](crate::Runtime), [`Handle`](crate::Handle) and
//! [`JoinHandle`](crate::JoinHandle) at the crate root.
//!
//! A new per-thread backend implements [`Backend`] and gets the whole
//! [`Runtime`](crate::Runtime) API through [`Pool`](crate::Pool); then it runs the
//! conformance kit (feature `conformance`):
//!
//! ```ignore
//! // backend-foo/tests/conformance.rs
//! pool_core::conformance_tests!(pool_core::Pool<backend_foo::FooBackend>);
//! ```

mod runtime_impl;
mod traits;

pub use crate::busy::BusyClock;
pub use crate::config::{Hook, PoolConfig, StallHook};
pub use crate::context::{
    ContextGuard, PoolId, WorkerContext, BLOCK_ON_IN_WORKER, SHUTDOWN_ON_IDLE_IN_WORKER,
};
pub use crate::counters::{CountersGuard, WorkerCounters};
pub use crate::lifecycle::{GateResult, Lifecycle, Reporter, StartGate};
pub use crate::net::poll_owned::{PollBuf, PollOwned};
pub use crate::placement::RoundRobin;
pub use crate::task::{LiveGuard, LiveTask, Supervised, TaskParts, TaskTracker, Tracked};
/// The task cell crate of the hand-built backends, at the version [`join_cell`] takes.
pub use async_task;
pub use runtime_impl::{check_worker, RuntimeImpl};

use crate::join::{JoinError, JoinHandle};

/// The [`JoinHandle`] of a task stored in an async-task cell, whose future is a
/// [`LiveTask::wrap`]ped one: the handle reads the output and parks its waker in the
/// task's own allocation, so the spawn allocates once.
///
/// ```
/// use pool_core::backend::{async_task, join_cell};
///
/// let tracker = pool_core::backend::TaskTracker::new();
/// # let _ = tracker;
/// let (runnable, task) = async_task::spawn(async { Ok::<_, pool_core::JoinError>(5) }, |r| drop(r));
/// let handle = join_cell(task);
/// runnable.run();
/// assert_eq!(futures::executor::block_on(handle).unwrap(), 5);
/// ```
pub fn join_cell<T: Send + 'static>(task: async_task::Task<Result<T, JoinError>>) -> JoinHandle<T> {
    JoinHandle::from_cell(task)
}

/// The [`JoinHandle`] of a tokio task whose future is a [`LiveTask::wrap`]ped one: it
/// wraps tokio's own handle, which shares tokio's task allocation.
#[cfg(feature = "tokio-join")]
pub fn join_tokio<T>(handle: tokio::task::JoinHandle<Result<T, JoinError>>) -> JoinHandle<T> {
    JoinHandle::from_tokio(handle)
}
pub use traits::{Backend, LocalFuture, Remote, SendFuture, Task, Worker};
