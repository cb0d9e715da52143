//! # backend-tokio: pool-core on tokio
//!
//! Two runtimes behind the [`pool_core::Runtime`] API:
//!
//! - [`TokioPool`]: the per-thread pool of the old `tokio-io-pool` crate. Each worker
//!   thread runs its own tokio *current-thread* runtime (`enable_all`) with a
//!   [`LocalSet`](tokio::task::LocalSet), so it has its own I/O driver and timer, and
//!   `!Send` tasks can run on it.
//! - [`TokioMultiThread`]: tokio's work-stealing *multi-thread* runtime with the same
//!   worker count, adapted to the same API. It is the baseline every comparison uses.
//!
//! ```
//! use backend_tokio::{TokioMultiThread, TokioPool};
//! use pool_core::{Builder, Runtime};
//!
//! fn answer<R: Runtime>() -> u32 {
//!     let pool: R = Builder::new().pool_size(2).build().unwrap();
//!     pool.block_on(async { 42 })
//! }
//! assert_eq!(answer::<TokioPool>(), answer::<TokioMultiThread>());
//! ```
//!
//! ## How it works
//!
//! A [`TokioPool`] worker blocks in `LocalSet::block_on`, inside that `LocalSet`'s
//! context. One task of the `LocalSet` runs pool-exec's executor: `Handle::spawn` and
//! `spawn_pinned` queue their tasks on the worker's pool-exec inbox (a spawn is one
//! allocation, pool-exec's task cell, which holds the join state too), which wakes that
//! task only if it sleeps. Children (`spawn_child`, `spawn_local`) are `spawn_local`ed
//! into the `LocalSet` (one allocation, tokio's task). The executor polls a budget of
//! tasks, then yields to tokio (I/O, timers, the `LocalSet`'s tasks). Stopping the inbox
//! ends the executor's task, which drops its tasks; the worker then drops its
//! `LocalSet` and its runtime (and so every unfinished child) inside its runtime's
//! context.
//!
//! `tokio::spawn` inside a [`TokioPool`] task stays on the current worker (tokio cannot
//! reroute it), and such tasks are not counted by `shutdown_on_idle`: use the pool's
//! spawn functions to distribute and track work.
//!
//! Socket types are the newtypes in [`net`], wrapping tokio's, because the pool-core
//! net traits cannot be implemented on tokio's types from here. Time is tokio's timer
//! ([`Sleep`], armed at its first poll so that it can be made anywhere).
//!
//! ## Metrics
//!
//! [`Handle::metrics`](pool_core::Handle::metrics) on a [`TokioPool`] gives every field:
//! task counts from pool-core, busy time (the worker thread's CPU time, see
//! [`BusyClock`](pool_core::backend::BusyClock)) and parks from each worker's park hooks,
//! and as queue depth what the worker's inbox holds (spawns, `spawn_pinned` tasks and
//! wakes from other threads not yet taken by the worker; tokio does not expose the run
//! queue of a `LocalSet`, so children waiting to run are not counted). On [`TokioMultiThread`] see its docs: tokio's stable metrics give
//! busy time and parks per worker, and the rest is `None`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod driver;
mod handle;
mod mt_busy;
mod multi_thread;
pub mod net;
mod pool;
mod time;
mod worker;

pub use handle::TokioRemote;
pub use multi_thread::{MultiThreadHandle, TokioMultiThread};
pub use pool::{TokioBackend, TokioPool};
pub use time::Sleep;
pub use worker::TokioWorker;
