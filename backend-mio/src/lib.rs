//! # backend-mio: a per-thread pool on a hand-built executor and mio reactor
//!
//! [`MioPool`] implements the whole [`pool_core`] API with no async runtime underneath:
//! each worker thread runs this crate's single-threaded executor on its own
//! [`mio::Poll`]. It exists to show what a per-thread pool costs at its leanest, next
//! to `backend-tokio`, which borrows tokio's current-thread scheduler.
//!
//! ```
//! use backend_mio::MioPool;
//! use pool_core::{Builder, Runtime};
//!
//! let pool: MioPool = Builder::new().pool_size(2).build()?;
//! let (tx, rx) = std::sync::mpsc::channel();
//! for i in 0..4 {
//!     let tx = tx.clone();
//!     pool.spawn(async move {
//!         backend_mio::sleep(std::time::Duration::from_millis(1)).await;
//!         tx.send((i, MioPool::current_worker())).unwrap();
//!     })?;
//! }
//! pool.shutdown_on_idle();
//! drop(tx);
//! let mut workers: Vec<_> = rx.iter().take(4).map(|(_, w)| w.unwrap()).collect();
//! workers.sort();
//! assert_eq!(workers, [0, 0, 1, 1]); // round-robin
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## When not to use it
//!
//! It offers only what the pool-core API needs: TCP, [`sleep`] and [`timeout`]. There
//! is no UDP, no file or process I/O, no blocking pool, and tokio's own `tokio::net`
//! and `tokio::time` do not work on it (they look for a tokio runtime and panic). Use
//! `backend-tokio` for an ecosystem; use this backend to measure, or where TCP is all
//! you need. Like every per-thread pool, it has no work stealing.
//!
//! ## Implementation
//!
//! Threads: one per worker, started, named and joined by [`pool_core::Pool`]; nothing
//! else (no timer or blocking thread). Each worker's
//! [`Worker::run`](pool_core::Worker::run) loops:
//!
//! 1. **Inbox.** Other threads reach a worker through its [`MioRemote`]: spawns and
//!    cross-thread wakes go into a mutex-protected queue, and only if the worker is
//!    asleep does the remote write the worker's `mio::Waker` (an `eventfd`).
//! 2. **Executor.** Tasks live in a slab; a run queue holds the wakers of runnable
//!    tasks. A waker is an `Arc` implementing [`std::task::Wake`]: on the worker's own
//!    thread it pushes onto the run queue, elsewhere onto the inbox; a flag keeps a task
//!    queued at most once. Up to 128 tasks are polled per tick, and each poll has a
//!    budget of 128 I/O operations, after which socket futures yield, so one hot
//!    connection cannot starve the others.
//! 3. **Reactor.** `epoll_wait` (through `mio::Poll`) with a zero timeout if tasks are
//!    still runnable, else until the next timer deadline (or forever). Events are taken
//!    in batches of at most 1024. Sockets are registered edge-triggered for reads and
//!    writes once, with `epoll_ctl`, when created; each keeps its readiness in an
//!    atomic that events only add to and that an operation clears only when it got
//!    `WouldBlock` (or a short read or write, which proves the same and saves the
//!    `EAGAIN` syscall) and no event arrived in between, so no wake-up is lost.
//! 4. **Timers.** Due deadlines in a per-worker ordered map fire and wake their tasks.
//!
//! When [`Remote::stop`](pool_core::Remote::stop) is called the loop ends at the next
//! task boundary and every unfinished task is dropped on the worker thread, where its
//! sockets deregister (`epoll_ctl(DEL)`, then `close`).
//!
//! The crate has no `unsafe` code.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub mod diagnostics;
mod executor;
mod handle;
mod metrics;
pub mod net;
mod pool;
mod reactor;
mod time;
mod worker;

pub use handle::MioRemote;
pub use net::{TcpListener, TcpStream};
pub use pool::{MioBackend, MioPool};
pub use time::{sleep, sleep_until, timeout, Elapsed, Sleep, Timeout};
pub use worker::MioWorker;
