//! Flag groups shared by several subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::parse::{parse_duration, parse_duration_allow_zero, parse_msg_size, parse_rate};
use crate::serve::AcceptStrategy;

/// Echo server flags (`harness run` and `harness serve`).
#[derive(Clone, Debug, Args)]
pub struct ServerOpts {
    /// Server worker threads [default: all logical CPUs].
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub threads: Option<u32>,

    /// How connections reach the workers: `single` (one acceptor hands sockets to the
    /// workers round-robin; each worker registers its sockets with its own reactor) or
    /// `reuseport` (one SO_REUSEPORT listener per worker; the kernel spreads connections).
    #[arg(long, value_enum, default_value_t = AcceptStrategy::Single)]
    pub accept: AcceptStrategy,

    /// Address the echo server listens on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// Listen backlog (the kernel caps it at net.core.somaxconn).
    #[arg(long, value_name = "N", default_value_t = 4096, value_parser = clap::value_parser!(i32).range(1..))]
    pub backlog: i32,
}

impl ServerOpts {
    /// The number of server workers, with the default applied.
    pub fn threads(&self) -> usize {
        self.threads.map_or_else(num_cpus::get, |t| t as usize)
    }
}

/// Load generator flags (`harness run` and `harness load`).
#[derive(Clone, Debug, Args)]
pub struct LoadOpts {
    /// Concurrent connections, each with one request in flight at a time.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub conns: u32,

    /// Load generator threads, each running its own single-threaded tokio runtime
    /// [default: half the logical CPUs, at least 1].
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub client_threads: Option<u32>,

    /// Message size, 1 B to 1 MiB (accepts 64, 4KiB, 1MiB).
    #[arg(long, value_name = "BYTES", default_value = "64", value_parser = parse_msg_size)]
    pub msg_size: usize,

    /// Measured duration, after the warm-up (accepts 10, 10s, 500ms, 1m).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,

    /// Warm-up before measuring; its requests are discarded. 0 disables it.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration_allow_zero)]
    pub warmup: Duration,

    /// Total request rate in requests per second, spread evenly over the connections
    /// (open loop). A request sent late because the previous echo was late counts its
    /// latency from its planned send time (coordinated omission corrected, as wrk2
    /// does); an on-time request counts from its actual send, so the generator's 1 ms
    /// timer does not add to latency. The uncorrected histogram is kept too. Without
    /// --rate: closed loop, each connection sends its next request as soon as the
    /// previous echo is back.
    #[arg(long, value_name = "REQ_PER_S", value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Give up connecting (with retries and backoff) after this long.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub connect_timeout: Duration,

    /// Connection attempts in flight at once, over all client threads, so that many
    /// connects do not overflow the server's listen backlog.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub connect_concurrency: u32,
}

impl LoadOpts {
    /// The number of client threads, with the default applied (never more than conns).
    pub fn client_threads(&self) -> usize {
        let t = self
            .client_threads
            .map_or_else(|| (num_cpus::get() / 2).max(1), |t| t as usize);
        t.min(self.conns as usize).max(1)
    }
}

/// Where result files go.
#[derive(Clone, Debug, Args)]
pub struct OutputOpts {
    /// Directory for result files (JSON, .hgrm, serialized histogram, table); created
    /// if missing.
    #[arg(long, value_name = "DIR", default_value = "bench-results/latest")]
    pub out: PathBuf,

    /// Write no result files; print the table only.
    #[arg(long)]
    pub no_files: bool,
}
