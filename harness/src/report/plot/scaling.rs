//! The thread-scaling plots: closed-loop throughput and server CPU per echo against the
//! server's thread count, in the isolated profile, at the largest connection count of
//! each message size; one line per backend.
//!
//! They need runs at two or more server thread counts (`harness matrix --profiles
//! isolated --threads 1,2,4,8`): on a machine with many CPUs, they answer how each
//! backend scales where one shared reactor (tokio-mt) and one reactor per thread
//! (the per-thread pools) differ most.

use std::collections::BTreeMap;

use super::vs_conns::{self, Spec};
use super::{style, Plot};
use crate::plan::Profile;
use crate::report::level::{Level, SeriesKey};
use crate::result::RunResult;

/// Server worker threads of a run (0 for a run without server figures, which is left
/// out of the plots).
fn threads(r: &RunResult) -> u64 {
    r.server.as_ref().map_or(0, |s| s.threads as u64)
}

/// The scaling plots of `results` (from several sections of a matrix): two per message
/// size, or none when the isolated closed-loop runs have a single thread count.
///
/// # Errors
///
/// If a plot cannot be drawn.
pub fn render(results: &[RunResult]) -> anyhow::Result<Vec<Plot>> {
    // (message size) -> (connections) -> runs: the closed loop of the isolated profile.
    let mut by_size: BTreeMap<u64, BTreeMap<u64, Vec<&RunResult>>> = BTreeMap::new();
    for r in results.iter().filter(|r| {
        r.profile == Some(Profile::Isolated) && Level::of(r) == Level::Closed && threads(r) > 0
    }) {
        by_size
            .entry(r.load.msg_size)
            .or_default()
            .entry(r.load.conns)
            .or_default()
            .push(r);
    }
    let mut plots = Vec::new();
    for (msg_size, by_conns) in by_size {
        let Some((&conns, runs)) = by_conns.iter().next_back() else {
            continue;
        };
        let mut counts: Vec<u64> = runs.iter().map(|r| threads(r)).collect();
        counts.sort_unstable();
        counts.dedup();
        if counts.len() < 2 {
            continue;
        }
        let key = SeriesKey {
            level: Level::Closed,
            msg_size,
        };
        let throughput = |r: &RunResult| Some(r.load.throughput_rps);
        let cpu = |r: &RunResult| {
            r.server
                .as_ref()
                .filter(|s| s.echoes > 0)
                .map(|s| s.cpu_per_echo_us)
        };
        let what_rps = format!("Throughput by server threads (isolated, {conns} conns)");
        let what_cpu = format!("Server CPU per echo by server threads (isolated, {conns} conns)");
        let specs = [
            Spec {
                kind: "scaling-throughput",
                what: &what_rps,
                x: &threads,
                x_desc: "server threads (log scale)",
                y_desc: "requests per second",
                metric: &throughput,
                reference: None,
                y_format: style::int,
            },
            Spec {
                kind: "scaling-cpu",
                what: &what_cpu,
                x: &threads,
                x_desc: "server threads (log scale)",
                y_desc: "server CPU per echo (µs, user + sys)",
                metric: &cpu,
                reference: None,
                y_format: |v| format!("{v:.1}"),
            },
        ];
        for spec in &specs {
            plots.push(vs_conns::draw(key, runs, spec)?);
        }
    }
    Ok(plots)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::load::ErrorCounts;
    use crate::metrics::{CpuTime, Percentiles};
    use crate::result::{ConnectResult, Metadata};
    use crate::serve::AcceptStrategy;

    /// A closed-loop run of the isolated profile, 64 B.
    fn run(backend: &str, threads: usize, conns: u64, rps: f64) -> RunResult {
        serde_json::from_value(json!({
            "schema": crate::result::SCHEMA,
            "metadata": Metadata::default(),
            "backend": backend,
            "repetition": 0,
            "profile": "isolated",
            "server": {
                "backend": backend, "threads": threads, "accept": AcceptStrategy::Single,
                "echoes": 1000, "cpu": CpuTime::default(), "cpu_per_echo_us": 4.0,
                "workers": [], "other_echoes": 0, "accept_errors": 0,
            },
            "load": {
                "target": "127.0.0.1:1", "mode": "closed", "conns": conns,
                "client_threads": 1, "msg_size": 64, "duration_s": 1.0, "warmup_s": 0.0,
                "rate": null, "connect": ConnectResult::default(), "window_s": 1.0,
                "requests": rps as u64, "throughput_rps": rps, "throughput_mb_s": 0.0,
                "latency": Percentiles::default(), "latency_uncorrected": null,
                "histogram": "", "histogram_uncorrected": null,
                "errors": ErrorCounts::default(), "error_total": 0, "first_error": null,
                "client_cpu": CpuTime::default(), "client_cpu_per_request_us": 0.0,
                "interrupted": false, "complete": true, "saturated": false,
            },
        }))
        .unwrap()
    }

    #[test]
    fn one_thread_count_draws_nothing_and_several_draw_both_plots() {
        let single: Vec<RunResult> = ["tokio-mt", "mio"]
            .iter()
            .map(|b| run(b, 1, 100, 1e5))
            .collect();
        assert!(render(&single).unwrap().is_empty());
        let mut scaling = Vec::new();
        for threads in [1, 2, 4] {
            for b in ["tokio-mt", "mio"] {
                // The smaller connection count is left out: the largest is plotted.
                scaling.push(run(b, threads, 10, 1.0));
                scaling.push(run(b, threads, 1000, 1e5 * threads as f64));
            }
        }
        let plots = render(&scaling).unwrap();
        let files: Vec<&str> = plots.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "scaling-throughput-closed-m64.svg",
                "scaling-cpu-closed-m64.svg"
            ]
        );
        assert!(plots[0].title.contains("1000 conns"), "{}", plots[0].title);
        assert!(plots[0].svg.contains("server threads"));
    }
}
