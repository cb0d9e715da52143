//! Server CPU time (user + sys) per echo against the connection count, one line per
//! backend, with the loopback floor (one blocking send plus recv) as a dashed line,
//! per (load level, message size).

use super::vs_conns::{self, Spec};
use super::Plot;
use crate::report::Spread;
use crate::result::RunResult;

/// One CPU plot per (level, message size) in `results` that has server figures.
///
/// # Errors
///
/// If a plot cannot be drawn.
pub fn render(results: &[RunResult]) -> anyhow::Result<Vec<Plot>> {
    let metric = |r: &RunResult| {
        r.server
            .as_ref()
            .filter(|s| s.echoes > 0)
            .map(|s| s.cpu_per_echo_us)
    };
    let mut plots = Vec::new();
    for (key, runs) in vs_conns::by_series(results) {
        if !runs.iter().any(|r| metric(r).is_some()) {
            continue;
        }
        let kernel = Spread::of(
            runs.iter()
                .filter_map(|r| r.send_recv.map(|k| k.cpu_per_op_us)),
        );
        let spec = Spec {
            kind: "cpu",
            what: "Server CPU per echo",
            y_desc: "server CPU per echo (µs, user + sys)",
            x: &vs_conns::by_conns,
            x_desc: "connections (log scale)",
            metric: &metric,
            reference: kernel.map(|k| {
                (
                    k.median,
                    format!("kernel: one blocking send+recv, {:.2} µs", k.median),
                )
            }),
            y_format: |v| format!("{v:.1}"),
        };
        plots.push(vs_conns::draw(key, &runs, &spec)?);
    }
    Ok(plots)
}
