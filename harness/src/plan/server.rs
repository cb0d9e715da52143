//! The echo server part of a plan.

use std::net::SocketAddr;
use std::time::Duration;

use pool_core::Pinning;
use serde::{Deserialize, Serialize};

use super::park::Park;
use super::placement::Place;
use super::workload::Workload;
use crate::backend::ServerKind;
use crate::serve::{AcceptStrategy, ServerConfig};

/// How to run the echo server (any backend).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerPlan {
    /// Worker threads.
    pub threads: usize,
    /// Accept strategy.
    pub accept: AcceptStrategy,
    /// Address to bind.
    pub listen: SocketAddr,
    /// Listen backlog.
    pub backlog: i32,
    /// CPU work per request of a hot connection; zero: none, and connections send no
    /// hotness header ([`crate::plan::Skew`]).
    #[serde(default)]
    pub work: Duration,
    /// What the server answers (the echo by default).
    #[serde(default)]
    pub workload: Workload,
}

impl Default for ServerPlan {
    /// Every setting at its default ([`crate::plan::defaults`]).
    fn default() -> ServerPlan {
        use super::defaults as d;
        ServerPlan {
            threads: d::server_threads(),
            accept: d::ACCEPT,
            listen: d::LISTEN,
            backlog: d::BACKLOG,
            work: Duration::ZERO,
            workload: Workload::Echo,
        }
    }
}

impl ServerPlan {
    /// The server's configuration for clients sending `msg_size`-byte messages, with
    /// its workers placed by `pinning`, parking at once and placing connections
    /// round-robin: a run sets its [`Target`](super::Target)'s park and placement.
    pub fn config(&self, msg_size: usize, pinning: Pinning) -> ServerConfig {
        ServerConfig {
            threads: self.threads,
            accept: self.accept,
            listen: self.listen,
            backlog: self.backlog,
            msg_size,
            pinning,
            park: Park::Immediate.policy(),
            work: self.work,
            placement: Place::RoundRobin.policy(),
            workload: self.workload,
        }
    }
}

/// `harness serve`: only the echo server, until SIGINT or SIGTERM.
#[derive(Clone, Debug, PartialEq)]
pub struct ServePlan {
    /// The backend, or the reference.
    pub backend: ServerKind,
    /// What the workers do when idle.
    pub park: Park,
    /// The server.
    pub server: ServerPlan,
    /// The clients' message size, to count echoes from bytes.
    pub msg_size: usize,
    /// Pin worker `i` to the `i`-th CPU this process may use.
    pub pin: bool,
}
