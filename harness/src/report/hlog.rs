//! The `.hlog` interval log of a run: its latency per second, warm-up included, tagged
//! by backend (see [`crate::metrics::hlog`]).

use super::Report;
use crate::metrics::histogram;
use crate::metrics::hlog;
use crate::result::RunResult;

/// Writes the run's time series as an HdrHistogram interval log.
#[derive(Clone, Copy, Debug)]
pub struct HlogReport;

impl Report for HlogReport {
    fn extension(&self) -> &'static str {
        "hlog"
    }

    fn render(&self, result: &RunResult) -> anyhow::Result<Option<String>> {
        let Some(series) = &result.load.series else {
            return Ok(None);
        };
        let histograms = series
            .histograms
            .iter()
            .map(|h| histogram::decode(h))
            .collect::<Result<Vec<_>, _>>()?;
        let tag = result.backend.as_deref().unwrap_or("load");
        let note = format!(
            "iopool harness: {tag}, latency in µs per {} s interval by completion time; \
             the measured window starts {:.3} s after the StartTime",
            series.interval_s, series.window_offset_s
        );
        Ok(Some(hlog::write(
            series.start_unix_s,
            series.interval_s,
            &histograms,
            tag,
            &[&note],
        )?))
    }
}
