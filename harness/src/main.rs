//! The `harness` binary: see the crate docs of the `harness` library, or `harness --help`.

use std::process::ExitCode;

use clap::Parser;
use harness::cli::Cli;

fn main() -> ExitCode {
    harness::cmd::main(Cli::parse().into_job())
}
