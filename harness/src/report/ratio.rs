//! What a table shows in a ratio column: a ratio against the baseline with its
//! confidence interval, or why there is none (a saturated or client-bound cell).

use super::significance::{ratio_ci, RatioCi};
use crate::result::RunResult;

/// The ratio of one backend's figure to the baseline's in one cell, or why none is
/// given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RatioCell {
    /// No figure on one side.
    Missing,
    /// A run of either side fell short of its offered rate: no ratio is computed.
    Saturated,
    /// A throughput ratio where a run of either side was client-bound: it would compare
    /// load generators, not servers.
    ClientBound,
    /// Too few repeats for an interval: the ratio of medians alone.
    Plain(f64),
    /// The ratio of medians with its 95% interval.
    Interval(RatioCi),
}

/// Which figure a ratio is of: throughput ratios are refused from client-bound runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Requests per second: measures the generator when it is the bottleneck.
    Throughput,
    /// Latency or server CPU.
    Other,
}

impl RatioCell {
    /// The cell for `metric` of `runs` against the baseline's `base` runs of the same
    /// cell.
    pub fn of(
        runs: &[&RunResult],
        base: &[&RunResult],
        metric: impl Fn(&RunResult) -> Option<f64>,
        figure: Figure,
    ) -> RatioCell {
        let both = || runs.iter().chain(base);
        if both().any(|r| r.load.saturated) {
            return RatioCell::Saturated;
        }
        if figure == Figure::Throughput && both().any(|r| r.load.client_bound) {
            return RatioCell::ClientBound;
        }
        let values: Vec<f64> = runs.iter().filter_map(|r| metric(r)).collect();
        let bases: Vec<f64> = base.iter().filter_map(|r| metric(r)).collect();
        if values.is_empty() || bases.is_empty() {
            return RatioCell::Missing;
        }
        if let Some(ci) = ratio_ci(&values, &bases) {
            return RatioCell::Interval(ci);
        }
        let (a, b) = (median(values), median(bases));
        if b > 0.0 {
            RatioCell::Plain(a / b)
        } else {
            RatioCell::Missing
        }
    }

    /// Whether the interval excludes 1.0.
    pub fn significant(&self) -> bool {
        matches!(self, RatioCell::Interval(ci) if ci.significant())
    }

    /// Plain text: `1.31 [1.12–1.45]*` (`*`: significant), `0.98 [0.90–1.07]`, `1.02`,
    /// `saturated`, `client-bound`, or `-`.
    pub fn text(&self) -> String {
        match self {
            RatioCell::Missing => "-".to_owned(),
            RatioCell::Saturated => "saturated".to_owned(),
            RatioCell::ClientBound => "client-bound".to_owned(),
            RatioCell::Plain(r) => format!("{r:.2}"),
            RatioCell::Interval(ci) => format!(
                "{:.2} [{:.2}–{:.2}]{}",
                ci.ratio,
                ci.low,
                ci.high,
                if ci.significant() { "*" } else { "" }
            ),
        }
    }

    /// Markdown: significant ratios in bold, `**1.31×** [1.12–1.45]`; others plain,
    /// `0.98× [0.90–1.07] n.s.`; refusals in italics.
    pub fn markdown(&self) -> String {
        match self {
            RatioCell::Missing => "–".to_owned(),
            RatioCell::Saturated => "*saturated*".to_owned(),
            RatioCell::ClientBound => "*client-bound*".to_owned(),
            RatioCell::Plain(r) => format!("{r:.2}×"),
            RatioCell::Interval(ci) if ci.significant() => {
                format!("**{:.2}×** [{:.2}–{:.2}]", ci.ratio, ci.low, ci.high)
            }
            RatioCell::Interval(ci) => {
                format!("{:.2}× [{:.2}–{:.2}] n.s.", ci.ratio, ci.low, ci.high)
            }
        }
    }
}

fn median(values: Vec<f64>) -> f64 {
    super::Spread::of(values).map_or(0.0, |s| s.median)
}
