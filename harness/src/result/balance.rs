//! [`Balance`]: how evenly the server's workers shared a run, in a few figures.

use serde::{Deserialize, Serialize};

use super::run::WorkerResult;

/// The busiest and the idlest worker of a run: their busy share, and their shares of
/// the echoes and of the hot requests. Under a skewed load this is what placement
/// changes: `busy 98%/12%` is one worker computing while another idles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// The highest worker busy share, percent; `None` where no worker's is measured.
    pub busy_max_pct: Option<f64>,
    /// The lowest worker busy share, percent.
    pub busy_min_pct: Option<f64>,
    /// The largest share of the window's echoes one worker did, percent.
    pub echoes_max_pct: f64,
    /// The smallest share of the window's echoes one worker did, percent.
    pub echoes_min_pct: f64,
    /// The largest share of the hot requests one worker computed, percent; `None`
    /// without hot requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hot_max_pct: Option<f64>,
    /// The smallest share of the hot requests one worker computed, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hot_min_pct: Option<f64>,
}

impl Balance {
    /// The balance of `workers`, with `other_echoes` done on threads that are not
    /// numbered workers counted in the total; `None` without workers.
    ///
    /// ```
    /// use harness::result::{Balance, WorkerResult};
    ///
    /// let w = |worker, echoes, busy| WorkerResult {
    ///     worker,
    ///     echoes,
    ///     busy_pct: Some(busy),
    ///     ..WorkerResult::default()
    /// };
    /// let b = Balance::of(&[w(1, 800, 98.0), w(2, 200, 12.0)], 0).unwrap();
    /// assert_eq!(b.text(), "busy 98%/12%, echoes 80%/20%");
    /// ```
    pub fn of(workers: &[WorkerResult], other_echoes: u64) -> Option<Balance> {
        if workers.is_empty() {
            return None;
        }
        let shares = |of: &dyn Fn(&WorkerResult) -> u64, extra: u64| -> Option<(f64, f64)> {
            let total = workers.iter().map(of).sum::<u64>() + extra;
            (total > 0).then(|| {
                let pct = |n: u64| 100.0 * n as f64 / total as f64;
                let max = workers.iter().map(of).max().unwrap_or(0);
                let min = workers.iter().map(of).min().unwrap_or(0);
                (pct(max), pct(min))
            })
        };
        let busy: Vec<f64> = workers.iter().filter_map(|w| w.busy_pct).collect();
        let (echoes_max_pct, echoes_min_pct) =
            shares(&|w| w.echoes, other_echoes).unwrap_or((0.0, 0.0));
        let hot = shares(&|w| w.hot_echoes, 0);
        Some(Balance {
            busy_max_pct: busy.iter().copied().reduce(f64::max),
            busy_min_pct: busy.iter().copied().reduce(f64::min),
            echoes_max_pct,
            echoes_min_pct,
            hot_max_pct: hot.map(|h| h.0),
            hot_min_pct: hot.map(|h| h.1),
        })
    }

    /// `busy 98%/12%, echoes 80%/20%, hot 90%/10%`: the busiest / idlest worker's
    /// figures (busy only where measured, hot only with hot requests).
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        if let (Some(max), Some(min)) = (self.busy_max_pct, self.busy_min_pct) {
            parts.push(format!("busy {max:.0}%/{min:.0}%"));
        }
        parts.push(format!(
            "echoes {:.0}%/{:.0}%",
            self.echoes_max_pct, self.echoes_min_pct
        ));
        if let (Some(max), Some(min)) = (self.hot_max_pct, self.hot_min_pct) {
            parts.push(format!("hot {max:.0}%/{min:.0}%"));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hot_shares_and_unmeasured_busy() {
        let w = |worker, echoes, hot_echoes| WorkerResult {
            worker,
            echoes,
            hot_echoes,
            ..WorkerResult::default()
        };
        let b = Balance::of(&[w(1, 500, 90), w(2, 300, 10), w(3, 200, 0)], 0).unwrap();
        assert_eq!(b.busy_max_pct, None);
        assert_eq!(b.text(), "echoes 50%/20%, hot 90%/0%");
        assert_eq!(Balance::of(&[], 0), None);
        // Echoes on other threads count in the total.
        let b = Balance::of(&[w(1, 50, 0), w(2, 50, 0)], 100).unwrap();
        assert_eq!(b.text(), "echoes 25%/25%");
    }
}
