//! Flag groups shared by several subcommands. Their defaults come from
//! [`crate::plan::defaults`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::parse::{
    parse_fraction, parse_host_port, parse_msg_size, parse_rate, parse_secs, parse_secs_allow_zero,
    Secs,
};
use super::values::{AcceptArg, WorkloadArg};
use crate::plan::{defaults, Park, Place, Skew, Workload, MAX_WORK};

/// Echo server flags (`harness run` and `harness serve`).
#[derive(Clone, Debug, Args)]
pub struct ServerOpts {
    /// Server worker threads [default: all logical CPUs].
    #[arg(long, value_name = "T", allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub threads: Option<u32>,

    /// How connections reach the workers: `single` (one acceptor hands sockets to the
    /// workers round-robin; each worker registers its sockets with its own reactor) or
    /// `reuseport` (one SO_REUSEPORT listener per worker; the kernel spreads connections).
    #[arg(long, value_enum, default_value_t = defaults::ACCEPT.into())]
    pub accept: AcceptArg,

    /// Address the echo server listens on, HOST:PORT (an IP address or a host name);
    /// port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value_t = defaults::LISTEN, value_parser = parse_host_port)]
    pub listen: SocketAddr,

    /// Listen backlog (the kernel caps it at net.core.somaxconn).
    #[arg(long, value_name = "N", default_value_t = defaults::BACKLOG, allow_negative_numbers = true, value_parser = clap::value_parser!(i32).range(1..))]
    pub backlog: i32,
}

/// The server's park policies (`harness run` and `harness matrix`).
#[derive(Clone, Debug, Args)]
pub struct ParkOpts {
    /// What the server's workers do when idle, one or more policies, comma-separated:
    /// `immediate` (block in the reactor at once, the default), `spin:DURATION` (keep
    /// polling without blocking for that long after the last event, e.g. spin:50us or
    /// spin:1.5ms), `never` (poll forever; for workers on dedicated CPUs). Each backend runs once per
    /// policy it can honour, named `mio-spin50us`, `mio-never-park`; the tokio runtimes
    /// and epoll-ref park at once only, and run once, with a note.
    #[arg(
        long,
        value_name = "POLICY,...",
        value_delimiter = ',',
        default_value = "immediate"
    )]
    pub park: Vec<Park>,
}

/// The placement policies of the per-thread pools (`harness run` and `harness matrix`).
#[derive(Clone, Debug, Args)]
pub struct PlacementOpts {
    /// Where a per-thread pool puts each new connection, one or more policies,
    /// comma-separated: `round-robin` (the next worker in turn, the default),
    /// `least-loaded` (the worker with the fewest live connections), `p2c` (the less
    /// recently busy of two random workers). Each backend runs once per policy it can
    /// honour, named `mio-p2c`, `tokio-least-loaded`; tokio-mt (its scheduler decides)
    /// and epoll-ref (round-robin hand-off) run once, with a note. Placement happens
    /// when a connection is accepted: see --conn-requests to place connections while
    /// the workers are unevenly loaded.
    #[arg(
        long,
        value_name = "POLICY,...",
        value_delimiter = ',',
        default_value = "round-robin"
    )]
    pub placement: Vec<Place>,
}

/// The skewed load (`harness run` and `harness matrix`): per-request server work on a
/// share of the connections, and connection churn.
#[derive(Clone, Debug, Args)]
pub struct SkewOpts {
    /// Server CPU work per request of a hot connection, in microseconds: the server's
    /// worker computes (a busy loop on the clock, real CPU time, like a request handler
    /// that computes) for this long before echoing each request of a hot connection,
    /// occupying its worker meanwhile. Which connections are hot: see --hot-fraction.
    /// Each connection then sends a one-byte hotness header when it connects, before
    /// any request (not echoed). 0 turns it off; at most 100000 (100 ms).
    #[arg(long, value_name = "US", default_value_t = 0, allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(0..=MAX_WORK.as_micros() as u64))]
    pub work_us: u64,

    /// The share of connections that are hot under --work-us, in (0, 1]. The client
    /// picks them, spread evenly over the connection numbers without a
    /// period (and anew each time a connection reconnects under --conn-requests), and
    /// tells the server in the header, so the server's counts and the report agree.
    /// Needs --work-us. [default: 0.1]
    #[arg(long, value_name = "F", requires = "work_us", allow_negative_numbers = true, value_parser = parse_fraction)]
    pub hot_fraction: Option<f64>,

    /// Connection churn: each client connection closes after this many requests and
    /// reconnects at once, so that new connections are placed while the server's
    /// workers are unevenly loaded (a per-thread pool places a connection only when
    /// it is accepted). The reconnect is not counted in any request's latency. Each
    /// close leaves a socket in TIME_WAIT on the client. [default: never; at least 1]
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub conn_requests: Option<u64>,
}

impl SkewOpts {
    /// The skew these flags ask for, if any (`--work-us` more than 0).
    pub fn skew(&self) -> Option<Skew> {
        (self.work_us > 0).then(|| Skew {
            work: Duration::from_micros(self.work_us),
            hot_fraction: self.hot_fraction.unwrap_or(defaults::HOT_FRACTION),
        })
    }
}

/// Load generator flags (`harness run` and `harness load`).
#[derive(Clone, Debug, Args)]
pub struct LoadOpts {
    /// Concurrent connections, each with one request in flight at a time.
    #[arg(long, value_name = "N", default_value_t = defaults::CONNS, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub conns: u32,

    /// Load generator threads, each running its own single-threaded tokio runtime
    /// [default: half the logical CPUs, at least 1].
    #[arg(long, value_name = "T", allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub client_threads: Option<u32>,

    /// Message size, 1 B to 1 MiB (accepts 64, 4KiB, 1MiB).
    #[arg(long, value_name = "BYTES", default_value_t = defaults::MSG_SIZE, allow_negative_numbers = true, value_parser = parse_msg_size)]
    pub msg_size: usize,

    /// Measured duration, after the warm-up (accepts 10, 10s, 500ms, 1m).
    #[arg(long, value_name = "DURATION", default_value_t = Secs(defaults::DURATION), allow_hyphen_values = true, value_parser = parse_secs)]
    pub duration: Secs,

    /// Warm-up before measuring; its requests are discarded. 0 disables it.
    #[arg(long, value_name = "DURATION", default_value_t = Secs(defaults::WARMUP), allow_hyphen_values = true, value_parser = parse_secs_allow_zero)]
    pub warmup: Secs,

    /// Total request rate in requests per second, spread evenly over the connections
    /// (open loop). A request sent late because the previous echo was late counts its
    /// latency from its planned send time (coordinated omission corrected, as wrk2
    /// does); an on-time request counts from its actual send, so the generator's 1 ms
    /// timer does not add to latency. The uncorrected histogram is kept too. Without
    /// --rate: closed loop, each connection sends its next request as soon as the
    /// previous echo is back.
    #[arg(long, value_name = "REQ_PER_S", allow_negative_numbers = true, value_parser = parse_rate)]
    pub rate: Option<f64>,

    /// Give up connecting (with retries and backoff) after this long.
    #[arg(long, value_name = "DURATION", default_value_t = Secs(defaults::CONNECT_TIMEOUT), allow_hyphen_values = true, value_parser = parse_secs)]
    pub connect_timeout: Secs,

    /// Connection attempts in flight at once, over all client threads, so that many
    /// connects do not overflow the server's listen backlog.
    #[arg(long, value_name = "N", default_value_t = defaults::CONNECT_CONCURRENCY, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub connect_concurrency: u32,

    /// Let the load generator's threads spin instead of sleeping while they wait for
    /// echoes, so that the client's own wake-up (tens of microseconds on a virtual
    /// machine) does not hide the server's. Each client thread then uses its whole CPU:
    /// give the client CPUs of its own (`--pin`, the matrix's isolated profile). Time
    /// spent spinning with nothing to do is not counted as busy, so the client-bound
    /// check still works.
    #[arg(long)]
    pub client_spin: bool,
}

/// The workload flag (`harness run`, `serve`, `load` and `matrix`).
#[derive(Clone, Debug, Args)]
pub struct WorkloadOpts {
    /// What the server answers and the clients send: `echo` (every byte back, the
    /// default), `http` (HTTP/1.1 keep-alive: `GET /plaintext` answers `Hello, World!`
    /// with the TechEmpower plaintext headers; hyper on the pools, and on epoll-ref and
    /// uring-ref a minimal hand-rolled responder that answers only GET /plaintext; the
    /// load sends one request at a time per connection and checks status, length and
    /// body), or `sockperf` (Debian sockperf's framing: a 14-byte header, and a reply only
    /// to the messages that ask for one, so `sockperf ping-pong --tcp` and `sockperf
    /// under-load --tcp` measure any server; the load's messages are --msg-size bytes,
    /// at least 14). Whatever the workload, a request counts as one echo.
    #[arg(long, value_enum, default_value_t = Workload::Echo.into())]
    pub workload: WorkloadArg,
}

/// Where result files go.
#[derive(Clone, Debug, Args)]
pub struct OutputOpts {
    /// Directory for result files (JSON, .hgrm, serialized histogram, table); created
    /// if missing, and checked before anything is measured.
    #[arg(long, value_name = "DIR", default_value = defaults::OUT_DIR)]
    pub out: PathBuf,

    /// Write no result files; print the table only.
    #[arg(long)]
    pub no_files: bool,
}
