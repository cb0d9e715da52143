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
//! It offers only what the pool-core API needs: TCP, [`sleep`] and [`timeout`] (the
//! same timers that generic code reaches as `R::sleep` and `R::timeout`), and worker
//! metrics: busy time and parks measured around each blocking `epoll_wait`, and a queue
//! depth of the inbox plus the run queue (the latter sampled once per loop turn). There
//! is no UDP, no file or process I/O, no blocking pool, and tokio's own `tokio::net`
//! and `tokio::time` do not work on it (they look for a tokio runtime and panic). Use
//! `backend-tokio` for an ecosystem; use this backend to measure, or where TCP is all
//! you need. Like every per-thread pool, it has no work stealing.
//!
//! ## Parking
//!
//! All three [`ParkPolicy`](pool_core::ParkPolicy)s are honoured. With
//! `Spin(window)`, an idle worker keeps calling `epoll_wait` with a zero timeout and
//! watching its inbox (an atomic flag, no lock) for up to `window` after its last
//! event, then parks; with `Never` it never parks. While it spins it does not announce
//! itself asleep, so a remote spawn or wake costs no `eventfd` write and no thread
//! wake-up: the worker sees it within about a microsecond. It yields its CPU
//! (`sched_yield`) once every 16 polls, so it never starves a thread it shares its CPU
//! with, and the spin-loop hint runs between the others. Spinning counts as busy time
//! in the metrics; parks are counted only when the worker really blocks.
//!
//! ## Implementation
//!
//! Threads: one per worker, started, named and joined by [`pool_core::Pool`]; nothing
//! else (no timer or blocking thread). Each worker's
//! [`Worker::run`](pool_core::backend::Worker::run) loops:
//!
//! 1. **Inbox.** Other threads reach a worker through its [`MioRemote`]: spawns and
//!    cross-thread wakes go into a mutex-protected queue, and only if the worker is
//!    asleep does the remote write the worker's `mio::Waker` (an `eventfd`).
//! 2. **Executor.** The executor is [`pool_exec`]'s, shared with `backend-uring`
//!    (only the reactor differs). Tasks live in a slab; a run queue holds the wakers of runnable
//!    tasks. A waker is an `Arc` implementing [`std::task::Wake`]: on the worker's own
//!    thread it pushes onto the run queue, elsewhere onto the inbox; a flag keeps a task
//!    queued at most once. Up to `K` = 61 tasks are polled per tick (the *event
//!    interval*); then the worker turns the reactor, fires timers and drains its inbox,
//!    whatever the tasks do. Each poll has a *budget* of `B` = 128 socket operations,
//!    after which socket futures return `Pending` and the task is *deferred*: it goes
//!    to the back of the run queue only after the next reactor turn, behind the tasks
//!    that I/O and timers woke. See [Fairness](#fairness).
//! 3. **Reactor.** `epoll_wait` (through `mio::Poll`) with a zero timeout if tasks are
//!    still runnable, else until the next timer deadline (or forever). Events are taken
//!    in batches of at most 1024. Sockets are registered edge-triggered for reads and
//!    writes once, with `epoll_ctl`, when created; each keeps its readiness in an
//!    atomic that events only add to and that an operation clears only when it got
//!    `WouldBlock` (or a short read or write, which proves the same and saves the
//!    `EAGAIN` syscall) and no event arrived in between, so no wake-up is lost.
//! 4. **Timers.** Due deadlines in a per-worker ordered map fire and wake their tasks.
//!
//! ### Fairness
//!
//! What one worker promises: between two turns of its reactor it polls at most `K` = 61
//! tasks, and a task that spent its budget of `B` = 128 operations runs again only
//! after the reactor has turned. So the reactor notices a connection that becomes ready
//! within `K` task polls (its task then runs behind the tasks already queued), and
//! next to one hot connection (a task whose every read or write is
//! ready at once) it waits for one budget of that task, about 0.1 ms, not the whole
//! worker's backlog. The conformance kit's fairness tests (`pool_core::conformance`,
//! `hot_connection_does_not_delay_echo` and its neighbours) check it on every backend,
//! and `examples/fairness_probe.rs` measures it. It does not make a worker fair to
//! work it cannot see: a task that computes for a long time between two awaits, or
//! many tasks that each spend their budget, delay their worker's other connections,
//! and with no work stealing nothing moves them elsewhere.
//!
//! Why these numbers:
//!
//! - **`B` = 128**, tokio's per-task budget. One socket operation is one syscall of
//!   roughly 0.5–5 µs, so a budget keeps the worker for about 0.05–0.6 ms. That is
//!   long enough for the cost of yielding (one deferral and one `epoll_wait` with a
//!   zero timeout, about 1 µs) to stay near 1% of the work, and short enough that a
//!   neighbour's echo waits well under a millisecond.
//! - **`K` = 61**, tokio's `event_interval`. A reactor turn with nothing ready costs one
//!   `epoll_wait`, under 1 µs; 61 polls of even trivial tasks (a yield loop, about
//!   0.2 µs a poll) make that overhead a few percent, and polls that do I/O make it
//!   negligible. The worst case delay is `K` polls of `B` operations each, half of what
//!   the previous 128 allowed. With the deferral a task cannot take two of those `K`
//!   polls with its budget spent, so `K` only counts distinct busy tasks and tasks that
//!   wake themselves (`yield`).
//! - **Both equal tokio's**, so that `backend-mio` and `backend-tokio` differ in how they
//!   schedule, not in policy, and the harness compares executors, not knobs.
//!
//! Before the deferral a task that spent its budget woke itself onto the back of the run
//! queue, and the worker polled it again within the same tick: up to 128 × 128
//! operations ran between two `epoll_wait`s, and an echo next to one hot connection
//! took 5–24 ms instead of 0.1 ms (issue 9).
//!
//! When [`Remote::stop`](pool_core::backend::Remote::stop) is called the loop ends at the next
//! task boundary and every unfinished task is dropped on the worker thread, where its
//! sockets deregister (`epoll_ctl(DEL)`, then `close`).
//!
//! The crate has no `unsafe` code.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub mod diagnostics;
pub mod net;
mod pool;
mod reactor;
mod worker;

/// How other threads reach a [`MioWorker`]: the shared executor's remote (see
/// [`pool_exec::ExecRemote`]).
pub type MioRemote = pool_exec::ExecRemote;
pub use net::{TcpListener, TcpStream};
pub use pool::{MioBackend, MioPool};
pub use pool_exec::time::{sleep, sleep_until, timeout, Elapsed, Sleep, Timeout};
pub use reactor::MioReactor;
pub use worker::MioWorker;
