//! Command-line flags (clap derive), and the one place they become a plan
//! ([`Cli::into_job`]). Every flag documents its default in `--help`; the values live
//! in [`crate::plan::defaults`].

mod choice;
mod commands;
mod opts;
mod parse;
mod plan;
mod publish;
mod values;

pub use choice::{BackendChoice, ServerChoice};
pub use commands::{Cli, Command, LoadArgs, ReportArgs, RunArgs, ServeArgs};
pub use opts::{LoadOpts, OutputOpts, PlacementOpts, ServerOpts, SkewOpts};
pub use parse::{
    parse_duration, parse_duration_allow_zero, parse_fraction, parse_host_port, parse_msg_size,
    parse_rate, parse_start_at, Secs, MAX_MSG_SIZE,
};
pub use publish::{MatrixArgs, PlotArgs};
pub use values::{AcceptArg, ProfileArg, WorkloadArg};
