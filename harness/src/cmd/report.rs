//! `harness report`: merges the histograms of several result files.

use anyhow::Context;
use serde::Serialize;

use super::Outcome;
use crate::metrics::histogram::{self, merge};
use crate::metrics::hlog::IntervalLog;
use crate::metrics::Percentiles;
use crate::plan::ReportPlan;
use crate::report::merge::{check, MergeInput};
use crate::report::{percentile_distribution, Grid};
use crate::result::{expand, read_input, Input, LoadResult};

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
    /// What makes this merge misleading (windows that do not overlap, differing
    /// histogram settings...); empty when none.
    warnings: Vec<String>,
}

/// The load figures of a result file; none for a bare histogram.
fn load_of(input: &Input) -> Option<&LoadResult> {
    match input {
        Input::Result(run) => Some(&run.load),
        Input::Histogram(_) | Input::IntervalLog(_) => None,
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

/// An interval log as a table: one row per interval.
fn time_series(name: &str, log: &IntervalLog) -> String {
    let mut g = Grid::new();
    g.row(["t s", "tag", "count", "req/s", "p50 µs", "p99", "max"]);
    for i in &log.intervals {
        let p = Percentiles::of(&i.histogram);
        g.row([
            format!("{:.1}", i.start_s),
            i.tag.clone().unwrap_or_default(),
            p.count.to_string(),
            format!("{:.0}", i.rate()),
            p.p50_us.to_string(),
            p.p99_us.to_string(),
            p.max_us.to_string(),
        ]);
    }
    format!("{name}, per interval:\n{}", g.render(2))
}

pub(super) fn report(plan: ReportPlan) -> anyhow::Result<Outcome> {
    let files = expand(&plan.files)?;
    let mut inputs = Vec::with_capacity(files.len());
    for path in &files {
        inputs.push(read_input(path)?);
    }
    let decoded = inputs
        .iter()
        .zip(&files)
        .map(|(input, path)| match input {
            Input::Result(run) => histogram::decode(&run.load.histogram)
                .with_context(|| format!("bad histogram in {}", path.display())),
            Input::Histogram(h) => Ok(h.clone()),
            Input::IntervalLog(log) => Ok(log.total()),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let parts: Vec<MergeInput<'_>> = inputs
        .iter()
        .zip(&decoded)
        .zip(&files)
        .map(|((input, histogram), path)| {
            let part = MergeInput::new(path.display().to_string(), histogram, load_of(input));
            match input {
                Input::Result(run) => part.at_commit(&run.metadata.commit),
                Input::Histogram(_) | Input::IntervalLog(_) => part,
            }
        })
        .collect();
    let warnings = check(&parts);

    let mut merged = histogram::new();
    let mut g = Grid::new();
    g.row([
        "file", "count", "req/s", "p50 µs", "p90", "p99", "p99.9", "p99.99", "max",
    ]);
    let (mut requests, mut rps, mut errors) = (0, 0.0, 0);
    for (part, input) in parts.iter().zip(&inputs) {
        merge(&mut merged, part.histogram)
            .with_context(|| format!("cannot merge {}", part.name))?;
        let load = load_of(input);
        let part_rps = load.map_or(0.0, |l| l.throughput_rps);
        requests += load.map_or(part.histogram.len(), |l| l.requests);
        rps += part_rps;
        errors += load.map_or(0, |l| l.error_total);
        g.row(row(
            part.name.clone(),
            &Percentiles::of(part.histogram),
            part_rps,
        ));
    }
    let latency = Percentiles::of(&merged);
    g.row(row(
        format!("merged ({} files)", parts.len()),
        &latency,
        rps,
    ));
    print!("{}", g.render(0));
    for (input, path) in inputs.iter().zip(&files) {
        if let Input::IntervalLog(log) = input {
            print!("{}", time_series(&path.display().to_string(), log));
        }
    }
    println!("requests {requests}, errors {errors}; req/s is the sum over files (concurrent load processes)");
    for warning in &warnings {
        eprintln!("harness: warning: {warning}");
    }
    if let Some(dir) = &plan.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        let encoded = histogram::encode(&merged)?;
        let report = Merged {
            files: parts.iter().map(|p| p.name.clone()).collect(),
            count: merged.len(),
            requests,
            throughput_rps: rps,
            errors,
            latency,
            histogram: encoded.clone(),
            warnings,
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
