//! The echo server, written once, generic over [`pool_core::Runtime`].

mod accept;
mod echo;
mod echo_server;
mod reference;
mod server;
mod stats;
mod threads;
mod uring_reference;
mod work;

pub use accept::AcceptStrategy;
pub use echo::echo;
pub use echo_server::EchoServer;
pub use reference::{ReferenceServer, REFERENCE_NAME};
pub use server::{worker_cpu_clocks, Server, ServerConfig, ServerError, WORKER_PREFIX};
pub use stats::{ServerStats, StatsSnapshot, WorkerCounts};
pub use uring_reference::{UringReferenceServer, URING_REFERENCE_NAME};
pub use work::{EchoConfig, HotWork};
