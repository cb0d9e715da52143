//! [`EchoServer`]: what a run needs of the server it measures, a pool backend's
//! [`Server`](super::Server) or the runtime-free [`ReferenceServer`](super::ReferenceServer).

use std::net::SocketAddr;

use pool_core::PoolMetrics;

use super::server::{ServerConfig, ServerError};
use super::stats::{ServerStats, StatsSnapshot};
use crate::metrics::CpuTime;

/// An echo server the harness can start, observe and stop.
///
/// Its worker threads are named `srv-w{i}` ([`WORKER_PREFIX`](super::WORKER_PREFIX)),
/// so that [`ServerStats`] counts per worker and the CPU time of each can be read.
pub trait EchoServer: Sized {
    /// The report name (`tokio-mt`, `tokio`, `mio`, `epoll-ref`).
    const NAME: &'static str;

    /// Binds, starts the workers, and returns once they are listening.
    ///
    /// # Errors
    ///
    /// See [`ServerError`].
    fn start(config: &ServerConfig) -> Result<Self, ServerError>;

    /// The bound address.
    fn addr(&self) -> SocketAddr;

    /// The per-worker counters.
    fn stats(&self) -> &ServerStats;

    /// The pool's own metrics (busy time and polls per worker); by default empty, for
    /// a server that is not a pool (busy % and polls show as unknown).
    fn metrics(&self) -> PoolMetrics {
        PoolMetrics::default()
    }

    /// CPU time of each worker thread so far (kernel clock-tick resolution).
    fn worker_cpu(&self) -> Vec<CpuTime>;

    /// Stops the workers at once, closing every connection, joins them, and returns
    /// the final counters: every echo a worker finished is in them (a snapshot taken
    /// while the workers run may miss the last echoes a client has already read).
    fn stop(self) -> StatsSnapshot;
}
