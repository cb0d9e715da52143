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
    BLOCK_ON_IN_WORKER, ContextGuard, PoolId, SHUTDOWN_ON_IDLE_IN_WORKER, WorkerContext,
};
pub use crate::counters::{CountersGuard, WorkerCounters};
pub use crate::join::join_cell;
#[cfg(feature = "tokio-join")]
pub use crate::join::join_tokio;
pub use crate::lifecycle::{GateResult, Lifecycle, Reporter, StartGate};
pub use crate::net::poll_owned::{PollBuf, PollOwned};
pub use crate::placement::RoundRobin;
pub use crate::task::{LiveGuard, LiveTask, Supervised, TaskParts, TaskTracker, Tracked};
/// The task cell crate of the hand-built backends, at the version [`join_cell`] takes.
pub use async_task;
pub use runtime_impl::{RuntimeImpl, check_worker};
pub use traits::{Backend, LocalFuture, Remote, SendFuture, Task, Worker};
