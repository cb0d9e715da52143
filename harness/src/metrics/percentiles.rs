//! The latency summary every report shows.

use serde::{Deserialize, Serialize};

use super::histogram::Latency;

/// Percentiles of a latency histogram, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Number of recorded values.
    pub count: u64,
    /// Mean.
    pub mean_us: f64,
    /// Smallest value.
    pub min_us: u64,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// 99.99th percentile.
    pub p9999_us: u64,
    /// Largest value.
    pub max_us: u64,
}

impl Percentiles {
    /// Summarizes `h` (all zeros when it is empty).
    ///
    /// ```
    /// let mut h = harness::metrics::histogram::new();
    /// for v in 1..=100 { h.record(v).unwrap(); }
    /// let p = harness::metrics::Percentiles::of(&h);
    /// assert_eq!(p.p50_us, 50);
    /// assert!(p.p50_us <= p.p99_us && p.p99_us <= p.max_us);
    /// ```
    pub fn of(h: &Latency) -> Percentiles {
        if h.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            count: h.len(),
            mean_us: h.mean(),
            min_us: h.min(),
            p50_us: h.value_at_quantile(0.5),
            p90_us: h.value_at_quantile(0.9),
            p99_us: h.value_at_quantile(0.99),
            p999_us: h.value_at_quantile(0.999),
            p9999_us: h.value_at_quantile(0.9999),
            max_us: h.max(),
        }
    }
}
