//! The plans of the commands that read result files: `harness report` and
//! `harness plot`.

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
