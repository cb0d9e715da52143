//! What the load generator is asked to do.

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cli::LoadArgs;

/// Closed or open loop.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Each connection sends its next request as soon as the echo is back.
    Closed,
    /// Each connection sends on a fixed schedule; latency counts from the planned send.
    Open,
}

impl Mode {
    /// `"closed"` or `"open"`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Closed => "closed",
            Mode::Open => "open",
        }
    }
}

/// The load generator's configuration.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    /// Server address.
    pub target: SocketAddr,
    /// Connections.
    pub conns: usize,
    /// Client threads.
    pub threads: usize,
    /// Message size in bytes.
    pub msg_size: usize,
    /// Measured duration.
    pub duration: Duration,
    /// Warm-up, discarded.
    pub warmup: Duration,
    /// Total requests per second (open loop), or `None` (closed loop).
    pub rate: Option<f64>,
    /// Give up connecting after this long.
    pub connect_timeout: Duration,
    /// Connects in flight at once, over all threads.
    pub connect_concurrency: usize,
    /// CPUs to pin client threads to (empty: no pinning).
    pub cpus: Vec<usize>,
}

impl LoadConfig {
    /// The configuration `harness load` flags describe.
    pub fn from_args(args: &LoadArgs) -> LoadConfig {
        let o = &args.load;
        LoadConfig {
            target: args.target,
            conns: o.conns as usize,
            threads: o.client_threads(),
            msg_size: o.msg_size,
            duration: o.duration,
            warmup: o.warmup,
            rate: o.rate,
            connect_timeout: o.connect_timeout,
            connect_concurrency: o.connect_concurrency as usize,
            cpus: args.cpus.clone(),
        }
    }

    /// Closed or open loop.
    pub fn mode(&self) -> Mode {
        if self.rate.is_some() {
            Mode::Open
        } else {
            Mode::Closed
        }
    }

    /// The interval between two requests on one connection (open loop).
    pub fn interval(&self) -> Option<Duration> {
        self.rate
            .map(|rate| Duration::from_secs_f64(self.conns as f64 / rate))
    }
}
