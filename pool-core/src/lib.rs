//! # pool-core: one API for pools of per-thread async runtimes
//!
//! A *per-thread pool* runs N worker threads, each with its own single-threaded async
//! runtime and its own I/O reactor. Top-level tasks go to workers round-robin (or by
//! another [`Placement`] policy); a task
//! never moves, and the children it spawns stay on its worker. This is the design of the
//! old `tokio-io-pool` crate, made backend-neutral: code written against [`Runtime`] and
//! [`Handle`] runs unchanged on every backend: `backend-tokio`'s per-thread pool of
//! current-thread runtimes, `backend-mio` (pool-exec's executor on a mio reactor),
//! `backend-uring` (the same executor on one io_uring per worker), and tokio's
//! multi-thread runtime as a baseline (`backend-tokio`'s `TokioMultiThread`).
//!
//! ## Why
//!
//! For syscall-bound network services a per-thread reactor avoids sharing one I/O
//! driver and one scheduler between threads: no cross-thread wakeups, no work-stealing
//! traffic, socket state that stays in one core's cache.
//!
//! ## When not to use it
//!
//! With no work stealing, one task that blocks or computes for long stalls every other
//! task on its worker, and round-robin placement ignores load: connections with very
//! uneven cost leave some workers busy and others idle. A work-stealing runtime (tokio's
//! multi-thread scheduler) handles both; measure with the `harness` before choosing.
//! Two tools soften these weaknesses here (see below): load-aware [`Placement`]
//! policies, and a stall detector that reports the task polls that block a worker.
//!
//! ## How it works
//!
//! [`Builder`] validates a configuration. A per-thread backend implements
//! [`backend::Backend`] (one runtime on the current thread, a remote to reach it, a
//! timer); [`Pool`] starts one thread per worker (named, optionally pinned, hooks run),
//! waits until all are up, and places spawns by its [`Placement`] policy. Every task
//! is wrapped once, in pool-core, so that it counts as live until dropped (which is how
//! [`Runtime::shutdown_on_idle`] knows the pool is idle), so that a panic ends only
//! that task, and so that its output, panic or cancellation reaches its
//! [`JoinHandle`]. Items only a backend implementor needs live in [`backend`].
//!
//! Note that runtime-native spawns (`tokio::spawn`, `tokio::task::spawn_local`) always
//! stay on the current worker and are not counted by `shutdown_on_idle`: use the pool's
//! spawn functions.
//!
//! ## Placement
//!
//! [`Builder::placement`] picks how [`Handle::spawn`] and [`Handle::spawn_pinned`]
//! choose a worker; `spawn_on`, `spawn_child` and `spawn_local` keep their explicit
//! placement.
//!
//! - [`Placement::RoundRobin`] (the default): one shared counter, load ignored.
//! - [`Placement::LeastLoaded`]: the worker with the fewest live tasks, queued ones
//!   included; it reads one atomic per worker, so its cost grows with the pool size.
//! - [`Placement::PowerOfTwoChoices`]: two random workers, the one less busy over the
//!   last ~10 ms ([`RECENT_BUSY_WINDOW`]), as long as it holds at most 5/4 of the
//!   other's live tasks plus [`P2C_LIVE_SLACK`]; constant cost, and it sees a task's
//!   cost (a worker busy computing) where `LeastLoaded` sees only task counts.
//!
//! ```
//! use backend_tokio::TokioPool;
//! use pool_core::{Builder, Placement, Runtime};
//!
//! let pool: TokioPool = Builder::new()
//!     .pool_size(2)
//!     .placement(Placement::PowerOfTwoChoices)
//!     .build()?;
//! assert_eq!(pool.block_on(async { 6 * 7 }), 42);
//! # Ok::<(), pool_core::BuildError>(())
//! ```
//!
//! tokio's multi-thread runtime places tasks itself and refuses the other policies
//! with [`BuildError::Unsupported`].
//!
//! ## Stall detection
//!
//! [`Builder::stall_detector`] starts one watchdog thread per pool that reports every
//! task poll running past a threshold, once, while it runs: to the
//! [`on_stall`](Builder::on_stall) hook (one line on stderr by default) as a
//! [`StallReport`] with the worker, how long the poll has run and, on Linux, the
//! thread's scheduler state and kernel wait channel; and in
//! [`WorkerMetrics::stalls`]. It costs two plain stores per task poll when on (no
//! clock read: the watchdog does the timing), and an untaken branch when off. There is no user-space backtrace of the stalled thread
//! (see [`StallReport`] for why).
//!
//! ```
//! use std::time::Duration;
//!
//! use backend_tokio::TokioPool;
//! use pool_core::{Builder, Runtime};
//!
//! let pool: TokioPool = Builder::new()
//!     .pool_size(2)
//!     .stall_detector(Duration::from_millis(100))
//!     .on_stall(|report| eprintln!("{report}"))
//!     .build()?;
//! pool.block_on(async {}); // a short poll: no stall
//! assert!(pool.metrics().workers.iter().all(|w| w.stalls == Some(0)));
//! # Ok::<(), pool_core::BuildError>(())
//! ```
//!
//! ## Example: join handles, time, metrics and a bounded shutdown
//!
//! ```
//! use std::time::Duration;
//!
//! use pool_core::{Builder, Handle, Runtime};
//!
//! fn tour<R: Runtime>() {
//!     let pool: R = Builder::new().pool_size(2).build().unwrap();
//!
//!     // A task's output, awaited from a plain thread.
//!     let sum = pool.spawn(async { (1..=10).sum::<u32>() }).unwrap();
//!     assert_eq!(futures::executor::block_on(sum).unwrap(), 55);
//!
//!     // Time, from generic code: a timeout that fires and one that does not.
//!     let slow = pool.block_on(async {
//!         R::timeout(Duration::from_millis(5), R::sleep(Duration::from_secs(60))).await
//!     });
//!     assert!(slow.is_err());
//!     let quick = pool.block_on(async {
//!         R::timeout(Duration::from_secs(60), async { "done" }).await
//!     });
//!     assert_eq!(quick, Ok("done"));
//!
//!     // What the workers have done so far.
//!     let metrics = pool.handle().metrics();
//!     assert_eq!(metrics.workers.len(), 2);
//!     assert_eq!(metrics.task_panics, 0);
//!
//!     // A task that never ends cannot hold up the shutdown past the deadline.
//!     let stuck = pool.spawn(std::future::pending::<()>()).unwrap();
//!     assert_eq!(pool.shutdown_timeout(Duration::from_millis(20)), 1);
//!     assert!(futures::executor::block_on(stuck).unwrap_err().is_cancelled());
//! }
//!
//! tour::<backend_tokio::TokioPool>();
//! tour::<backend_tokio::TokioMultiThread>();
//! ```
//!
//! ## Example: an echo server written once, run on any backend
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::SocketAddr;
//!
//! use pool_core::net::{TcpListener, TcpStream};
//! use pool_core::{Builder, Handle, Runtime};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! /// Echoes until the peer closes.
//! async fn echo<S: TcpStream>(mut stream: S) -> std::io::Result<()> {
//!     let mut buf = [0u8; 4096];
//!     loop {
//!         let n = stream.read(&mut buf).await?;
//!         if n == 0 {
//!             return Ok(());
//!         }
//!         stream.write_all(&buf[..n]).await?;
//!     }
//! }
//!
//! /// Accepts on one worker and hands each connection, as a std socket, to the next
//! /// worker in round-robin order, which registers it with its own reactor.
//! fn serve<R: Runtime>(pool: &R) -> SocketAddr {
//!     let listener = pool_core::net::bind_listener("127.0.0.1:0".parse().unwrap(), 128).unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     let handle = pool.handle().clone();
//!     pool.spawn(async move {
//!         let listener = R::TcpListener::from_std(listener).unwrap();
//!         while let Ok((socket, _peer)) = listener.accept_std().await {
//!             let _ = handle.spawn(async move {
//!                 let _ = echo(R::TcpStream::from_std(socket).unwrap()).await;
//!             });
//!         }
//!     })
//!     .unwrap();
//!     addr
//! }
//!
//! fn check<R: Runtime>() {
//!     let pool: R = Builder::new().pool_size(2).build().unwrap();
//!     let addr = serve(&pool);
//!     let mut client = std::net::TcpStream::connect(addr).unwrap();
//!     client.write_all(b"hello").unwrap();
//!     let mut back = [0u8; 5];
//!     client.read_exact(&mut back).unwrap();
//!     assert_eq!(&back, b"hello");
//!     pool.shutdown_now();
//! }
//!
//! check::<backend_tokio::TokioPool>();
//! check::<backend_tokio::TokioMultiThread>();
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub mod backend;
mod builder;
mod busy;
mod config;
mod context;
mod counters;
mod error;
mod handle;
mod join;
mod join_state;
mod lifecycle;
mod metrics;
pub mod net;
mod placement;
mod pool;
mod run;
mod runtime;
mod spawn_all;
mod stall;
mod task;
pub mod time;
mod workers;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use builder::Builder;
pub use config::{ParkPolicy, Pinning};
pub use error::{BuildError, SpawnError, StreamSpawnError};
pub use handle::PoolHandle;
pub use join::{JoinError, JoinHandle};
pub use metrics::{PoolMetrics, WorkerMetrics};
pub use placement::{P2C_LIVE_SLACK, Placement, RECENT_BUSY_WINDOW};
pub use pool::Pool;
pub use run::run;
pub use runtime::{Handle, Runtime};
pub use spawn_all::SpawnAll;
pub use stall::StallReport;
