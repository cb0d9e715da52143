//! Output formats, one per file, behind one trait: [`Report`].

mod compare;
pub mod fdr;
mod files;
pub(crate) mod grid;
mod hgrm;
mod hlog;
mod json;
mod level;
pub mod markdown;
pub mod merge;
pub mod plot;
mod ratio;
mod serialized;
pub mod significance;
mod spread;
mod table;

pub use compare::{render_comparison, run_flags};
pub use files::{file_formats, prepare_dir, stem, write_files, OutputDirError};
pub use grid::Grid;
pub use hgrm::{percentile_distribution, HgrmReport};
pub use hlog::HlogReport;
pub use json::JsonReport;
pub use level::{backends_of, is_reference, size_name, CellKey, Level, SeriesKey};
pub use ratio::{Figure, RatioCell};
pub use serialized::SerializedReport;
pub use spread::Spread;
pub use table::TableReport;

use crate::result::RunResult;

/// One output format for a [`RunResult`].
pub trait Report {
    /// The file name suffix, e.g. `"json"` or `"uncorrected.hgrm"`.
    fn extension(&self) -> &'static str;

    /// Renders `result`, or `None` when this format has nothing to say about it (e.g.
    /// the uncorrected histogram of a closed-loop run).
    ///
    /// # Errors
    ///
    /// If the result holds a malformed histogram.
    fn render(&self, result: &RunResult) -> anyhow::Result<Option<String>>;
}
