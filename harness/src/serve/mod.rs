//! The echo server, written once, generic over [`pool_core::Runtime`].

mod accept;
mod echo;
mod server;
mod stats;

pub use accept::AcceptStrategy;
pub use echo::echo;
pub use server::{Server, ServerConfig, ServerError, WORKER_PREFIX};
pub use stats::{ServerStats, StatsSnapshot, WorkerCounts};
