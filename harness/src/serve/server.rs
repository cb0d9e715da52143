//! [`Server`]: a pool of the chosen backend serving echo on a bound address.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use pool_core::{
    BuildError, Builder, Handle, ParkPolicy, Pinning, Placement, PoolMetrics, Runtime,
};

use super::accept::{self, AcceptStrategy};
use super::echo_server::EchoServer;
use super::stats::{ServerStats, StatsSnapshot};
use crate::metrics::cpu::{threads_cpu_named, threads_named, CpuTime};
use crate::plan::Workload;

/// Server worker threads are named `{WORKER_PREFIX}{i}`, `i` from 1 (short enough for
/// the kernel's 15-character thread names, so `/proc` shows them whole).
pub const WORKER_PREFIX: &str = "srv-w";

/// How to run the echo server.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Worker threads.
    pub threads: usize,
    /// Accept strategy.
    pub accept: AcceptStrategy,
    /// Address to bind.
    pub listen: SocketAddr,
    /// Listen backlog.
    pub backlog: i32,
    /// The clients' message size (sizes the read buffer).
    pub msg_size: usize,
    /// Where the workers run.
    pub pinning: Pinning,
    /// What the workers do when idle.
    pub park: ParkPolicy,
    /// CPU work per request of a hot connection. Zero: plain echo. Otherwise every
    /// connection starts with a one-byte [`Hotness`](crate::plan::Hotness) header, and
    /// the server computes for this long before echoing each request of a hot one.
    pub work: Duration,
    /// Where a pool places new connections (accept single: each accepted socket is
    /// spawned by this policy).
    pub placement: Placement,
    /// What the connections speak.
    pub workload: Workload,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServerError {
    /// The listen address could not be bound: usually it is in use. Fix: pick another
    /// `--listen` address or port (port 0 picks a free one), or stop the other server.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The pool did not start (see the pool-core error).
    Build(BuildError),
    /// The acceptors did not start.
    Start(io::Error),
    /// The server needs something this machine does not offer (io_uring, for the
    /// io_uring reference); the source says what and why.
    Unavailable(io::Error),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Bind { addr, source } if source.kind() == io::ErrorKind::AddrInUse => {
                write!(f, "address {addr} is already in use: choose another --listen address, or port 0 for a free one")
            }
            // The kind says why; the source (which names the address again) is not
            // repeated after it.
            ServerError::Bind { addr, source } => {
                write!(f, "cannot listen on {addr}: {}", source.kind())
            }
            ServerError::Build(_) => write!(f, "cannot start the server pool"),
            ServerError::Start(_) => write!(f, "cannot start the acceptors"),
            ServerError::Unavailable(_) => write!(f, "this server cannot run on this machine"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The message already says why the bind failed.
            ServerError::Bind { .. } => None,
            ServerError::Start(source) | ServerError::Unavailable(source) => Some(source),
            ServerError::Build(e) => Some(e),
        }
    }
}

/// A running echo server on backend `R`.
#[derive(Debug)]
pub struct Server<R: Runtime> {
    pool: R,
    addr: SocketAddr,
    stats: Arc<ServerStats>,
    threads: usize,
}

impl<R: Runtime> Server<R> {
    /// Binds, starts the pool and its acceptors, and returns once they are listening.
    ///
    /// # Errors
    ///
    /// See [`ServerError`].
    pub fn start(config: &ServerConfig) -> Result<Server<R>, ServerError> {
        super::workload::check(config)?;
        let listeners = accept::listeners(config)?;
        let addr = listeners[0].local_addr().map_err(ServerError::Start)?;
        let mut builder = Builder::new();
        builder.pool_size(config.threads).name_prefix(WORKER_PREFIX);
        builder.pinning(config.pinning.clone());
        builder.park_policy(config.park.clone());
        builder.placement(config.placement);
        let pool: R = builder.build().map_err(ServerError::Build)?;
        let stats = Arc::new(ServerStats::new(config.threads));
        let buf_size = config.msg_size.clamp(4096, 64 * 1024);
        if let Err(e) = accept::start(&pool, config, listeners, &stats, buf_size) {
            pool.shutdown_now();
            return Err(ServerError::Start(e));
        }
        Ok(Server {
            pool,
            addr,
            stats,
            threads: config.threads,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The per-worker counters.
    pub fn stats(&self) -> &ServerStats {
        &self.stats
    }

    /// The pool's own metrics (busy time and polls per worker, among others).
    pub fn metrics(&self) -> PoolMetrics {
        self.pool.handle().metrics()
    }

    /// CPU time of each worker thread so far (kernel clock-tick resolution).
    pub fn worker_cpu(&self) -> Vec<CpuTime> {
        worker_cpu(self.threads)
    }

    /// Stops the workers at once, closing every connection, joins them, and returns
    /// the final counters.
    pub fn stop(self) -> StatsSnapshot {
        self.pool.shutdown_now();
        self.stats.snapshot()
    }
}

impl<R: Runtime> EchoServer for Server<R> {
    const NAME: &'static str = R::NAME;

    fn start(config: &ServerConfig) -> Result<Server<R>, ServerError> {
        Server::start(config)
    }

    fn addr(&self) -> SocketAddr {
        Server::addr(self)
    }

    fn stats(&self) -> &ServerStats {
        Server::stats(self)
    }

    fn metrics(&self) -> PoolMetrics {
        Server::metrics(self)
    }

    fn worker_cpu(&self) -> Vec<CpuTime> {
        Server::worker_cpu(self)
    }

    fn stop(self) -> StatsSnapshot {
        Server::stop(self)
    }
}

/// CPU time of each of `threads` worker threads (`srv-w1`...) of this process so far.
pub(super) fn worker_cpu(threads: usize) -> Vec<CpuTime> {
    by_worker(threads, threads_named(WORKER_PREFIX))
}

/// CPU time of each of `threads` worker threads (`srv-w1`...) of this process so far,
/// to the nanosecond (each thread's CPU clock), for any server.
pub fn worker_cpu_clocks(threads: usize) -> Vec<Duration> {
    by_worker(threads, threads_cpu_named(WORKER_PREFIX))
}

/// `named` (`(thread name, value)`) by worker index: `srv-w{i}` at `i - 1`.
fn by_worker<T: Default + Clone>(threads: usize, named: Vec<(String, T)>) -> Vec<T> {
    let mut out = vec![T::default(); threads];
    for (name, value) in named {
        let index = name[WORKER_PREFIX.len()..].parse::<usize>().ok();
        if let Some(slot) = index
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| out.get_mut(i))
        {
            *slot = value;
        }
    }
    out
}
