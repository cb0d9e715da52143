//! SVG plots of result files (plotters), one file per plot kind:
//!
//! - [`latency`]: the latency percentile distribution on HdrHistogram's log scale, one
//!   line per backend, one plot per (load level, connections, message size);
//! - [`throughput`]: requests per second against connections, per (level, size);
//! - [`cpu`]: server CPU per echo against connections, with the kernel's blocking
//!   send+recv;
//! - [`over_time`]: throughput and p99 per second through each run;
//! - [`scaling`]: throughput and CPU per echo against server threads, across the
//!   sections of a thread-scaling matrix (drawn by `harness matrix`, not per section).

pub mod cpu;
pub mod latency;
pub mod over_time;
pub mod scaling;
pub mod throughput;

mod style;
mod vs_conns;

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::result::RunResult;

/// One plot, rendered: its file name and SVG text.
#[derive(Clone, Debug)]
pub struct Plot {
    /// File name, e.g. `latency-closed-c1000-m64.svg`.
    pub file: String,
    /// What it shows, for links and alt texts.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// Every plot of `results`: latency plots first, then throughput, CPU, and over time.
///
/// # Errors
///
/// If a histogram in `results` is malformed or a plot cannot be drawn.
pub fn render_all(results: &[RunResult]) -> anyhow::Result<Vec<Plot>> {
    let mut plots = latency::render(results)?;
    plots.extend(throughput::render(results)?);
    plots.extend(cpu::render(results)?);
    plots.extend(over_time::render(results)?);
    Ok(plots)
}

/// Renders every plot of `results` into `dir` (created if missing) and returns them.
///
/// # Errors
///
/// As [`render_all`], or if a file cannot be written (the message names the path).
pub fn write_all(results: &[RunResult], dir: &Path) -> anyhow::Result<Vec<(PathBuf, Plot)>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create plot directory {}", dir.display()))?;
    let mut written = Vec::new();
    for plot in render_all(results)? {
        let path = dir.join(&plot.file);
        std::fs::write(&path, &plot.svg)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push((path, plot));
    }
    Ok(written)
}

/// Turns a plotters error into an error naming the plot.
fn drawing<E: std::fmt::Display>(file: &str) -> impl FnOnce(E) -> anyhow::Error + '_ {
    move |e| anyhow::anyhow!("cannot draw {file}: {e}")
}
