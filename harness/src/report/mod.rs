//! Output formats, one per file, behind one trait: [`Report`].

mod compare;
pub(crate) mod grid;
mod hgrm;
mod json;
mod level;
pub mod markdown;
mod metadata;
pub mod plot;
mod serialized;
mod spread;
mod table;

use std::path::{Path, PathBuf};

use anyhow::Context;

pub use compare::render_comparison;
pub use grid::Grid;
pub use hgrm::{percentile_distribution, HgrmReport};
pub use json::JsonReport;
pub use level::{backends_of, size_name, CellKey, Level, SeriesKey};
pub use metadata::Metadata;
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

/// Every file format written for each run.
pub fn file_formats() -> Vec<Box<dyn Report>> {
    vec![
        Box::new(JsonReport),
        Box::new(TableReport),
        Box::new(HgrmReport { uncorrected: false }),
        Box::new(HgrmReport { uncorrected: true }),
        Box::new(SerializedReport { uncorrected: false }),
        Box::new(SerializedReport { uncorrected: true }),
    ]
}

/// The file name stem of a run: `{backend}-{mode}-c{conns}-m{msg}-r{repetition}`.
pub fn stem(result: &RunResult) -> String {
    format!(
        "{}-{}-c{}-m{}-r{}",
        result.backend.as_deref().unwrap_or("load"),
        result.load.mode.name(),
        result.load.conns,
        result.load.msg_size,
        result.repetition + 1
    )
}

/// Writes every format of `result` into `dir` (created if missing).
///
/// # Errors
///
/// If the directory or a file cannot be written (the message names the path).
pub fn write_files(result: &RunResult, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    write_files_as(result, dir, &stem(result))
}

/// Writes every format of `result` into `dir` (created if missing), named `{stem}.*`.
///
/// # Errors
///
/// If the directory or a file cannot be written (the message names the path).
pub fn write_files_as(result: &RunResult, dir: &Path, stem: &str) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    let mut written = Vec::new();
    for format in file_formats() {
        if let Some(text) = format.render(result)? {
            let path = dir.join(format!("{stem}.{}", format.extension()));
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}
