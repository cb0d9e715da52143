//! # pool-exec: the per-thread executor of iopool's hand-built backends
//!
//! `backend-mio` (an epoll reactor) and `backend-uring` (an io_uring completion
//! driver) differ only in how a worker waits for I/O. Everything else a worker runs is
//! here, written once: task storage and the run queue ([`Executor`]), the remote
//! [`Inbox`] other threads spawn and wake through, the task wakers, the cooperative
//! budget ([`coop`]), the thread's current executor ([`current`]), a worker's
//! [`WorkerStats`] and its [`ExecRemote`], the worker's timers ([`time`]: `sleep`,
//! `timeout`, and the ordered deadlines the reactor's wait is bounded by), and the
//! worker's loop itself ([`Worker`]), generic over the backend's [`Reactor`].
//!
//! It is a crate for backend implementors, not for users of a pool: it has no reactor
//! and no sockets, and on its own it does no I/O.
//!
//! ## How a backend drives it
//!
//! A backend implements a [`Reactor`] (a turn that processes readiness or
//! completions, waiting or not, and the guard that makes it the thread's current
//! one) and hands it, with an [`Unpark`], to [`Worker::new`]. The [`Worker`] is the
//! whole loop, the same for every reactor:
//!
//! 1. [`Executor::drain_inbox`]: spawns and wakes queued by other threads;
//! 2. [`Executor::tick`]`(`[`EVENT_INTERVAL`]`)`: polls at most `K` = 61 tasks
//!    ([`Reactor::flush`] every [`Reactor::FLUSH_EVERY`] of them);
//! 3. its reactor turn: without blocking if [`Executor::has_runnable`], else after
//!    spinning as the park policy allows ([`spin`]) and [`Inbox::prepare_sleep`]
//!    returned `true` (then [`Inbox::awake`] after it);
//! 4. its timers;
//! 5. [`Executor::wake_deferred`]: the tasks that spent their budget go last.
//!
//! I/O futures call [`coop::poll_proceed`] before an operation and [`coop::spend`]
//! after one. The fairness argument (why `K` = 61 and `B` = 128, and why a task that
//! spent its budget waits for the next reactor turn) is in `backend-mio`'s crate docs,
//! and the conformance kit's fairness tests check it on both backends.
//!
//! ```
//! use std::cell::Cell;
//! use std::rc::Rc;
//!
//! use pool_exec::{Batch, Executor, Inbox, Unpark};
//!
//! /// A worker that never blocks needs no unpark.
//! struct Nobody;
//! impl Unpark for Nobody {
//!     fn unpark(&self) {}
//! }
//!
//! let executor = Rc::new(Executor::new(Inbox::new(Box::new(Nobody))));
//! let _current = pool_exec::current::enter(Rc::clone(&executor));
//! let ran = Rc::new(Cell::new(false));
//! let r = Rc::clone(&ran);
//! executor.spawn(Box::pin(async move { r.set(true) }));
//! executor.drain_inbox(&mut Batch::default());
//! assert_eq!(executor.tick(pool_exec::EVENT_INTERVAL), 1);
//! assert!(ran.get());
//! ```
//!
//! The crate has no `unsafe` code; its unit tests run under Miri (`make miri`).
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod backend_fns;
pub mod coop;
pub mod current;
mod inbox;
mod reactor;
mod remote;
mod scheduler;
pub mod spin;
mod stats;
pub mod time;
mod waker;
mod worker;

pub use inbox::{Batch, Inbox, Unpark};
pub use reactor::{Reactor, Wait};
pub use remote::ExecRemote;
pub use scheduler::Executor;
pub use stats::WorkerStats;
pub use worker::Worker;

/// pool-core, for [`spawn_fns!`]'s expansion in other crates.
#[doc(hidden)]
pub use pool_core as __pool_core;

/// The event interval `K`: tasks polled per tick before the worker looks at I/O,
/// timers and its inbox again (tokio's `event_interval`). The reasoning is in
/// `backend-mio`'s crate docs (`## Implementation`).
pub const EVENT_INTERVAL: usize = 61;

#[cfg(test)]
mod tests;
