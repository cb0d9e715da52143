//! The subcommands: each takes its plan and wires plan → backend → serve → load →
//! results → reports and files.

mod load;
mod matrix;
mod plot;
mod progress;
mod readme;
mod report;
mod run;
mod run_once;
mod serve;

use std::process::ExitCode;

use crate::plan::Job;

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

/// Runs `job`; errors are printed, never panicked.
pub fn main(job: Job) -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("harness: internal error (please report it): {info}");
    }));
    let result = std::panic::catch_unwind(|| match job {
        Job::Run(plan) => run::run(plan),
        Job::Serve(plan) => serve::serve(plan),
        Job::Load { job, output } => load::load(job, output),
        Job::LoadChild => load::child(),
        Job::Report(plan) => report::report(plan),
        Job::Plot(plan) => plot::plot(plan),
        Job::Matrix(plan) => matrix::matrix(plan),
        Job::Readme(plan) => readme::readme(plan),
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
