//! The plans of the commands that read result files: `harness report`,
//! `harness plot` and `harness readme`.

use std::path::PathBuf;

/// `harness report`: merge the histograms of several result files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportPlan {
    /// Result files (`.json`) or serialized histograms (`.hist`).
    pub files: Vec<PathBuf>,
    /// Where to write the merged histogram, if anywhere.
    pub out: Option<PathBuf>,
}

/// `harness plot`: SVG plots from result files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotPlan {
    /// Result files, or directories of them.
    pub files: Vec<PathBuf>,
    /// The directory for the SVG files.
    pub out: PathBuf,
}

/// `harness readme`: regenerate a matrix run's README (and the index of runs) from its
/// `matrix.json` and `runs/`, optionally against a second run for replication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadmePlan {
    /// The run directory.
    pub dir: PathBuf,
    /// A second, independent matrix run of the same plan.
    pub replicate: Option<PathBuf>,
}
