//! When a run measured a limit other than the server's latency at the offered load:
//! *saturated* (the server, or the generator, fell short of the offered rate) and
//! *client-bound* (the load generator's threads were busy: its throughput measures the
//! generator) and *generator-bound* (an open-loop generator whose own lateness, or
//! whose busy threads, are the size of the latency it reports).

use crate::load::Busy;
use crate::metrics::Percentiles;

/// An open-loop run whose achieved rate is below this share of the offered rate is
/// saturated.
pub const SATURATED_BELOW: f64 = 0.97;

/// A run whose client threads were busy for at least this share of the window is
/// client-bound.
pub const CLIENT_BOUND_AT: f64 = 0.90;

/// Whether `achieved` requests per second fell short of the `offered` rate (open
/// loop; a closed loop offers no rate and is never saturated).
///
/// ```
/// use harness::result::limits::saturated;
/// assert!(saturated(Some(1000.0), 900.0));
/// assert!(!saturated(Some(1000.0), 990.0));
/// assert!(!saturated(None, 0.0));
/// ```
pub fn saturated(offered: Option<f64>, achieved: f64) -> bool {
    offered.is_some_and(|rate| achieved < SATURATED_BELOW * rate)
}

/// The load generator's busy share over the window, 0 to 1: the mean over its client
/// threads of the share of the window each was runnable (on a CPU, or queued for one).
/// Time queued counts as busy: a generator that waits for a CPU is as much the limit
/// as one that uses it. `None` when no thread measured the window.
pub fn client_busy(threads: &[Busy]) -> Option<f64> {
    if threads.is_empty() {
        return None;
    }
    Some(threads.iter().map(Busy::share).sum::<f64>() / threads.len() as f64)
}

/// The load generator's idle spinning over the window, 0 to 1: the mean over client
/// threads of the share of the window each spun with nothing to do (the pacer's final
/// spin, `--client-spin`), which [`client_busy`] leaves out. `None` when no thread
/// measured the window.
pub fn client_idle_spin(threads: &[Busy]) -> Option<f64> {
    if threads.is_empty() {
        return None;
    }
    let share = |b: &Busy| {
        if b.wall.is_zero() {
            0.0
        } else {
            (b.spun.as_secs_f64() / b.wall.as_secs_f64()).min(1.0)
        }
    };
    Some(threads.iter().map(share).sum::<f64>() / threads.len() as f64)
}

/// Whether a busy share makes the run client-bound.
///
/// ```
/// use harness::result::limits::client_bound;
/// assert!(client_bound(Some(0.95)));
/// assert!(!client_bound(Some(0.5)));
/// assert!(!client_bound(None));
/// ```
pub fn client_bound(busy: Option<f64>) -> bool {
    busy.is_some_and(|b| b >= CLIENT_BOUND_AT)
}

/// An open-loop run whose generator lag p99 exceeds this share of the p50 latency it
/// reports is generator-bound.
pub const LAG_P99_OVER_P50: f64 = 0.10;

/// An open-loop run whose client threads were busy for at least this share of the
/// window is generator-bound: its pacing was late.
pub const GENERATOR_BOUND_AT: f64 = 0.95;

/// Whether an open-loop run's latency measures the generator as much as the server:
/// its lag p99 exceeds [`LAG_P99_OVER_P50`] of the p50 latency it reports, or its
/// client threads were busy [`GENERATOR_BOUND_AT`] of the window or more. A closed
/// loop (no `lag`) is never generator-bound; its limit is [`client_bound`].
///
/// ```
/// use harness::metrics::Percentiles;
/// use harness::result::limits::generator_bound;
///
/// let p = |p50_us, p99_us| Percentiles { count: 1, p50_us, p99_us, ..Percentiles::default() };
/// // Lag p99 138 µs against a p50 of 60 µs: generator-bound.
/// assert!(generator_bound(Some(&p(5, 138)), &p(60, 400), Some(0.5)));
/// // Lag p99 3 µs, generator half busy: the latency is the server's.
/// assert!(!generator_bound(Some(&p(1, 3)), &p(60, 400), Some(0.5)));
/// assert!(generator_bound(Some(&p(1, 3)), &p(60, 400), Some(0.97)));
/// assert!(!generator_bound(None, &p(60, 400), Some(1.0)));
/// ```
pub fn generator_bound(
    lag: Option<&Percentiles>,
    latency: &Percentiles,
    busy: Option<f64>,
) -> bool {
    let Some(lag) = lag else {
        return false;
    };
    let late = lag.count > 0 && lag.p99_us as f64 > LAG_P99_OVER_P50 * latency.p50_us as f64;
    late || busy.is_some_and(|b| b >= GENERATOR_BOUND_AT)
}
