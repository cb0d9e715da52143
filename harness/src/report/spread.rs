//! Medians with their min-max spread: how repeated runs are summarized (never means).

/// The median, minimum and maximum of some values.
///
/// ```
/// use harness::report::Spread;
/// let s = Spread::of([3.0, 1.0, 2.0]).unwrap();
/// assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
/// assert_eq!(Spread::of([4.0, 1.0]).unwrap().median, 2.5);
/// assert!(Spread::of([]).is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The median (the mean of the two middle values for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`, or `None` if there are none.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let mut values: Vec<f64> = values.into_iter().collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Some(Spread {
            median,
            min: values[0],
            max: values[n - 1],
        })
    }

    /// `self.median / base.median`, if the base is positive.
    pub fn ratio(self, base: Spread) -> Option<f64> {
        (base.median > 0.0).then(|| self.median / base.median)
    }
}
