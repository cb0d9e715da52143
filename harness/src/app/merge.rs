//! `harness report`: merges the histograms of several result files.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use super::Outcome;
use crate::cli::ReportArgs;
use crate::metrics::histogram::{self, merge, Latency};
use crate::metrics::Percentiles;
use crate::report::{percentile_distribution, Grid};
use crate::result::RunResult;

/// The merged report written as `merged.json`.
#[derive(Debug, Serialize)]
struct Merged {
    files: Vec<String>,
    count: u64,
    requests: u64,
    throughput_rps: f64,
    errors: u64,
    latency: Percentiles,
    histogram: String,
}

/// One input: its histogram and, for result files, its totals.
struct Input {
    histogram: Latency,
    requests: Option<u64>,
    rps: f64,
    errors: u64,
}

fn read(path: &Path) -> anyhow::Result<Input> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if text.trim_start().starts_with('{') {
        let run: RunResult = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a harness result file", path.display()))?;
        Ok(Input {
            histogram: histogram::decode(&run.load.histogram)
                .with_context(|| format!("bad histogram in {}", path.display()))?,
            requests: Some(run.load.requests),
            rps: run.load.throughput_rps,
            errors: run.load.error_total,
        })
    } else {
        Ok(Input {
            histogram: histogram::decode(&text)
                .with_context(|| format!("{} is not a serialized histogram", path.display()))?,
            requests: None,
            rps: 0.0,
            errors: 0,
        })
    }
}

fn row(name: String, p: &Percentiles, rps: f64) -> Vec<String> {
    vec![
        name,
        p.count.to_string(),
        format!("{:.0}", rps),
        p.p50_us.to_string(),
        p.p90_us.to_string(),
        p.p99_us.to_string(),
        p.p999_us.to_string(),
        p.p9999_us.to_string(),
        p.max_us.to_string(),
    ]
}

pub(super) fn report(args: ReportArgs) -> anyhow::Result<Outcome> {
    let mut merged = histogram::new();
    let mut g = Grid::new();
    g.row([
        "file", "count", "req/s", "p50 µs", "p90", "p99", "p99.9", "p99.99", "max",
    ]);
    let (mut requests, mut rps, mut errors) = (0, 0.0, 0);
    for path in &args.files {
        let input = read(path)?;
        merge(&mut merged, &input.histogram)
            .with_context(|| format!("cannot merge {}", path.display()))?;
        requests += input.requests.unwrap_or(input.histogram.len());
        rps += input.rps;
        errors += input.errors;
        g.row(row(
            path.display().to_string(),
            &Percentiles::of(&input.histogram),
            input.rps,
        ));
    }
    let latency = Percentiles::of(&merged);
    g.row(row(
        format!("merged ({} files)", args.files.len()),
        &latency,
        rps,
    ));
    print!("{}", g.render(0));
    println!("requests {requests}, errors {errors}; req/s is the sum over files (concurrent load processes)");
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        let encoded = histogram::encode(&merged)?;
        let report = Merged {
            files: args.files.iter().map(|p| p.display().to_string()).collect(),
            count: merged.len(),
            requests,
            throughput_rps: rps,
            errors,
            latency,
            histogram: encoded.clone(),
        };
        let files = [
            ("merged.json", serde_json::to_string_pretty(&report)? + "\n"),
            ("merged.hgrm", percentile_distribution(&merged)),
            ("merged.hist", encoded + "\n"),
        ];
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(if errors > 0 {
        Outcome::Errors
    } else {
        Outcome::Clean
    })
}
