//! The result files of a run: every [`Report`] format, named by one [`stem`], in an
//! output directory checked before anything is measured.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{HgrmReport, HlogReport, JsonReport, Level, Report, SerializedReport, TableReport};
use crate::result::RunResult;

/// Every file format written for each run.
pub fn file_formats() -> Vec<Box<dyn Report>> {
    vec![
        Box::new(JsonReport),
        Box::new(TableReport),
        Box::new(HgrmReport { uncorrected: false }),
        Box::new(HgrmReport { uncorrected: true }),
        Box::new(SerializedReport { uncorrected: false }),
        Box::new(SerializedReport { uncorrected: true }),
        Box::new(HlogReport),
    ]
}

/// The file name stem of a run: `{who}-{level}-c{conns}-m{msg}-r{repetition}`, where
/// `who` is the backend, or `load-{host}-{pid}` for a load process alone (so that the
/// files of several load processes can share a directory), and `level` is
/// [`Level::slug`] (`closed`, `open50`, `open-1000rps`).
pub fn stem(result: &RunResult) -> String {
    let load = &result.load;
    let who = match (&result.backend, &load.host, load.pid) {
        (Some(backend), _, _) => backend.clone(),
        (None, Some(host), Some(pid)) => format!("load-{host}-{pid}"),
        (None, _, _) => "load".to_owned(),
    };
    format!(
        "{who}-{}-c{}-m{}-r{}",
        Level::of(result).slug(),
        load.conns,
        load.msg_size,
        result.repetition + 1
    )
}

/// An output directory that cannot take result files.
#[derive(Debug)]
pub struct OutputDirError {
    /// The directory.
    pub dir: PathBuf,
    /// Why: the OS error.
    pub source: io::Error,
}

impl fmt::Display for OutputDirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = self.dir.display();
        if self.dir.exists() && !self.dir.is_dir() {
            write!(
                f,
                "--out {dir} is a file, not a directory: choose another --out, or \
                 --no-files"
            )
        } else {
            write!(
                f,
                "cannot write result files into {dir}: {}; choose another --out, or \
                 --no-files",
                self.source
            )
        }
    }
}

impl std::error::Error for OutputDirError {}

/// Creates `dir` if missing and checks that files can be written into it, so that a
/// run fails before it measures rather than after.
///
/// # Errors
///
/// [`OutputDirError`] if `dir` is a file, or cannot be created or written.
pub fn prepare_dir(dir: &Path) -> Result<(), OutputDirError> {
    let fail = |source| OutputDirError {
        dir: dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(format!(".harness-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)
}

/// Writes every format of `result` into `dir` (created if missing), named
/// `{stem(result)}.*`; returns the paths, the JSON first.
///
/// # Errors
///
/// If the directory or a file cannot be written (the message names the path).
pub fn write_files(result: &RunResult, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    prepare_dir(dir)?;
    let stem = stem(result);
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
