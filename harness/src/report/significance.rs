//! Confidence intervals for ratios against the baseline, over the repeats of a cell.
//!
//! # Method
//!
//! A percentile bootstrap of the ratio of medians: each side's repeats are resampled
//! with replacement ([`RESAMPLES`] times), the ratio of the two resampled medians is
//! taken each time, and the 2.5th and 97.5th percentiles of those ratios bound the 95%
//! interval. The medians match the tables, and resist the one-off outlier a shared
//! machine produces. The generator is seeded from the data, so the same results always
//! give the same interval.
//!
//! The same resamples give a two-sided bootstrap p-value (twice the share of resampled
//! ratios on the far side of 1), which [`super::fdr`] corrects for the number of
//! comparisons a README makes.
//!
//! With few repeats the bootstrap is optimistic (its intervals are too narrow), so
//! fewer than [`MIN_REPEATS`] on either side give no interval at all; at 5 repeats a
//! difference of a few percent against ±25% run-to-run noise stays "not significant",
//! as it should.

/// Resamples per interval.
pub const RESAMPLES: usize = 2000;

/// The fewest repeats per side for which an interval is given.
pub const MIN_REPEATS: usize = 3;

/// A ratio of medians with its 95% bootstrap confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatioCi {
    /// The ratio of the two medians.
    pub ratio: f64,
    /// The interval's lower bound (2.5th percentile).
    pub low: f64,
    /// The interval's upper bound (97.5th percentile).
    pub high: f64,
    /// The two-sided bootstrap p-value of "the ratio is 1": twice the share of the
    /// resampled ratios on the other side of 1 from the observed one (counting ties
    /// and one pseudo-count, so never 0), at most 1.
    pub p: f64,
}

impl RatioCi {
    /// Whether the interval excludes 1.0: the difference is significant on its own,
    /// before any correction for multiple comparisons.
    pub fn significant(&self) -> bool {
        self.low > 1.0 || self.high < 1.0
    }

    /// The interval's width as a factor, `high / low` (infinite when `low` is 0).
    pub fn width(&self) -> f64 {
        if self.low > 0.0 {
            self.high / self.low
        } else {
            f64::INFINITY
        }
    }
}

/// The ratio of the median of `values` to the median of `base`, with its 95% interval;
/// `None` if either side has fewer than [`MIN_REPEATS`] values or the base median is
/// not positive.
///
/// ```
/// use harness::report::significance::ratio_ci;
/// let same = ratio_ci(&[10.0, 11.0, 9.0, 10.5, 9.5], &[10.2, 9.8, 10.9, 9.1, 10.0]).unwrap();
/// assert!(!same.significant());
/// let faster = ratio_ci(&[20.0, 21.0, 19.0, 20.5, 19.5], &[10.2, 9.8, 10.9, 9.1, 10.0]).unwrap();
/// assert!(faster.significant() && faster.low > 1.5);
/// ```
pub fn ratio_ci(values: &[f64], base: &[f64]) -> Option<RatioCi> {
    if values.len() < MIN_REPEATS || base.len() < MIN_REPEATS {
        return None;
    }
    let ratio = median(&mut values.to_vec()) / positive(median(&mut base.to_vec()))?;
    let mut rng = seeded(values.iter().chain(base));
    let mut ratios = Vec::with_capacity(RESAMPLES);
    let mut a = vec![0.0; values.len()];
    let mut b = vec![0.0; base.len()];
    for _ in 0..RESAMPLES {
        resample(&mut rng, values, &mut a);
        resample(&mut rng, base, &mut b);
        if let Some(d) = positive(median(&mut b)) {
            ratios.push(median(&mut a) / d);
        }
    }
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    let far_side = if ratio >= 1.0 {
        ratios.iter().filter(|&&r| r <= 1.0).count()
    } else {
        ratios.iter().filter(|&&r| r >= 1.0).count()
    };
    let p = (2.0 * (far_side + 1) as f64 / (ratios.len() + 1) as f64).min(1.0);
    Some(RatioCi {
        ratio,
        low: at(0.025),
        high: at(0.975),
        p,
    })
}

fn positive(v: f64) -> Option<f64> {
    (v > 0.0).then_some(v)
}

/// The median; sorts `values`, which must not be empty.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// A generator seeded from the bits of `values`, so the same data give the same
/// interval (for the fastrand version in `Cargo.lock`: its seeded output is not
/// promised across versions, which moves an interval by resampling noise only).
fn seeded<'a>(values: impl Iterator<Item = &'a f64>) -> fastrand::Rng {
    let seed = values.fold(0x9e37_79b9_7f4a_7c15_u64, |seed, v| {
        (seed ^ v.to_bits()).wrapping_mul(0x0000_0100_0000_01b3)
    });
    fastrand::Rng::with_seed(seed)
}

/// Fills `out` with draws from `from`, with replacement.
fn resample(rng: &mut fastrand::Rng, from: &[f64], out: &mut [f64]) {
    for slot in out {
        *slot = from[rng.usize(..from.len())];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` values around `center`, spread ±`noise` (relative) deterministically.
    fn sample(center: f64, noise: f64, n: usize, phase: u64) -> Vec<f64> {
        let mut rng = fastrand::Rng::with_seed(phase);
        (0..n)
            .map(|_| center * (1.0 + noise * (2.0 * rng.f64() - 1.0)))
            .collect()
    }

    #[test]
    fn identical_distributions_are_not_significant() {
        // ±25% noise, as identical runs show on a small shared machine.
        for phase in 0..20 {
            let a = sample(100.0, 0.25, 5, phase);
            let b = sample(100.0, 0.25, 5, phase + 1000);
            let ci = ratio_ci(&a, &b).unwrap();
            assert!(ci.low <= ci.ratio && ci.ratio <= ci.high, "{ci:?}");
            assert!(ci.p > 0.05 && ci.p <= 1.0, "{ci:?}");
            assert!(
                !ci.significant(),
                "phase {phase}: {ci:?} from {a:?} / {b:?}"
            );
        }
    }

    #[test]
    fn clearly_shifted_distributions_are_significant() {
        for phase in 0..20 {
            let a = sample(160.0, 0.1, 5, phase);
            let b = sample(100.0, 0.1, 5, phase + 1000);
            let ci = ratio_ci(&a, &b).unwrap();
            assert!(ci.significant() && ci.low > 1.0, "{ci:?}");
            let down = ratio_ci(&b, &a).unwrap();
            assert!(down.significant() && down.high < 1.0, "{down:?}");
            // Clearly shifted: no resample crosses 1, so p is the pseudo-count's.
            assert!(ci.p < 0.01 && down.p < 0.01, "{ci:?} {down:?}");
        }
    }

    #[test]
    fn intervals_are_reproducible_and_need_enough_repeats() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [2.0, 2.5, 3.0, 3.5];
        assert_eq!(ratio_ci(&a, &b), ratio_ci(&a, &b));
        assert!(ratio_ci(&a[..2], &b).is_none());
        assert!(ratio_ci(&a, &[0.0, 0.0, 0.0]).is_none());
    }
}
