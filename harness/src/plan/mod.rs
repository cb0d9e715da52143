//! The domain plan: what a command does, built once from the flags by [`crate::cli`].
//! Nothing below the CLI reads flags; code that runs many runs (the matrix) builds
//! plans, and the load child receives its [`LoadJob`] as JSON.
//!
//! ```
//! use harness::backend::BackendKind;
//! use harness::plan::{defaults, RunPlan};
//!
//! let plan = RunPlan::new(BackendKind::Tokio, 100, 64);
//! assert_eq!(plan.server.backlog, defaults::BACKLOG);
//! assert_eq!(plan.load.duration, defaults::DURATION);
//! ```

pub mod defaults;
mod files;
mod load;
mod matrix;
mod park;
mod placement;
mod profile;
mod run;
mod server;
mod skew;
mod target;
pub mod units;
mod workload;

pub use files::{PlotPlan, ReadmePlan, ReportPlan};
pub use load::{LoadJob, LoadPlan, Mode};
pub use matrix::MatrixPlan;
pub use park::{Park, ParseParkError, MAX_SPIN};
pub use placement::{ParsePlaceError, Place};
pub use profile::{Profile, Section};
pub use run::{OutputPlan, RunPlan};
pub use server::{ServePlan, ServerPlan};
pub use skew::{Hotness, Skew, MAX_WORK};
pub use target::Target;
pub use workload::Workload;

/// A command, planned.
#[derive(Clone, Debug, PartialEq)]
pub enum Job {
    /// `harness run`.
    Run(RunPlan),
    /// `harness serve`.
    Serve(ServePlan),
    /// `harness load`: one load job, its results printed and written to `output`.
    Load {
        /// The load.
        job: LoadJob,
        /// The result files.
        output: OutputPlan,
    },
    /// The load child of `harness run`: reads its [`LoadJob`] as JSON on stdin and
    /// writes events as JSON lines on stdout.
    LoadChild,
    /// `harness report`.
    Report(ReportPlan),
    /// `harness plot`.
    Plot(PlotPlan),
    /// `harness matrix`.
    Matrix(MatrixPlan),
    /// `harness readme`.
    Readme(ReadmePlan),
}
