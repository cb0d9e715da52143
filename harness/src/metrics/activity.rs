//! Per-worker activity from the pool's own metrics
//! ([`Handle::metrics`](pool_core::Handle::metrics)): busy share and polls over a
//! window.

use std::time::Duration;

use pool_core::PoolMetrics;

/// What one worker did between two metrics snapshots. A field is `None` where the
/// backend does not measure it (tokio-mt counts no polls per worker).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Activity {
    /// Share of the window the worker was busy (not parked), in percent.
    pub busy_pct: Option<f64>,
    /// Polls of the pool's tasks on this worker.
    pub polls: Option<u64>,
}

/// Worker `i`'s activity between `start` and `end`, `elapsed` apart, for every worker
/// of `end`.
pub fn between(start: &PoolMetrics, end: &PoolMetrics, elapsed: Duration) -> Vec<Activity> {
    end.workers
        .iter()
        .map(|e| {
            let s = start.workers.iter().find(|s| s.worker == e.worker);
            let busy = match (e.busy, s.and_then(|s| s.busy)) {
                (Some(e), Some(s)) if !elapsed.is_zero() => {
                    Some(100.0 * e.saturating_sub(s).as_secs_f64() / elapsed.as_secs_f64())
                }
                _ => None,
            };
            let polls = match (e.polls, s.and_then(|s| s.polls)) {
                (Some(e), Some(s)) => Some(e.saturating_sub(s)),
                _ => None,
            };
            Activity {
                busy_pct: busy.map(|b| b.min(100.0)),
                polls,
            }
        })
        .collect()
}

/// `busy %` and `polls` cells for a table, `-` where unknown.
pub fn cells(activity: Option<&Activity>) -> [String; 2] {
    let busy = activity
        .and_then(|a| a.busy_pct)
        .map_or("-".to_owned(), |b| format!("{b:.0}"));
    let polls = activity
        .and_then(|a| a.polls)
        .map_or("-".to_owned(), |p| p.to_string());
    [busy, polls]
}

#[cfg(test)]
mod tests {
    use pool_core::WorkerMetrics;

    use super::*;

    fn snapshot(busy_ms: u64, polls: Option<u64>) -> PoolMetrics {
        let mut w = WorkerMetrics::new(0);
        w.busy = Some(Duration::from_millis(busy_ms));
        w.polls = polls;
        let mut m = PoolMetrics::default();
        m.workers = vec![w];
        m
    }

    #[test]
    fn busy_share_and_polls_over_the_window() {
        let a = between(
            &snapshot(100, Some(10)),
            &snapshot(350, Some(60)),
            Duration::from_secs(1),
        );
        assert_eq!(a.len(), 1);
        assert!((a[0].busy_pct.unwrap() - 25.0).abs() < 1e-9);
        assert_eq!(a[0].polls, Some(50));
        assert_eq!(cells(Some(&a[0])), ["25".to_owned(), "50".to_owned()]);
    }

    #[test]
    fn unknown_fields_stay_unknown() {
        let a = between(&snapshot(0, None), &snapshot(10, None), Duration::ZERO);
        assert_eq!(a[0], Activity::default());
        assert_eq!(cells(None), ["-".to_owned(), "-".to_owned()]);
    }
}
