//! The echo server, written once, generic over [`pool_core::Runtime`], and the other
//! workloads' servers (HTTP, sockperf framing).

mod accept;
mod carry;
mod echo;
mod echo_server;
pub mod http;
mod reference;
mod server;
pub mod sockperf;
mod stats;
mod threads;
mod uring_reference;
mod work;
mod workload;

pub use accept::AcceptStrategy;
pub use echo::echo;
pub use echo_server::EchoServer;
pub use reference::{ReferenceServer, REFERENCE_NAME};
pub use server::{worker_cpu_clocks, Server, ServerConfig, ServerError, WORKER_PREFIX};
pub use stats::{ServerStats, StatsSnapshot, WorkerCounts};
pub use uring_reference::{UringReferenceServer, URING_REFERENCE_NAME};
pub use work::{EchoConfig, HotWork};
pub use workload::{serve_conn, Responder};
