//! `harness readme`: regenerates a matrix run's README and the index of runs from the
//! files the run wrote, so that a README always follows the current rules and can be
//! checked against a second run.

use std::path::Path;

use anyhow::Context;

use super::Outcome;
use crate::plan::ReadmePlan;
use crate::report::markdown::{render_index, render_run_readme, MatrixSummary, SUMMARY_FILE};
use crate::report::plot::Plot;
use crate::result::{read_results, RunResult};

/// The summary and the results of the run in `dir`.
fn read_run(dir: &Path) -> anyhow::Result<(MatrixSummary, Vec<RunResult>)> {
    let path = dir.join(SUMMARY_FILE);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {} (is it a matrix run?)", path.display()))?;
    let summary: MatrixSummary =
        serde_json::from_str(&text).with_context(|| format!("bad {}", path.display()))?;
    // `runs/` holds one directory per section (`runs/isolated-t1/`), or, in older runs,
    // the result files themselves.
    let runs = dir.join("runs");
    let mut dirs: Vec<_> = std::fs::read_dir(&runs)
        .with_context(|| format!("cannot read {}", runs.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        dirs.push(runs);
    }
    let results = read_results(&dirs)?;
    Ok((summary, results))
}

/// The SVG files under `dir/plots`, as the README links them (titles from their names).
fn plots(dir: &Path) -> Vec<Plot> {
    let root = dir.join("plots");
    let mut found = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "svg") {
                if let Ok(rel) = path.strip_prefix(&root) {
                    let file = rel.to_string_lossy().into_owned();
                    let title = rel
                        .file_stem()
                        .map_or(file.clone(), |s| s.to_string_lossy().replace('-', " "));
                    found.push(Plot {
                        file,
                        title,
                        svg: String::new(),
                    });
                }
            }
        }
    }
    found.sort_by(|a, b| a.file.cmp(&b.file));
    found
}

pub(super) fn readme(plan: ReadmePlan) -> anyhow::Result<Outcome> {
    let (summary, results) = read_run(&plan.dir)?;
    let replicate = match &plan.replicate {
        Some(dir) => Some((dir.display().to_string(), read_run(dir)?.1)),
        None => None,
    };
    let text = render_run_readme(
        &summary,
        &results,
        &plots(&plan.dir),
        replicate
            .as_ref()
            .map(|(name, rs)| (name.as_str(), rs.as_slice())),
    );
    let readme = plan.dir.join("README.md");
    std::fs::write(&readme, text).with_context(|| format!("cannot write {}", readme.display()))?;
    let root = plan.dir.parent().unwrap_or(Path::new("."));
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let index = root.join("README.md");
    std::fs::write(&index, render_index(root)?)
        .with_context(|| format!("cannot write {}", index.display()))?;
    eprintln!(
        "harness: wrote {} ({} results{}) and {}",
        readme.display(),
        results.len(),
        replicate
            .as_ref()
            .map_or(String::new(), |(name, rs)| format!(
                ", replicate {name} with {} results",
                rs.len()
            )),
        index.display()
    );
    Ok(Outcome::Clean)
}
