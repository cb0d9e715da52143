//! A skewed load: some connections cost the server CPU work per request
//! (`--work-us`, `--hot-fraction`), and connections may close and reconnect
//! (`--conn-requests`) so that new ones are placed while the workers are unevenly
//! loaded.
//!
//! # Who decides which connections are hot
//!
//! The client does, and tells the server: right after connecting, before any measured
//! request, it sends one [`Hotness`] byte. The server reads it before echoing, so the
//! server and the report can never disagree about which connections were hot, whatever
//! the accept order, the placement policy or the backend, and the echoed bytes stay
//! exactly the bytes sent (the header is not echoed, and not part of any request).
//!
//! A connection is hot when [`Skew::is_hot`] says so for its number and its
//! generation (how many times it has reconnected): a low-discrepancy sequence, so that
//! among any `n` consecutive connections about `n * fraction` are hot, scattered
//! without a period a round-robin placement could line up with. With churn the
//! generation changes, so the hot set moves between connection slots as they
//! reconnect.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The longest `--work-us` accepted: a request that computes longer than this is a
/// stall, not a request (the stall detector's business).
pub const MAX_WORK: Duration = Duration::from_millis(100);

/// The header byte a client sends right after connecting when the run has per-request
/// work: whether this connection's requests cost the server [`Skew::work`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hotness {
    /// A plain echo connection.
    Cold,
    /// Every request costs the server the run's work.
    Hot,
}

impl Hotness {
    /// The byte on the wire: `c` or `h`.
    pub fn byte(self) -> u8 {
        match self {
            Hotness::Cold => b'c',
            Hotness::Hot => b'h',
        }
    }

    /// The hotness a header byte announces, or `None` for a byte no client sends (the
    /// server then closes the connection).
    ///
    /// ```
    /// use harness::plan::Hotness;
    ///
    /// assert_eq!(Hotness::from_byte(Hotness::Hot.byte()), Some(Hotness::Hot));
    /// assert_eq!(Hotness::from_byte(0), None);
    /// ```
    pub fn from_byte(b: u8) -> Option<Hotness> {
        match b {
            b'c' => Some(Hotness::Cold),
            b'h' => Some(Hotness::Hot),
            _ => None,
        }
    }
}

/// The skew of a run: how much CPU a hot request costs the server, and which share of
/// the connections are hot.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Skew {
    /// CPU work per request of a hot connection (more than zero).
    pub work: Duration,
    /// The share of connections that are hot, in `(0, 1]`.
    pub hot_fraction: f64,
}

impl Skew {
    /// Whether connection `id`, in its `generation`-th incarnation (0 for the first
    /// connection, 1 after its first reconnect...), is hot.
    ///
    /// The fractional parts of `id * φ⁻¹ + generation * ρ⁻¹` (φ the golden ratio, ρ
    /// the plastic number) are equidistributed: any run of consecutive ids holds
    /// `fraction` of hot ones to within a connection or two, without a period.
    ///
    /// ```
    /// use std::time::Duration;
    /// use harness::plan::Skew;
    ///
    /// let skew = Skew { work: Duration::from_micros(100), hot_fraction: 0.1 };
    /// let hot = (0..1000).filter(|&id| skew.is_hot(id, 0)).count();
    /// assert!((98..=102).contains(&hot));
    /// ```
    pub fn is_hot(&self, id: u64, generation: u64) -> bool {
        const INV_PHI: f64 = 0.618_033_988_749_894_9;
        const INV_PLASTIC: f64 = 0.754_877_666_246_692_7;
        let x = (id as f64 * INV_PHI + generation as f64 * INV_PLASTIC).fract();
        x < self.hot_fraction
    }

    /// [`Skew::is_hot`] as the header byte's value.
    pub fn hotness(&self, id: u64, generation: u64) -> Hotness {
        if self.is_hot(id, generation) {
            Hotness::Hot
        } else {
            Hotness::Cold
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skew(fraction: f64) -> Skew {
        Skew {
            work: Duration::from_micros(10),
            hot_fraction: fraction,
        }
    }

    #[test]
    fn the_hot_share_holds_in_every_window_of_ids() {
        for fraction in [0.05, 0.1, 0.25, 0.5, 0.9] {
            let s = skew(fraction);
            for start in [0_u64, 17, 1000, 123_456] {
                let hot = (start..start + 200).filter(|&id| s.is_hot(id, 0)).count();
                let expected = 200.0 * fraction;
                assert!(
                    (hot as f64 - expected).abs() <= 3.0,
                    "{fraction} from {start}: {hot} hot of 200"
                );
            }
        }
        assert!((0..1000).all(|id| skew(1.0).is_hot(id, 3)));
    }

    #[test]
    fn hot_connections_do_not_line_up_with_round_robin() {
        // Round-robin over 2 or 4 workers puts connection i on worker i % w (when
        // accepts come in order): the hot ones must spread over every worker.
        let s = skew(0.1);
        for workers in [2_u64, 3, 4] {
            let mut per = vec![0; workers as usize];
            for id in (0..1000).filter(|&id| s.is_hot(id, 0)) {
                per[(id % workers) as usize] += 1;
            }
            let (min, max) = (per.iter().min().unwrap(), per.iter().max().unwrap());
            assert!(
                max - min <= 100 / workers as usize / 2,
                "{workers}: {per:?}"
            );
        }
    }

    #[test]
    fn reconnecting_moves_the_hot_set() {
        let s = skew(0.1);
        let first: Vec<u64> = (0..100).filter(|&id| s.is_hot(id, 0)).collect();
        let second: Vec<u64> = (0..100).filter(|&id| s.is_hot(id, 1)).collect();
        assert!(!first.is_empty() && !second.is_empty());
        assert_ne!(first, second);
    }

    #[test]
    fn header_bytes_round_trip() {
        for h in [Hotness::Cold, Hotness::Hot] {
            assert_eq!(Hotness::from_byte(h.byte()), Some(h));
        }
        assert_eq!(Hotness::from_byte(b'x'), None);
    }
}
