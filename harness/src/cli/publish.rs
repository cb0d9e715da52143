//! Flags of the publishing subcommands: `harness plot` and `harness matrix`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::opts::{ParkOpts, PlacementOpts, SkewOpts, WorkloadOpts};
use super::parse::{parse_duration, parse_duration_allow_zero, parse_msg_size};
use super::values::ProfileArg;
use crate::plan::defaults;

/// Flags of `harness plot`.
#[derive(Clone, Debug, Args)]
pub struct PlotArgs {
    /// Result files (`.json` from `harness run` or `harness matrix`), or directories
    /// whose `.json` files are all results.
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Directory for the SVG files; created if missing.
    #[arg(long, value_name = "DIR", default_value = defaults::PLOT_DIR)]
    pub out: PathBuf,
}

/// Flags of `harness readme`.
#[derive(Clone, Debug, Args)]
pub struct ReadmeArgs {
    /// The matrix run directory (with `matrix.json` and `runs/`).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// A second, independent matrix run of the same plan: a finding is replicated when
    /// this run, at the same commit, agrees on its direction.
    #[arg(long, value_name = "DIR")]
    pub replicate: Option<PathBuf>,
}

/// Flags of `harness matrix`.
#[derive(Clone, Debug, Args)]
pub struct MatrixArgs {
    /// The smoke version: 100 connections, closed loop and 50%, 3 repeats of 1 s
    /// measured after 250 ms of warm-up (about 2 minutes); its directory name ends in
    /// `-quick`.
    #[arg(long)]
    pub quick: bool,

    /// Root of the published results: the run goes to `DIR/<YYYY-MM-DD>-<host tag>/`
    /// and `DIR/README.md` indexes the runs.
    #[arg(long, value_name = "DIR", default_value = defaults::MATRIX_ROOT)]
    pub out: PathBuf,

    /// Override: connection counts [default: 1,100,1000].
    #[arg(long, value_name = "N,N,...", value_delimiter = ',', allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..))]
    pub conns_list: Vec<u32>,

    /// Override: message sizes [default: 64].
    #[arg(long, value_name = "BYTES,...", value_delimiter = ',', value_parser = parse_msg_size)]
    pub sizes: Vec<usize>,

    /// Override: open-loop levels as percentages of tokio-mt's closed-loop max
    /// [default: 50,80].
    #[arg(long, value_name = "PCT,...", value_delimiter = ',', allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub open_levels: Vec<u32>,

    /// Override: measured duration of each run [default: 1.5s; --quick: 1s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// Override: warm-up of each run, discarded [default: 500ms; --quick: 250ms].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_allow_zero)]
    pub warmup: Option<Duration>,

    /// Override: repetitions of every cell, backends interleaved; 3 or more give every
    /// ratio a confidence interval [default: 5; --quick: 3].
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub repeat: Option<u32>,

    /// Server thread counts of the isolated profile: more than one runs the thread
    /// scaling series, every backend at each count with the client on the remaining
    /// CPUs, e.g. `--threads 1,2,4,8` on a 16-CPU machine [default: half the CPUs].
    #[arg(long, value_name = "T,T,...", value_delimiter = ',', allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub threads: Vec<u32>,

    /// Server worker threads of the shared profile [default: all logical CPUs].
    #[arg(long, value_name = "T", allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub shared_threads: Option<u32>,

    /// Profiles to run: `isolated` (server and client pinned to disjoint CPUs) and
    /// `shared` (unpinned) [default: isolated,shared].
    #[arg(long, value_name = "P,...", value_delimiter = ',', value_enum)]
    pub profiles: Vec<ProfileArg>,

    /// Load generator threads [default: half the logical CPUs, at least 1].
    #[arg(long, value_name = "T", allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub client_threads: Option<u32>,

    /// Name of the run directory instead of `<YYYY-MM-DD>-<host tag>[-quick]`.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Park policy flags: with more than one, each backend that can honour them runs
    /// once per policy, interleaved (the wake-up comparison).
    #[command(flatten)]
    pub park: ParkOpts,

    /// Let the load generator's threads spin instead of sleeping while they wait for
    /// echoes (see `harness run --help`); the same for every backend.
    #[arg(long)]
    pub client_spin: bool,

    /// Placement policy flags: each per-thread pool runs once per policy, interleaved.
    #[command(flatten)]
    pub placement: PlacementOpts,

    /// Skewed load flags: the same work, hot share and churn in every cell.
    #[command(flatten)]
    pub skew: SkewOpts,

    /// The workload flag: every cell runs it.
    #[command(flatten)]
    pub workload: WorkloadOpts,
}
