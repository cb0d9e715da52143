//! `bench-results/README.md`: the index of matrix runs, newest first, with the latest
//! run's headline plot, each run's commit and whether later code supersedes it.
//!
//! # Commits and supersession
//!
//! A run's commit is the one its results record (`git describe --dirty` of the binary's
//! build). Runs written before results recorded it get the commit that added their
//! `matrix.json` (or `README.md`) to git: the code they measured is that commit or an
//! earlier one. A run is *superseded* when a crate it measured (pool-core, pool-exec,
//! the harness's server and load generator, and the backends it ran) changed in a
//! commit after its own. Both need `git` and a checkout; without them the columns say
//! `unknown`.

use std::fmt::Write;
use std::path::Path;

use anyhow::Context;

use crate::os::git::git;

use super::summary::{MatrixSummary, SUMMARY_FILE};

/// The headline plot every run tries to have: latency at 1,000 conns, closed loop, 64 B.
pub const INDEX_HEADLINE: &str = "plots/latency-closed-c1000-m64.svg";

/// Reads the summaries of the run directories under `root`, newest first; directories
/// without a summary but with a README are listed by name after them.
fn runs(root: &Path) -> anyhow::Result<(Vec<MatrixSummary>, Vec<String>)> {
    let mut summaries = Vec::new();
    let mut others = Vec::new();
    let entries =
        std::fs::read_dir(root).with_context(|| format!("cannot read {}", root.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", root.display()))?;
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let summary = std::fs::read_to_string(path.join(SUMMARY_FILE))
            .ok()
            .and_then(|t| serde_json::from_str::<MatrixSummary>(&t).ok());
        match summary {
            Some(s) => summaries.push(s),
            // `latest` (the scratch run) and a directory with neither a summary nor a
            // README (bench-results/scripts) are not runs.
            None if name != "latest" && path.join("README.md").is_file() => others.push(name),
            None => {}
        }
    }
    summaries.sort_by(|a, b| {
        (b.metadata.timestamp_unix, &b.name).cmp(&(a.metadata.timestamp_unix, &a.name))
    });
    others.sort_by(|a, b| b.cmp(a));
    Ok((summaries, others))
}

/// The sources a run of `backends` measured, as pathspecs from the top of the
/// repository.
fn measured(backends: &[String]) -> Vec<&'static str> {
    let mut paths = vec![
        ":(top)pool-core",
        ":(top)pool-exec",
        ":(top)harness/src/serve",
        ":(top)harness/src/load",
    ];
    let uses = |prefix: &str| backends.iter().any(|b| b.starts_with(prefix));
    for (prefix, path) in [
        ("tokio", ":(top)backend-tokio"),
        ("mio", ":(top)backend-mio"),
        ("uring", ":(top)backend-uring"),
        ("uring-ref", ":(top)uring-ref"),
    ] {
        if backends.is_empty() || uses(prefix) {
            paths.push(path);
        }
    }
    paths
}

/// The commit of the run in `root/name`: `recorded`, or the commit that added its
/// `added_file` to git (marked `added in`).
fn run_commit(root: &Path, name: &str, recorded: &str, added_file: &str) -> Option<(String, bool)> {
    if !recorded.is_empty() && recorded != "unknown" {
        return Some((recorded.to_owned(), true));
    }
    let file = format!("{name}/{added_file}");
    git(
        root,
        &["log", "--diff-filter=A", "--format=%h", "-1", "--", &file],
    )
    .filter(|c| !c.is_empty())
    .map(|c| (c, false))
}

/// `fe7270e`, `added in fe7270e`, and `current` or `**superseded** (3c9f1a2 changed
/// pool-core)`: the commit and status cells of a run.
fn commit_cells(
    root: &Path,
    name: &str,
    recorded: &str,
    added_file: &str,
    backends: &[String],
) -> (String, String) {
    let Some((commit, was_recorded)) = run_commit(root, name, recorded, added_file) else {
        return ("unknown".to_owned(), "unknown".to_owned());
    };
    let shown = if was_recorded {
        format!("`{commit}`")
    } else {
        format!("added in `{commit}`")
    };
    let base = commit.trim_end_matches("-dirty");
    let mut args = vec![
        "log".to_owned(),
        "--format=%h".to_owned(),
        format!("{base}..HEAD"),
        "--".to_owned(),
    ];
    args.extend(measured(backends).iter().map(|p| (*p).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let status = match git(root, &args) {
        None => "unknown".to_owned(),
        Some(later) if later.is_empty() => "current".to_owned(),
        Some(later) => {
            let changes: Vec<&str> = later.lines().collect();
            format!(
                "**superseded**: {} later commit{} changed measured code (latest `{}`)",
                changes.len(),
                if changes.len() == 1 { "" } else { "s" },
                changes[0]
            )
        }
    };
    (shown, status)
}

/// Renders the index of the runs under `root`.
///
/// # Errors
///
/// If `root` cannot be read (the message names it).
pub fn render_index(root: &Path) -> anyhow::Result<String> {
    let (summaries, others) = runs(root)?;
    let mut o = String::from(
        "# Published results\n\n\
         Each directory is one run of the published matrix (`make results`): every backend \
         against tokio's multi-thread runtime on a loopback TCP echo load, with the tables, \
         plots, histograms and the machine it ran on. This index is generated by \
         `harness matrix` and `harness readme`; newest first. A run is **superseded** \
         when a crate it measured changed after the commit it ran at: its numbers \
         describe older code. Runs from before results recorded their commit show the \
         commit that added them to git.\n\n",
    );
    let published = summaries.iter().find(|s| !s.quick).or(summaries.first());
    if let Some(latest) = published {
        let _ = writeln!(
            o,
            "## Latest: [{}]({}/README.md)\n",
            latest.name, latest.name
        );
        if let Some(h) = &latest.headline {
            let _ = writeln!(
                o,
                "![latency distribution, {}]({}/{h})\n",
                latest.name, latest.name
            );
        }
    }
    o.push_str(
        "## Runs\n\n| run | date | commit | status | machine | backends | repeats | runs | \
         wall time | note |\n",
    );
    o.push_str("|:---|:---|:---|:---|:---|:---|---:|---:|---:|:---|\n");
    for s in &summaries {
        let mut note = Vec::new();
        if s.quick {
            note.push("smoke run (--quick)".to_owned());
        }
        if s.interrupted {
            note.push("interrupted".to_owned());
        }
        if !s.failures.is_empty() {
            note.push(format!("{} failure(s)", s.failures.len()));
        }
        let (commit, status) =
            commit_cells(root, &s.name, &s.metadata.commit, SUMMARY_FILE, &s.backends);
        let _ = writeln!(
            o,
            "| [{}]({}/README.md) | {} | {commit} | {status} | {} ({} CPUs) | {} | {} | {}/{} \
             | {:.0} s | {} |",
            s.name,
            s.name,
            s.date,
            s.metadata.cpu_model,
            s.metadata.cores,
            s.backends.join(", "),
            s.repeat,
            s.runs_done,
            s.runs_planned,
            s.wall_s,
            note.join("; ")
        );
    }
    for name in &others {
        let (commit, status) = commit_cells(root, name, "", "README.md", &[]);
        let _ = writeln!(
            o,
            "| [{name}]({name}/) | | {commit} | {status} | | | | | | no matrix.json |"
        );
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn lists_directories_with_a_readme_but_not_the_scripts_or_latest() {
        let root = std::env::temp_dir().join(format!("iopool-index-{}", std::process::id()));
        for (dir, readme) in [
            ("2026-01-01-run", true),
            ("scripts", false),
            ("latest", true),
        ] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            if readme {
                std::fs::write(root.join(dir).join("README.md"), "# a run\n").unwrap();
            }
        }
        let (summaries, others) = runs(&root).unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        assert!(summaries.is_empty());
        assert_eq!(others, ["2026-01-01-run"]);
    }
}
