//! Which ratios a README may call findings: significance corrected for the number of
//! comparisons it makes, and two rules against findings too small or too vague to mean
//! anything.
//!
//! # Rules
//!
//! A README compares every pool backend with the baseline on every figure of every
//! cell: a few hundred comparisons. At a 5% level each, a dozen would come out
//! "significant" by chance alone. So:
//!
//! 1. **False discovery rate.** The bootstrap p-values of all of a README's
//!    comparisons go through the Benjamini–Hochberg procedure at [`FDR`]: of the
//!    ratios it keeps, at most 5% are expected to be false discoveries. The README
//!    states how many comparisons it made and how many survived.
//! 2. **Effect size.** A ratio within [`MIN_EFFECT`] (5%) of 1 is never a finding,
//!    however narrow its interval: on a shared 2-CPU machine that is the size of a
//!    drift between runs, not a property of a backend.
//! 3. **Precision.** An interval wider than [`MAX_WIDTH`] (high / low > 4) is never a
//!    finding: it says the repeats disagree, not which way the backend differs.
//!
//! Replication (a second matrix run at the same commit agreeing on direction) is
//! checked by the README on top of these rules.

use super::significance::RatioCi;

/// The false discovery rate the Benjamini–Hochberg procedure controls.
pub const FDR: f64 = 0.05;

/// The smallest relative difference from 1 that can be a finding.
pub const MIN_EFFECT: f64 = 0.05;

/// The widest interval (high / low) that can be a finding.
pub const MAX_WIDTH: f64 = 4.0;

/// The Benjamini–Hochberg threshold of `p_values` at rate `q`: the largest p-value
/// `p(k)` (sorted ascending, 1-based `k`) with `p(k) <= k / m * q`. A comparison whose
/// p-value is at most the threshold is a discovery; `None`: there are none.
///
/// ```
/// use harness::report::fdr::bh_threshold;
///
/// // m = 4: the bounds are 0.0125, 0.025, 0.0375, 0.05.
/// assert_eq!(bh_threshold(&[0.01, 0.02, 0.5, 0.9], 0.05), Some(0.02));
/// assert_eq!(bh_threshold(&[0.03, 0.04, 0.5, 0.9], 0.05), None);
/// ```
pub fn bh_threshold(p_values: &[f64], q: f64) -> Option<f64> {
    let mut sorted = p_values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let m = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .filter(|&(i, &p)| p <= (i + 1) as f64 / m * q)
        .map(|(_, &p)| p)
        .next_back()
}

/// How one comparison fares under the [rules](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It passes all three rules.
    Finding,
    /// Significant after the correction, but within [`MIN_EFFECT`] of 1.
    Small,
    /// Significant after the correction, but its interval is wider than [`MAX_WIDTH`].
    Wide,
    /// Its interval excludes 1, but it does not survive the correction.
    NotAfterCorrection,
    /// Not significant even on its own.
    NotSignificant,
}

/// The rules as they apply to one README: its comparison count and BH threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    /// The comparisons (ratios with an interval) the README makes.
    pub comparisons: usize,
    /// Those that survive the correction.
    pub discoveries: usize,
    /// The Benjamini–Hochberg p-value threshold; `None`: no discovery.
    pub threshold: Option<f64>,
}

impl Rules {
    /// The rules over the comparisons `intervals`, at [`FDR`].
    pub fn over(intervals: &[RatioCi]) -> Rules {
        let p: Vec<f64> = intervals.iter().map(|ci| ci.p).collect();
        let threshold = bh_threshold(&p, FDR);
        Rules {
            comparisons: intervals.len(),
            discoveries: threshold.map_or(0, |t| p.iter().filter(|&&x| x <= t).count()),
            threshold,
        }
    }

    /// Rules that correct for nothing: each interval judged on its own (one run's
    /// console table, which makes no claim over many comparisons).
    pub fn uncorrected() -> Rules {
        Rules {
            comparisons: 1,
            discoveries: 0,
            threshold: Some(1.0),
        }
    }

    /// The verdict on `ci`. A discovery must also have an interval that excludes 1
    /// (the p-value and the percentile interval come from the same resamples but can
    /// disagree at the edge).
    pub fn verdict(&self, ci: &RatioCi) -> Verdict {
        let discovered = ci.significant() && self.threshold.is_some_and(|t| ci.p <= t);
        if !discovered {
            return if ci.significant() {
                Verdict::NotAfterCorrection
            } else {
                Verdict::NotSignificant
            };
        }
        if (ci.ratio - 1.0).abs() < MIN_EFFECT {
            Verdict::Small
        } else if ci.width() > MAX_WIDTH {
            Verdict::Wide
        } else {
            Verdict::Finding
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(ratio: f64, low: f64, high: f64, p: f64) -> RatioCi {
        RatioCi {
            ratio,
            low,
            high,
            p,
        }
    }

    #[test]
    fn benjamini_hochberg_keeps_the_step_up_set() {
        // Sorted p: 0.001 0.008 0.039 0.041 0.042 0.06 0.074 0.205 (m = 8, q = 0.05):
        // bounds k/8*0.05 = 0.00625 0.0125 0.01875 0.025 ...: only the first two pass.
        let p = [0.041, 0.001, 0.205, 0.008, 0.039, 0.06, 0.042, 0.074];
        assert_eq!(bh_threshold(&p, 0.05), Some(0.008));
        // Step-up: a later p under its bound lifts the earlier ones with it.
        assert_eq!(bh_threshold(&[0.04, 0.04], 0.05), Some(0.04));
        assert_eq!(bh_threshold(&[], 0.05), None);
        let rules = Rules::over(&p.map(|p| ci(2.0, 1.5, 2.5, p)));
        assert_eq!((rules.comparisons, rules.discoveries), (8, 2));
    }

    #[test]
    fn a_lone_significant_interval_among_many_is_not_a_finding() {
        // One p of 0.01 among 100 comparisons does not survive (bound 0.0005).
        let mut all = vec![ci(1.5, 1.1, 2.0, 0.01)];
        all.extend((0..99).map(|_| ci(1.0, 0.9, 1.1, 0.8)));
        let rules = Rules::over(&all);
        assert_eq!(rules.discoveries, 0);
        assert_eq!(rules.verdict(&all[0]), Verdict::NotAfterCorrection);
        assert_eq!(rules.verdict(&all[1]), Verdict::NotSignificant);
        // Alone, it is one.
        assert_eq!(Rules::over(&all[..1]).verdict(&all[0]), Verdict::Finding);
    }

    #[test]
    fn small_and_wide_ratios_are_never_findings() {
        let rules = Rules::uncorrected();
        // Within 5% of 1, however narrow.
        assert_eq!(rules.verdict(&ci(1.04, 1.03, 1.05, 0.001)), Verdict::Small);
        assert_eq!(rules.verdict(&ci(0.96, 0.95, 0.97, 0.001)), Verdict::Small);
        // The README's "mio p99 3.53× [1.01–101.05]".
        assert_eq!(rules.verdict(&ci(3.53, 1.01, 101.05, 0.001)), Verdict::Wide);
        assert_eq!(
            rules.verdict(&ci(3.0, 1.0001, 4.0, 0.001)),
            Verdict::Finding
        );
        assert_eq!(rules.verdict(&ci(0.5, 0.3, 0.7, 0.001)), Verdict::Finding);
        assert_eq!(
            rules.verdict(&ci(1.2, 0.9, 1.5, 0.3)),
            Verdict::NotSignificant
        );
    }
}
