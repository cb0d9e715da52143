//! What a table shows in a ratio column: a ratio against the baseline with its
//! confidence interval, or why there is none (a saturated, client-bound or
//! generator-bound cell).

use super::fdr::{Rules, Verdict};
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
    /// A latency ratio where a run of either side was generator-bound
    /// (`generator_bound`): the generator's lateness is the size of the
    /// latency, so the ratio would compare generators.
    GeneratorBound,
    /// Too few repeats for an interval: the ratio of medians alone.
    Plain(f64),
    /// The ratio of medians with its 95% interval.
    Interval(RatioCi),
}

/// Which figure a ratio is of: throughput ratios are refused from client-bound runs,
/// latency ratios from generator-bound ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Requests per second: measures the generator when it is the bottleneck.
    Throughput,
    /// Client-measured latency: measures the generator when it paces late.
    Latency,
    /// Server CPU.
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
        if figure == Figure::Latency && both().any(|r| r.load.generator_bound()) {
            return RatioCell::GeneratorBound;
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

    /// Whether the interval excludes 1.0 (uncorrected for multiple comparisons).
    pub fn significant(&self) -> bool {
        matches!(self, RatioCell::Interval(ci) if ci.significant())
    }

    /// The interval, where there is one.
    pub fn interval(&self) -> Option<RatioCi> {
        match self {
            RatioCell::Interval(ci) => Some(*ci),
            _ => None,
        }
    }

    /// Plain text: `1.31 [1.12–1.45]*` (`*`: significant), `0.98 [0.90–1.07]`, `1.02`,
    /// `saturated`, `client-bound`, or `-`.
    pub fn text(&self) -> String {
        match self {
            RatioCell::Missing => "-".to_owned(),
            RatioCell::Saturated => "saturated".to_owned(),
            RatioCell::ClientBound => "client-bound".to_owned(),
            RatioCell::GeneratorBound => "generator-bound".to_owned(),
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

    /// Markdown under a README's `rules`: findings in bold, `**1.31×** [1.12–1.45]`;
    /// others plain with why they are not, `0.98× [0.90–1.07] n.s.`, `1.03× [1.01–1.05]
    /// <5%`, `3.53× [1.01–101.05] too wide`, `1.20× [1.01–1.40] n.s. after FDR`;
    /// refusals in italics.
    pub fn markdown(&self, rules: &Rules) -> String {
        match self {
            RatioCell::Missing => "–".to_owned(),
            RatioCell::Saturated => "*saturated*".to_owned(),
            RatioCell::ClientBound => "*client-bound*".to_owned(),
            RatioCell::GeneratorBound => "*generator-bound*".to_owned(),
            RatioCell::Plain(r) => format!("{r:.2}×"),
            RatioCell::Interval(ci) => {
                let range = format!("[{:.2}–{:.2}]", ci.low, ci.high);
                match rules.verdict(ci) {
                    Verdict::Finding => format!("**{:.2}×** {range}", ci.ratio),
                    Verdict::Small => format!("{:.2}× {range} <5%", ci.ratio),
                    Verdict::Wide => format!("{:.2}× {range} too wide", ci.ratio),
                    Verdict::NotAfterCorrection => {
                        format!("{:.2}× {range} n.s. after FDR", ci.ratio)
                    }
                    Verdict::NotSignificant => format!("{:.2}× {range} n.s.", ci.ratio),
                }
            }
        }
    }
}

fn median(values: Vec<f64>) -> f64 {
    super::Spread::of(values).map_or(0.0, |s| s.median)
}
