//! Throughput (requests per second) against the connection count, one line per
//! backend, per (load level, message size).

use super::vs_conns::{self, Spec};
use super::{style, Plot};
use crate::result::RunResult;

/// One throughput plot per (level, message size) in `results`.
///
/// # Errors
///
/// If a plot cannot be drawn.
pub fn render(results: &[RunResult]) -> anyhow::Result<Vec<Plot>> {
    let metric = |r: &RunResult| Some(r.load.throughput_rps);
    let spec = Spec {
        kind: "throughput",
        what: "Throughput",
        y_desc: "requests per second",
        x: &vs_conns::by_conns,
        x_desc: "connections (log scale)",
        metric: &metric,
        reference: None,
        y_format: style::int,
    };
    vs_conns::by_series(results)
        .into_iter()
        .map(|(key, runs)| vs_conns::draw(key, &runs, &spec))
        .collect()
}
