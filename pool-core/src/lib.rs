//! # pool-core: one API for pools of per-thread async runtimes
//!
//! A *per-thread pool* runs N worker threads, each with its own single-threaded async
//! runtime and its own I/O reactor. Top-level tasks go to workers round-robin; a task
//! never moves, and the children it spawns stay on its worker. This is the design of the
//! old `tokio-io-pool` crate, made backend-neutral: code written against [`Runtime`] and
//! [`Handle`] runs unchanged on every backend (`backend-tokio`'s per-thread pool,
//! `backend-mio`, and tokio's multi-thread runtime as a baseline).
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
//!
//! ## How it works
//!
//! [`Builder`] validates a [`PoolConfig`]. A per-thread backend implements [`Backend`]
//! (one runtime on the current thread plus a [`Remote`] to reach it); [`Pool`] starts
//! one thread per worker (named, optionally pinned, hooks run), waits until all are up,
//! and places spawns with one [`RoundRobin`] counter. Every task is wrapped so that a
//! [`TaskTracker`] counts it until it is dropped, which is how
//! [`Runtime::shutdown_on_idle`] knows the pool is idle, and so that a panic ends only
//! that task.
//!
//! Note that runtime-native spawns (`tokio::spawn`, `tokio::task::spawn_local`) always
//! stay on the current worker and are not counted by `shutdown_on_idle`: use the pool's
//! spawn functions.
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

mod backend;
mod builder;
mod config;
mod context;
mod error;
mod handle;
pub mod net;
mod placement;
mod pool;
mod run;
mod runtime;
mod spawn_all;
mod task;
mod workers;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use backend::{Backend, LocalFuture, Remote, SendFuture, Task, Worker};
pub use builder::Builder;
pub use config::{Hook, Pinning, PoolConfig};
pub use context::{
    ContextGuard, PoolId, WorkerContext, BLOCK_ON_IN_WORKER, SHUTDOWN_ON_IDLE_IN_WORKER,
};
pub use error::{BuildError, SpawnError, StreamSpawnError};
pub use handle::PoolHandle;
pub use placement::RoundRobin;
pub use pool::Pool;
pub use run::run;
pub use runtime::{Handle, Runtime};
pub use spawn_all::SpawnAll;
pub use task::{LiveGuard, TaskTracker, Tracked};
