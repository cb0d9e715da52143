//! The serialized histogram (HdrHistogram V2, deflate, base64) on one line, for
//! merging with `harness report` or HdrHistogram's own tools.

use super::Report;
use crate::result::RunResult;

/// Writes the latency histogram (`.hist`), or the uncorrected one (`.uncorrected.hist`,
/// open loop only).
#[derive(Clone, Copy, Debug)]
pub struct SerializedReport {
    /// The uncorrected histogram rather than the corrected one.
    pub uncorrected: bool,
}

impl Report for SerializedReport {
    fn extension(&self) -> &'static str {
        if self.uncorrected {
            "uncorrected.hist"
        } else {
            "hist"
        }
    }

    fn render(&self, result: &RunResult) -> anyhow::Result<Option<String>> {
        let text = if self.uncorrected {
            result.load.histogram_uncorrected.clone()
        } else {
            Some(result.load.histogram.clone())
        };
        Ok(text.map(|t| t + "\n"))
    }
}
