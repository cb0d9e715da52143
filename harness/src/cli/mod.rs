//! Command-line flags (clap derive). Every flag documents its default in `--help`.

mod choice;
mod commands;
mod opts;
mod parse;
mod publish;

pub use choice::BackendChoice;
pub use commands::{Cli, Command, LoadArgs, ReportArgs, RunArgs, ServeArgs};
pub use opts::{LoadOpts, OutputOpts, ServerOpts};
pub use parse::{
    parse_duration, parse_duration_allow_zero, parse_msg_size, parse_rate, MAX_MSG_SIZE,
};
pub use publish::{MatrixArgs, PlotArgs};
