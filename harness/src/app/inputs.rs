//! Reading result files named on the command line (files, or directories of them).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::result::{RunResult, SCHEMA};

/// Reads one result file; every error names the path.
pub(super) fn read_result(path: &Path) -> anyhow::Result<RunResult> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let result: RunResult = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a harness result file (the .json that `harness run` writes)",
            path.display()
        )
    })?;
    if result.schema != SCHEMA {
        anyhow::bail!(
            "{} has schema `{}`, this harness reads `{SCHEMA}`",
            path.display(),
            result.schema
        );
    }
    Ok(result)
}

/// The `.json` files of a directory, sorted by name.
fn json_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("cannot read {}", dir.display()))?
            .path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{} holds no result files (.json)", dir.display());
    }
    Ok(files)
}

/// Reads every result named by `paths`: files, or directories of `.json` results.
pub(super) fn read_results(paths: &[PathBuf]) -> anyhow::Result<Vec<RunResult>> {
    let mut results = Vec::new();
    for path in paths {
        if path.is_dir() {
            for file in json_files(path)? {
                results.push(read_result(&file)?);
            }
        } else {
            results.push(read_result(path)?);
        }
    }
    Ok(results)
}
