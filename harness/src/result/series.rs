//! [`Series`]: a run's latency, one histogram per second, for `.hlog` interval logs.

use serde::{Deserialize, Serialize};

use crate::load::LoadOutcome;
use crate::metrics::histogram::{self, HistogramError};

/// A run's latency over time: one histogram per second from the warm-up's start,
/// holding the (corrected) latency of the requests completed in that second.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// When the first interval starts (the warm-up's start), seconds since the Unix
    /// epoch.
    pub start_unix_s: f64,
    /// The measured window's start, seconds after `start_unix_s`.
    pub window_offset_s: f64,
    /// Each interval's length, seconds.
    pub interval_s: f64,
    /// One histogram per interval, encoded as [`histogram::encode`] does.
    pub histograms: Vec<String>,
}

impl Series {
    /// The series of a generator outcome, or `None` if it recorded none.
    ///
    /// # Errors
    ///
    /// If a histogram cannot be serialized.
    pub fn of(o: &LoadOutcome) -> Result<Option<Series>, HistogramError> {
        let (Some(start), Some(window)) = (o.series_start, o.window_start) else {
            return Ok(None);
        };
        if o.intervals.is_empty() {
            return Ok(None);
        }
        let histograms = o
            .intervals
            .iter()
            .map(histogram::encode)
            .collect::<Result<_, _>>()?;
        let offset = window.duration_since(start).unwrap_or_default();
        Ok(Some(Series {
            start_unix_s: super::run::unix_s(start),
            window_offset_s: offset.as_secs_f64(),
            interval_s: 1.0,
            histograms,
        }))
    }
}
