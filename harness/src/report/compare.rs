//! The side-by-side table of several backends over repetitions: medians with their
//! min-max spread, and ratios against the baseline (tokio-mt).

use std::fmt::Write;

use super::grid::{thousands, Grid};
use super::spread::Spread;
use crate::backend::BackendKind;
use crate::result::RunResult;

fn spread(values: Vec<f64>) -> Option<Spread> {
    Spread::of(values)
}

fn show(s: Option<Spread>, repeated: bool, fmt: impl Fn(f64) -> String) -> String {
    match s {
        None => "-".to_owned(),
        Some(s) if repeated => format!("{} [{}–{}]", fmt(s.median), fmt(s.min), fmt(s.max)),
        Some(s) => fmt(s.median),
    }
}

fn ratio(value: Option<Spread>, base: Option<Spread>) -> String {
    match (value, base) {
        (Some(v), Some(b)) if b.median > 0.0 => format!("{:.2}", v.median / b.median),
        _ => "-".to_owned(),
    }
}

/// Renders results of one or more backends (any number of repetitions each) side by
/// side, in the backends' order of first appearance.
pub fn render_comparison(results: &[RunResult]) -> String {
    let mut backends: Vec<&str> = Vec::new();
    for r in results {
        let b = r.backend.as_deref().unwrap_or("load");
        if !backends.contains(&b) {
            backends.push(b);
        }
    }
    let baseline = BackendKind::BASELINE.name();
    let of = |backend: &str, f: &dyn Fn(&RunResult) -> Option<f64>| {
        spread(
            results
                .iter()
                .filter(|r| r.backend.as_deref().unwrap_or("load") == backend)
                .filter_map(f)
                .collect(),
        )
    };
    let rps = |r: &RunResult| Some(r.load.throughput_rps);
    let p50 = |r: &RunResult| Some(r.load.latency.p50_us as f64);
    let p99 = |r: &RunResult| Some(r.load.latency.p99_us as f64);
    let p999 = |r: &RunResult| Some(r.load.latency.p999_us as f64);
    let cpu = |r: &RunResult| r.server.as_ref().map(|s| s.cpu_per_echo_us);
    let floor = |r: &RunResult| r.server.as_ref().and_then(|s| s.floor_multiple);
    let client = |r: &RunResult| Some(r.load.client_cpu_per_request_us);
    let errors = |r: &RunResult| Some(r.load.error_total as f64);

    let repetitions = results.iter().map(|r| r.repetition).max().unwrap_or(0) + 1;
    let repeated = repetitions > 1;
    let mut g = Grid::new();
    g.row([
        "backend",
        "req/s",
        "x mt",
        "p50 µs",
        "p99 µs",
        "x mt",
        "p99.9 µs",
        "srv CPU µs/echo",
        "x floor",
        "x mt",
        "client CPU µs/req",
        "errors",
    ]);
    let int = |v: f64| thousands(v.round() as u64);
    let dec = |v: f64| format!("{v:.2}");
    for b in &backends {
        g.row([
            b.to_string(),
            show(of(b, &rps), repeated, int),
            ratio(of(b, &rps), of(baseline, &rps)),
            show(of(b, &p50), repeated, int),
            show(of(b, &p99), repeated, int),
            ratio(of(b, &p99), of(baseline, &p99)),
            show(of(b, &p999), repeated, int),
            show(of(b, &cpu), repeated, dec),
            show(of(b, &floor), false, dec),
            ratio(of(b, &cpu), of(baseline, &cpu)),
            show(of(b, &client), false, dec),
            show(
                of(b, &errors).map(|s| Spread { median: s.max, ..s }),
                false,
                int,
            ),
        ]);
    }
    let mut out = String::new();
    if let Some(first) = results.first() {
        let l = &first.load;
        let _ = write!(
            out,
            "{} loop, {} conns, {} B, {} s x {repetitions}, accept {}",
            l.mode.name(),
            l.conns,
            l.msg_size,
            l.duration_s,
            first
                .server
                .as_ref()
                .map_or("-".to_owned(), |s| format!("{:?}", s.accept).to_lowercase()),
        );
        if let Some(f) = &first.floor {
            let _ = write!(
                out,
                "; floor {:.2} µs per send+recv of {} B",
                f.cpu_per_op_us, f.msg_size
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}; x mt = ratio of medians against {baseline} (req/s: higher is better; p99, CPU: lower is better); errors: worst run",
        if repeated { "medians [min–max]" } else { "one run each" }
    );
    out.push_str(&g.render(0));
    out
}
