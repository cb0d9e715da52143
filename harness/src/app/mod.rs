//! The subcommands, wiring cli → backend → serve → load → metrics → report.

mod child;
mod inputs;
mod limits;
mod load;
mod matrix;
mod merge;
mod pinning;
mod plot;
mod progress;
mod run;
mod run_once;
mod serve;
mod signals;

use std::process::ExitCode;

pub use limits::{check_fds, raise_nofile, FdLimitError, NofileLimit, FD_HEADROOM};

use crate::cli::{Cli, Command};

/// How a command ended, as an exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Finished, no errors: exit 0.
    Clean,
    /// Finished with errors, or cut short; partial results were saved: exit 1.
    Errors,
    /// Interrupted by SIGINT or SIGTERM; partial results were saved: exit 130.
    Interrupted,
}

impl Outcome {
    /// The process exit code.
    pub fn code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::SUCCESS,
            Outcome::Errors => ExitCode::from(1),
            Outcome::Interrupted => ExitCode::from(130),
        }
    }

    /// The worse of two outcomes.
    pub fn worst(self, other: Outcome) -> Outcome {
        use Outcome::*;
        match (self, other) {
            (Interrupted, _) | (_, Interrupted) => Interrupted,
            (Errors, _) | (_, Errors) => Errors,
            _ => Clean,
        }
    }
}

/// Runs the command `cli` describes; errors are printed, never panicked.
pub fn main(cli: Cli) -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("harness: internal error (please report it): {info}");
    }));
    let result = std::panic::catch_unwind(|| match cli.into_command() {
        Command::Run(args) => run::run(args),
        Command::Serve(args) => serve::serve(args),
        Command::Load(args) => load::load(args),
        Command::Report(args) => merge::report(args),
        Command::Plot(args) => plot::plot(args),
        Command::Matrix(args) => matrix::matrix(args),
    });
    match result {
        Ok(Ok(outcome)) => outcome.code(),
        Ok(Err(e)) => {
            eprintln!("harness: error: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(101),
    }
}
