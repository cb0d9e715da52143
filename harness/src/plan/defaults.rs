//! Every default of the harness, in one place. The flags show these values in
//! `--help`, and the plans that code builds without flags (the matrix, the load child)
//! use the same ones.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use crate::backend::BackendKind;
use crate::serve::AcceptStrategy;

/// `--backend`: the per-thread tokio pool.
pub const BACKEND: BackendKind = BackendKind::Tokio;
/// `--accept`: one acceptor handing sockets to the workers.
pub const ACCEPT: AcceptStrategy = AcceptStrategy::Single;
/// `--listen`: loopback, any free port.
pub const LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0));
/// `--backlog`: the listen backlog (the kernel caps it at `net.core.somaxconn`).
pub const BACKLOG: i32 = 4096;
/// `--conns`: concurrent connections.
pub const CONNS: u32 = 100;
/// `--msg-size`: bytes per request.
pub const MSG_SIZE: usize = 64;
/// `--duration`: the measured window.
pub const DURATION: Duration = Duration::from_secs(10);
/// `--warmup`: discarded before the window.
pub const WARMUP: Duration = Duration::from_secs(1);
/// `--connect-timeout`: give up connecting after this long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// `--connect-concurrency`: connects in flight at once, over all client threads.
pub const CONNECT_CONCURRENCY: u32 = 256;
/// `--hot-fraction`: the share of connections that are hot when `--work-us` is set.
pub const HOT_FRACTION: f64 = 0.1;
/// `--repeat`: runs of every backend.
pub const REPEAT: u32 = 1;
/// `--out` of `harness run` and `harness load`.
pub const OUT_DIR: &str = "bench-results/latest";
/// `--out` of `harness plot`.
pub const PLOT_DIR: &str = "plots";
/// `--out` of `harness matrix`: the root of the published results.
pub const MATRIX_ROOT: &str = "bench-results";
/// How long the blocking send+recv pair is measured (once per run, or per message
/// size).
pub const SEND_RECV_BUDGET: Duration = Duration::from_millis(300);

/// `--threads`: one server worker per logical CPU.
pub fn server_threads() -> usize {
    num_cpus::get()
}

/// `--client-threads`: half the logical CPUs, at least 1 (never more than the
/// connections; [`crate::plan::LoadPlan`] applies that cap).
pub fn client_threads() -> usize {
    (num_cpus::get() / 2).max(1)
}

/// The published matrix (`harness matrix`), and its `--quick` smoke version.
pub mod matrix {
    use std::time::Duration;

    use crate::plan::Profile;

    /// Profiles, each a section of the matrix (isolated first: its open loop at 50% is
    /// the efficiency series the README leads with).
    pub const PROFILES: [Profile; 2] = [Profile::Isolated, Profile::Shared];
    /// Connection counts.
    pub const CONNS: [u32; 3] = [1, 100, 1000];
    /// Message sizes in bytes.
    pub const SIZES: [usize; 1] = [64];
    /// Open-loop levels, percent of the baseline's closed-loop max; the first is the
    /// fixed-rate efficiency series.
    pub const OPEN_LEVELS: [u32; 2] = [50, 80];
    /// Measured seconds per run.
    pub const DURATION: Duration = Duration::from_millis(1200);
    /// Warm-up per run.
    pub const WARMUP: Duration = Duration::from_millis(400);
    /// Repetitions of every cell: 5 is the fewest for which a bootstrap interval is
    /// worth reading (3 give intervals made of the extremes), and 2 profiles x 3
    /// connection counts x 3 levels x 6 servers (4 pools, 2 references) x 5 repeats of
    /// about 2.1 s each is about 19 minutes on a 2-CPU machine.
    pub const REPEAT: u32 = 5;
    /// `--quick`: connection counts.
    pub const QUICK_CONNS: [u32; 1] = [100];
    /// `--quick`: open-loop levels.
    pub const QUICK_OPEN_LEVELS: [u32; 1] = [50];
    /// `--quick`: measured seconds per run.
    pub const QUICK_DURATION: Duration = Duration::from_secs(1);
    /// `--quick`: warm-up per run.
    pub const QUICK_WARMUP: Duration = Duration::from_millis(250);
    /// `--quick`: repetitions of every cell (the fewest that give an interval).
    pub const QUICK_REPEAT: u32 = 3;

    /// Server threads of the isolated profile: half the CPUs (at least 1), so the
    /// client gets the other half.
    pub fn isolated_threads() -> usize {
        (num_cpus::get() / 2).max(1)
    }
}
