//! The `.hgrm` percentile distribution, in HdrHistogram's standard text format
//! (values in milliseconds), which HdrHistogram's plotter reads.

use std::fmt::Write;

use super::Report;
use crate::metrics::histogram::{self, Latency};
use crate::result::RunResult;

/// Writes the latency distribution (`.hgrm`), or the uncorrected one
/// (`.uncorrected.hgrm`, open loop only).
#[derive(Clone, Copy, Debug)]
pub struct HgrmReport {
    /// The uncorrected histogram rather than the corrected one.
    pub uncorrected: bool,
}

impl Report for HgrmReport {
    fn extension(&self) -> &'static str {
        if self.uncorrected {
            "uncorrected.hgrm"
        } else {
            "hgrm"
        }
    }

    fn render(&self, result: &RunResult) -> anyhow::Result<Option<String>> {
        let encoded = if self.uncorrected {
            match &result.load.histogram_uncorrected {
                Some(h) => h,
                None => return Ok(None),
            }
        } else {
            &result.load.histogram
        };
        Ok(Some(percentile_distribution(&histogram::decode(encoded)?)))
    }
}

/// HdrHistogram's `outputPercentileDistribution` text for a µs histogram, with values
/// scaled to milliseconds and 5 reporting ticks per half distance.
///
/// ```
/// let mut h = harness::metrics::histogram::new();
/// h.record(1000).unwrap();
/// let text = harness::report::percentile_distribution(&h);
/// assert!(text.starts_with("       Value     Percentile TotalCount 1/(1-Percentile)"));
/// assert!(text.contains("#[Max     =        1.000, Total count    =            1]"));
/// ```
pub fn percentile_distribution(h: &Latency) -> String {
    const SCALE: f64 = 1000.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>12} {:>14} {:>10} {:>14}\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    );
    if !h.is_empty() {
        let mut total = 0_u64;
        for v in h.iter_quantiles(5) {
            let value = v.value_iterated_to() as f64 / SCALE;
            let q = v.quantile_iterated_to();
            total += v.count_since_last_iteration();
            if q < 1.0 {
                let _ = writeln!(
                    out,
                    "{value:12.3} {q:2.12} {total:10} {:14.2}",
                    1.0 / (1.0 - q)
                );
            } else {
                let _ = writeln!(out, "{value:12.3} {q:2.12} {total:10}");
            }
        }
    }
    let _ = writeln!(
        out,
        "#[Mean    = {:12.3}, StdDeviation   = {:12.3}]",
        h.mean() / SCALE,
        h.stdev() / SCALE
    );
    let _ = writeln!(
        out,
        "#[Max     = {:12.3}, Total count    = {:12}]",
        h.max() as f64 / SCALE,
        h.len()
    );
    let _ = writeln!(
        out,
        "#[Buckets = {:12}, SubBuckets     = {:12}]",
        h.buckets(),
        h.distinct_values()
    );
    out
}
