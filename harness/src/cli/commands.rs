//! The top-level command line and its subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::SystemTime;

use clap::{Args, Parser, Subcommand};

use super::choice::{BackendChoice, ServerChoice};
use super::opts::{
    LoadOpts, OutputOpts, ParkOpts, PlacementOpts, ServerOpts, SkewOpts, WorkloadOpts,
};
use super::parse::{parse_host_port, parse_msg_size, parse_start_at};
use super::publish::{MatrixArgs, PlotArgs, ReadmeArgs};
use crate::backend::ServerKind;
use crate::plan::{defaults, Park};

/// Compares per-thread reactor pools with tokio's multi-thread runtime on a TCP echo
/// load.
///
/// Without a subcommand, `harness` is `harness run`: it starts the echo server
/// in-process on the chosen backend, drives it from a separate load-generator process
/// (a re-exec of this binary), prints a summary table and writes result files.
#[derive(Debug, Parser)]
#[command(name = "harness", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do [default: run].
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Flags of `harness run`, when no subcommand is given.
    #[command(flatten)]
    pub run: RunArgs,
}

impl Cli {
    /// The command to execute, with `run` as the default.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Run(self.run))
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the echo server in-process and the load generator as a child process
    /// (the default).
    Run(RunArgs),
    /// Run only the echo server; print its address, serve until SIGINT or SIGTERM,
    /// then print server CPU per echo and the per-worker balance.
    Serve(ServeArgs),
    /// Run only the load generator against a server at --target. Several load
    /// processes, on one host or many, measure the same window with --start-at;
    /// `harness report` merges their results.
    Load(LoadArgs),
    /// The load child of `harness run`: reads its job as JSON on stdin, writes events
    /// as JSON lines on stdout.
    #[command(hide = true)]
    LoadChild,
    /// Merge the histograms of several result files (several load processes or hosts)
    /// into one report.
    Report(ReportArgs),
    /// Draw SVG plots from result files: latency percentile distributions, throughput
    /// and server CPU per echo against connections, one line per backend.
    Plot(PlotArgs),
    /// Run the published matrix (every backend and both references, epoll-ref and
    /// uring-ref, io_uring ones skipped with a note where io_uring is unavailable;
    /// isolated and shared profiles; 1, 100 and 1,000 conns; 64 B; closed loop and open loop at
    /// 50% and 80% of tokio-mt's closed-loop max; interleaved, 5 repeats) and write
    /// bench-results/DATE-HOST/ with a README.
    Matrix(MatrixArgs),
    /// Regenerate a matrix run's README.md and the index of runs from its matrix.json
    /// and runs/, under the current rules; with --replicate, a second independent run
    /// of the same plan at the same commit marks which findings replicate.
    Readme(ReadmeArgs),
}

/// Flags of `harness run`.
#[derive(Clone, Debug, Args)]
pub struct RunArgs {
    /// Backend to measure: `tokio` (per-thread pool of current-thread runtimes),
    /// `mio` (per-thread pool on our own executor and mio reactor), `uring` (the same
    /// executor on one io_uring per worker), `tokio-mt` (tokio's multi-thread runtime,
    /// the baseline), `epoll-ref` and `uring-ref` (the references, not pools:
    /// per-thread epoll or io_uring loops without a runtime), or `all` (every backend
    /// and both references, interleaved A B C A B C, with ratios against tokio-mt;
    /// the io_uring ones are skipped with a note where io_uring is unavailable).
    #[arg(long, value_enum, default_value_t = BackendChoice::One(ServerKind::Pool(defaults::BACKEND)))]
    pub backend: BackendChoice,

    /// Echo server flags.
    #[command(flatten)]
    pub server: ServerOpts,

    /// Park policy flags.
    #[command(flatten)]
    pub park: ParkOpts,

    /// Placement policy flags.
    #[command(flatten)]
    pub placement: PlacementOpts,

    /// Load generator flags.
    #[command(flatten)]
    pub load: LoadOpts,

    /// Skewed load flags.
    #[command(flatten)]
    pub skew: SkewOpts,

    /// The workload flag.
    #[command(flatten)]
    pub workload: WorkloadOpts,

    /// Pin the server workers and the load generator threads to disjoint CPUs, when the
    /// machine has enough CPUs for both (otherwise a warning, and nothing is pinned).
    #[arg(long)]
    pub pin: bool,

    /// Repeat every backend this many times (interleaved) and report medians with
    /// their min-max spread.
    #[arg(long, value_name = "K", default_value_t = defaults::REPEAT, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,

    /// Output flags.
    #[command(flatten)]
    pub output: OutputOpts,
}

/// Flags of `harness serve`.
#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Backend to serve on.
    #[arg(long, value_enum, default_value_t = ServerChoice(ServerKind::Pool(defaults::BACKEND)))]
    pub backend: ServerChoice,

    /// Echo server flags.
    #[command(flatten)]
    pub server: ServerOpts,

    /// What the workers do when idle: `immediate` (block in the reactor at once),
    /// `spin:DURATION` (keep polling for that long after the last event, e.g.
    /// spin:50us) or `never` (poll forever). The tokio runtimes and epoll-ref park at
    /// once only, and refuse the others.
    #[arg(long, value_name = "POLICY", default_value = "immediate")]
    pub park: Park,

    /// Message size the clients use, to count echoes from bytes (1 B to 1 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = defaults::MSG_SIZE, allow_negative_numbers = true, value_parser = parse_msg_size)]
    pub msg_size: usize,

    /// Pin worker i to the i-th CPU this process may use (modulo their count).
    #[arg(long)]
    pub pin: bool,

    /// The workload flag.
    #[command(flatten)]
    pub workload: WorkloadOpts,
}

/// Flags of `harness load`.
#[derive(Clone, Debug, Args)]
pub struct LoadArgs {
    /// Address of the echo server to drive, HOST:PORT (an IP address or a host name).
    #[arg(long, value_name = "ADDR", value_parser = parse_host_port)]
    pub target: SocketAddr,

    /// Start the measured window at this wall-clock time, so that several load
    /// processes (on one host or many, with synchronized clocks) measure the same
    /// window: Unix seconds, as `date +%s` prints them (fractions allowed), or
    /// +DURATION from now. Connecting and the warm-up happen before it; the process
    /// fails if the time has passed once its connections are up.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true, value_parser = parse_start_at)]
    pub start_at: Option<SystemTime>,

    /// Load generator flags.
    #[command(flatten)]
    pub load: LoadOpts,

    /// Output flags.
    #[command(flatten)]
    pub output: OutputOpts,

    /// Pin client thread i to the i-th CPU of this comma-separated list.
    #[arg(long, value_name = "CPUS", value_delimiter = ',')]
    pub cpus: Vec<usize>,

    /// The workload flag.
    #[command(flatten)]
    pub workload: WorkloadOpts,
}

/// Flags of `harness report`.
#[derive(Clone, Debug, Args)]
pub struct ReportArgs {
    /// Result files to merge: `.json` results of `harness run` or `harness load`,
    /// `.hist` serialized histograms (V2, deflate, base64), or directories of `.json`
    /// results. The type is told from the content. The report warns when the results'
    /// measured windows do not overlap or their histogram settings differ.
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Also write the merged histogram (`merged.hgrm`, `merged.hist`, `merged.json`)
    /// to this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::Parser;

    use super::{Cli, Command};
    use crate::plan::Park;

    /// `--park spin:D` and `--duration` read one duration grammar.
    #[test]
    fn park_and_duration_share_one_grammar() {
        let args = "harness run --park spin:1.5ms,spin:250us --duration 1.5s --warmup 250ms \
                    --msg-size 4KiB";
        let cli = Cli::try_parse_from(args.split_whitespace()).unwrap();
        let Command::Run(run) = cli.into_command() else {
            panic!("not a run");
        };
        let us = |n| Park::Spin(Duration::from_micros(n));
        assert_eq!(run.park.park, [us(1500), us(250)]);
        assert_eq!(run.load.duration.0, Duration::from_millis(1500));
        assert_eq!(run.load.warmup.0, Duration::from_millis(250));
        assert_eq!(run.load.msg_size, 4096);
        for bad in [["--park", "spin:1.5"], ["--duration", "1.5 parsecs"]] {
            assert!(Cli::try_parse_from(["harness", "run", bad[0], bad[1]]).is_err());
        }
    }
}
