//! # backend-uring: a per-thread pool on io_uring
//!
//! [`UringPool`] implements the whole [`pool_core`] API with one io_uring per worker
//! thread. Each worker runs the single-threaded executor of [`pool_exec`], the same
//! one `backend-mio` runs, so the two backends differ only in their I/O model:
//! readiness and `epoll_wait` there, completions on a ring here.
//!
//! ```
//! use backend_uring::UringPool;
//! use pool_core::{Builder, Runtime};
//!
//! let pool: UringPool = match Builder::new().pool_size(2).build() {
//!     Ok(pool) => pool,
//!     Err(e) => {
//!         // io_uring missing, disabled or refused: a clear error, never a crash.
//!         println!("{e}");
//!         return Ok(());
//!     }
//! };
//! let (tx, rx) = std::sync::mpsc::channel();
//! for i in 0..4 {
//!     let tx = tx.clone();
//!     pool.spawn(async move {
//!         backend_uring::sleep(std::time::Duration::from_millis(1)).await;
//!         tx.send((i, UringPool::current_worker())).unwrap();
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
//! Where io_uring is missing (Linux before 5.6), disabled
//! (`kernel.io_uring_disabled`) or refused (seccomp, many container runtimes),
//! `build()` returns [`BuildError::Unavailable`](pool_core::BuildError::Unavailable)
//! with the reason; use `backend-mio` there. Like `backend-mio` it offers only TCP,
//! timers ([`sleep`], [`timeout`]) and worker metrics, and like every per-thread pool
//! it has no work stealing. All three [`ParkPolicy`](pool_core::ParkPolicy)s are
//! honoured: with `Spin(window)` an idle worker keeps entering its ring without
//! waiting (one `io_uring_enter` a round: under `DEFER_TASKRUN` completions are
//! only posted then) and watching its inbox, yielding its CPU every 16 rounds; with
//! `Never` it never parks.
//!
//! ## Kernel features and fallbacks
//!
//! The kernel is probed once per process ([`features`]; [`Features::describe`] is
//! the line the harness records in its metadata):
//!
//! | feature | kernel | without it |
//! | --- | --- | --- |
//! | `SINGLE_ISSUER \| DEFER_TASKRUN` set-up | 6.1 | `SINGLE_ISSUER \| COOP_TASKRUN` (6.0), `COOP_TASKRUN` (5.19), no flags |
//! | multishot accept | 5.19 | one `IORING_OP_ACCEPT` per connection |
//! | provided buffer ring + multishot receive | 5.19 / 6.0 | one `IORING_OP_RECV` into an owned buffer per read |
//!
//! [`UringFallbackPool`] takes the fallback paths on any kernel: the conformance kit
//! runs on it too.
//!
//! `AsyncWrite` sends copy into an owned buffer (one `IORING_OP_SEND` each); the
//! owned-buffer I/O of [`pool_core::net::OwnedIo`] does not copy: `recv` lends the
//! ring buffer the kernel received into ([`UringBuf`]), and `send_owned` sends from
//! the buffer it is given, submitted from the call, without waking the task when it
//! completes (see [`TcpStream`]). Timers are a
//! per-worker ordered map whose earliest deadline bounds the ring wait with an
//! `IORING_OP_TIMEOUT`; other threads wake a worker by writing its eventfd, which the
//! ring always has a read pending on.
//!
//! ## Implementation
//!
//! Threads: one per worker, started, named and joined by [`pool_core::Pool`]; no
//! kernel SQ-poll thread. Each worker's loop (see [`UringWorker`]):
//!
//! 1. **Inbox and executor**, as in `backend-mio` (shared code, [`pool_exec`]): at most
//!    `K` = 61 task polls per tick; a budget of `B` = 128 socket operations per poll,
//!    after which the task waits until the ring has been entered. The fairness tests
//!    of the conformance kit check this here too.
//! 2. **Ring.** One `io_uring_enter` per tick submits every operation tasks queued and
//!    reaps completions (always with `GETEVENTS`: under `DEFER_TASKRUN` completions are
//!    posted only then); it waits only when no task is runnable.
//! 3. **Timers.** Due deadlines fire and wake their tasks.
//!
//! Sockets live in the driver's slab; a [`TcpStream`] or [`TcpListener`] is a handle
//! to one. Operations live in a second slab, and own every buffer the kernel may
//! touch (send copies, owned receive buffers, connect addresses, timespecs, the
//! eventfd counter) until their last completion is reaped. Dropping a socket queues
//! an `IORING_OP_ASYNC_CANCEL` for each of its operations; the socket's descriptor is
//! closed only when the last of them has completed, so the kernel never sees a closed
//! or reused descriptor. When the worker stops, its driver cancels everything still
//! in flight and waits for the completions before freeing any buffer; if some never
//! came (a kernel bug), it leaks the memory rather than free it. Each operation's
//! `user_data` carries a generation, so a late cancel can never hit a newer
//! operation in a reused slot.
//!
//! The ring set-up, the kernel probe, the provided buffer ring and the meaning of
//! multishot completions are `uring-core`'s, shared with the `uring-ref` reference
//! loop. Received bytes stay in their ring buffer, held by a `uring_core::RingBuf`
//! guard, until a read has copied them out; then the guard gives the buffer back.
//! The crate's own `unsafe` code is in `driver/`: pushing entries to the submission
//! queue (each names the buffer and descriptor whose lifetime it relies on),
//! `eventfd`, and handing completions to `uring-core`.
#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod diagnostics;
mod driver;
pub mod net;
mod pool;
mod probe;
mod reactor;
mod worker;

pub use net::{TcpListener, TcpStream, UringBuf};
pub use pool::{UringBackend, UringFallbackBackend, UringFallbackPool, UringPool};
pub use pool_exec::time::{sleep, sleep_until, timeout, Elapsed, Sleep, Timeout};
pub use pool_exec::ExecRemote as UringRemote;
pub use probe::{fallback_features, features, Features, SetupMode, FORCE_UNAVAILABLE_ENV};
pub use reactor::UringReactor;
pub use worker::UringWorker;
