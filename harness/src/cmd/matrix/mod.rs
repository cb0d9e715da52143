//! `harness matrix`: the published matrix, written to
//! `bench-results/<YYYY-MM-DD>-<host tag>/` with plots and a generated README, and the
//! index `bench-results/README.md` regenerated.

mod host;
mod runner;

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::progress::Progress;
use super::Outcome;
use crate::os::{on_signal, raise_nofile, Interrupt};
use crate::plan::MatrixPlan;
use crate::report::markdown::{
    render_index, render_run_readme, MatrixSummary, INDEX_HEADLINE, SUMMARY_FILE,
};
use crate::report::plot::{self, Plot};
use crate::result::{Metadata, RunResult};
use runner::Runner;

/// `root/name`, or `root/name-2`, `-3`... if it already exists.
fn fresh_dir(root: &Path, name: &str) -> PathBuf {
    let mut dir = root.join(name);
    let mut n = 2;
    while dir.exists() {
        dir = root.join(format!("{name}-{n}"));
        n += 1;
    }
    dir
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The headline plot: latency at 1,000 conns, closed loop, 64 B, of the first section;
/// or failing that the closed-loop latency plot with the most connections.
fn headline(plots: &[Plot]) -> Option<String> {
    let wanted = INDEX_HEADLINE.trim_start_matches("plots/");
    plots
        .iter()
        .find(|p| p.file.ends_with(wanted))
        .or_else(|| plots.iter().rfind(|p| p.file.contains("latency-closed-")))
        .map(|p| format!("plots/{}", p.file))
}

pub(super) fn matrix(plan: MatrixPlan) -> anyhow::Result<Outcome> {
    let metadata = Metadata::collect();
    let date = host::date(metadata.timestamp_unix);
    let host_tag = host::host_tag(&metadata);
    let name = plan.name.clone().unwrap_or_else(|| {
        format!(
            "{date}-{host_tag}{}{}",
            if plan.server.workload.is_echo() {
                String::new()
            } else {
                format!("-{}", plan.server.workload)
            },
            if plan.quick { "-quick" } else { "" }
        )
    });
    let dir = match &plan.name {
        Some(n) => plan.root.join(n),
        None => fresh_dir(&plan.root, &name),
    };
    let name = dir
        .file_name()
        .map_or(name, |n| n.to_string_lossy().into_owned());
    let runs_dir = dir.join("runs");
    std::fs::create_dir_all(&runs_dir)
        .with_context(|| format!("cannot create {}", runs_dir.display()))?;
    let limit = raise_nofile();
    let interrupt = Interrupt::default();
    on_signal({
        let interrupt = interrupt.clone();
        move || interrupt.raise()
    })
    .context("cannot install the SIGINT/SIGTERM handlers")?;

    let progress = Progress::overall(plan.cost_ms());
    let (targets, notes) = plan.targets();
    for note in notes {
        progress.status(&format!("note: {note}"));
    }
    let backends: Vec<String> = targets.iter().map(|t| t.label()).collect();
    progress.status(&format!(
        "matrix: {} runs ({}; conns {:?}; sizes {:?} B; closed + open at {:?}% of {}), \
         about {} min; writing {}",
        plan.runs(),
        backends.join(", "),
        plan.conns,
        plan.sizes,
        plan.open_levels,
        crate::backend::BackendKind::BASELINE.name(),
        plan.cost_ms().div_ceil(60_000),
        dir.display()
    ));
    let mut runner = Runner::new(&plan, runs_dir, &interrupt, &progress, limit);
    let failed = runner.run_all().err();
    progress.finish();

    let sections = plan.sections();
    let mut plots = Vec::new();
    for &section in &sections {
        let results: Vec<RunResult> = runner
            .results
            .iter()
            .filter(|r| runner::in_section(r, section))
            .cloned()
            .collect();
        if results.is_empty() {
            continue;
        }
        let slug = section.slug();
        match plot::write_all(&results, &dir.join("plots").join(&slug)) {
            Ok(written) => plots.extend(written.into_iter().map(|(_, mut p)| {
                p.file = format!("{slug}/{}", p.file);
                p
            })),
            Err(e) => eprintln!("harness: warning: no plots for {slug}: {e:#}"),
        }
    }
    // Across sections: the thread-scaling plots (none for one thread count).
    match scaling_plots(&runner.results, &dir.join("plots").join(SCALING_DIR)) {
        Ok(written) => plots.extend(written.into_iter().map(|mut p| {
            p.file = format!("{SCALING_DIR}/{}", p.file);
            p
        })),
        Err(e) => eprintln!("harness: warning: no scaling plots: {e:#}"),
    }
    let summary = MatrixSummary {
        name: name.clone(),
        date,
        host_tag,
        quick: plan.quick,
        backends,
        conns: plan.conns.iter().map(|&c| u64::from(c)).collect(),
        sizes: plan.sizes.iter().map(|&s| s as u64).collect(),
        open_levels: plan.open_levels.clone(),
        repeat: plan.repeat,
        duration_s: plan.duration.as_secs_f64(),
        warmup_s: plan.warmup.as_secs_f64(),
        server_threads: plan.server.threads,
        sections,
        client_threads: plan.client_threads(),
        runs_planned: plan.runs(),
        runs_done: runner.runs_done(),
        wall_s: runner.started.elapsed().as_secs_f64(),
        interrupted: interrupt.is_raised(),
        send_recv: runner.send_recv.clone(),
        failures: runner.failures.clone(),
        headline: headline(&plots),
        metadata,
    };
    write(
        &dir.join(SUMMARY_FILE),
        &(serde_json::to_string_pretty(&summary)? + "\n"),
    )?;
    let readme = dir.join("README.md");
    write(
        &readme,
        &render_run_readme(&summary, &runner.results, &plots, None),
    )?;
    let index = plan.root.join("README.md");
    write(&index, &render_index(&plan.root)?)?;
    eprintln!(
        "harness: {} of {} runs done in {:.0} s; wrote {} and {}",
        summary.runs_done,
        summary.runs_planned,
        summary.wall_s,
        readme.display(),
        index.display()
    );
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(if summary.interrupted {
        eprintln!("harness: interrupted; the READMEs show what was done");
        Outcome::Interrupted
    } else if !summary.failures.is_empty() {
        eprintln!(
            "harness: {} run(s) or cell(s) failed; see Failures in {}",
            summary.failures.len(),
            readme.display()
        );
        Outcome::Errors
    } else {
        Outcome::Clean
    })
}

/// The directory under `plots/` of the thread-scaling plots.
const SCALING_DIR: &str = "scaling";

/// Writes the thread-scaling plots of `results` into `dir` (created only when there
/// are some).
fn scaling_plots(results: &[RunResult], dir: &Path) -> anyhow::Result<Vec<Plot>> {
    let plots = plot::scaling::render(results)?;
    if !plots.is_empty() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create plot directory {}", dir.display()))?;
    }
    for p in &plots {
        let path = dir.join(&p.file);
        std::fs::write(&path, &p.svg)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(plots)
}
