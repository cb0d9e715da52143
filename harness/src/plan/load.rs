//! What the load generator is asked to do: the shape of the load ([`LoadPlan`]), and
//! one generator process's whole job ([`LoadJob`]), which `harness run` hands to its
//! load child as JSON.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::skew::Skew;
use super::workload::Workload;

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

/// The shape of a load, wherever it is aimed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadPlan {
    /// Connections.
    pub conns: usize,
    /// Client threads (at least 1, at most `conns`).
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
    /// The client threads spin instead of sleeping while they wait.
    #[serde(default)]
    pub client_spin: bool,
    /// Per-request work on a share of the connections: each connection then sends its
    /// hotness header first. `None`: plain echo.
    #[serde(default)]
    pub skew: Option<Skew>,
    /// Each connection closes and reconnects after this many requests; `None`: it
    /// stays open for the whole run.
    #[serde(default)]
    pub conn_requests: Option<u64>,
    /// What the clients send and check (the echo by default).
    #[serde(default)]
    pub workload: Workload,
}

impl LoadPlan {
    /// A closed-loop plan of `conns` connections of `msg_size` bytes, with every other
    /// setting at its default ([`crate::plan::defaults`]); `threads` of `None` takes
    /// the default client threads.
    pub fn new(conns: usize, msg_size: usize, threads: Option<usize>) -> LoadPlan {
        use super::defaults as d;
        let conns = conns.max(1);
        LoadPlan {
            conns,
            threads: threads.unwrap_or_else(d::client_threads).clamp(1, conns),
            msg_size,
            duration: d::DURATION,
            warmup: d::WARMUP,
            rate: None,
            connect_timeout: d::CONNECT_TIMEOUT,
            connect_concurrency: d::CONNECT_CONCURRENCY as usize,
            client_spin: false,
            skew: None,
            conn_requests: None,
            workload: Workload::Echo,
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

/// One load generator process's job: a [`LoadPlan`] aimed at a target, with its CPUs
/// and, for several processes measuring together, a common start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadJob {
    /// The echo server's address.
    pub target: SocketAddr,
    /// The load.
    pub plan: LoadPlan,
    /// CPUs to pin client thread `i` to (`cpus[i % len]`); empty: no pinning.
    pub cpus: Vec<usize>,
    /// When the measured window starts, by the wall clock; the warm-up runs just before
    /// it. `None`: as soon as every connection is up.
    pub start_at: Option<SystemTime>,
}
