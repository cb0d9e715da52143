//! Placement of top-level tasks: the [`Placement`] policies and the [`RoundRobin`]
//! counter they start from.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::lifecycle::Lifecycle;

/// How [`Handle::spawn`](crate::Handle::spawn) and
/// [`Handle::spawn_pinned`](crate::Handle::spawn_pinned) pick a worker for a new
/// top-level task. See [`Builder::placement`](crate::Builder::placement).
///
/// Only these two spawns are placed by the policy. [`Handle::spawn_on`](crate::Handle::spawn_on)
/// names its worker, and [`Runtime::spawn_child`](crate::Runtime::spawn_child) and
/// [`Runtime::spawn_local`](crate::Runtime::spawn_local) stay on the caller's worker,
/// whatever the policy.
///
/// | policy | looks at | cost of one placement |
/// | --- | --- | --- |
/// | `RoundRobin` | nothing | one relaxed `fetch_add` on a shared counter |
/// | `LeastLoaded` | every worker's live-task count | that `fetch_add`, plus one relaxed load per worker |
/// | `PowerOfTwoChoices` | two random workers' recent busy time and live-task counts | two thread-local random numbers (fastrand), one clock read, two workers' figures |
///
/// All three are lock-free. `LeastLoaded` is the only one whose cost grows with the
/// pool size: it reads one atomic per worker (a few nanoseconds each, but each may be
/// a cache miss when that worker's count just changed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Placement {
    /// Worker `0, 1, …, n-1, 0, …` from one shared counter: the seed's behaviour. It
    /// ignores load, so tasks of very uneven cost can pile up on one worker.
    #[default]
    RoundRobin,
    /// The worker with the fewest *live* tasks: tasks placed on it (by any spawn,
    /// including `spawn_on` and local spawns) that have not finished or been dropped,
    /// counting those still queued for it. Ties go round-robin (the scan starts at the
    /// next round-robin index), so under even load it places like `RoundRobin`.
    ///
    /// It counts tasks, not their cost: a worker with one task that computes for a
    /// second looks less loaded than one with ten idle connections.
    LeastLoaded,
    /// Two distinct workers drawn at random; the task goes to the one that was less
    /// busy *recently*, unless that one already holds more than 5/4 of the other's live
    /// tasks plus 2 ([`P2C_LIVE_SLACK`]): then to the other. "Busy" is as in
    /// [`WorkerMetrics::busy`](crate::WorkerMetrics::busy): not parked waiting for
    /// events. "Recently" is an exponentially weighted average of the busy fraction
    /// with a time constant of 10 ms ([`RECENT_BUSY_WINDOW`]): what the worker did in
    /// the last 10 ms weighs as much as everything before. Live tasks count as in
    /// `LeastLoaded`.
    ///
    /// It sees cost where `LeastLoaded` sees only counts, and it needs no scan. With
    /// two workers it always compares both.
    ///
    /// # Why the live-task bound
    ///
    /// A busy figure does not move while a burst of tasks is placed: a task placed on
    /// a worker costs it nothing until it has work (a new connection is idle until its
    /// client sends). Without the bound, every placement of a burst goes to whichever
    /// worker looked less busy when the burst began. In a connect burst that is every
    /// worker but the one running the accept loop (it is the busy one: it accepts), so
    /// with 2 workers one worker got every connection and served 82–100% of the echoes
    /// while the other idled. The bound keeps placements of a burst within 5:4 (plus
    /// 2) by count, and the busy figure decides within it.
    ///
    /// A backend that does not report its parks (see
    /// [`backend::WorkerCounters::parking`](crate::backend::WorkerCounters::parking))
    /// makes every worker look equally busy, and this policy then places at random
    /// within the bound.
    PowerOfTwoChoices,
}

/// The time constant of the recent busy figure that [`Placement::PowerOfTwoChoices`]
/// compares.
pub const RECENT_BUSY_WINDOW: std::time::Duration = std::time::Duration::from_millis(10);

/// How far [`Placement::PowerOfTwoChoices`] lets the less busy of its two workers
/// get ahead of the other in live tasks: it is passed over once it holds more than
/// `live * 5 / 4 + P2C_LIVE_SLACK` of them, `live` being the other's.
pub const P2C_LIVE_SLACK: usize = 2;

/// Whether a worker holding `preferred` live tasks is too far ahead of one holding
/// `other` for [`Placement::PowerOfTwoChoices`] to place another task on it.
fn too_far_ahead(preferred: usize, other: usize) -> bool {
    preferred > other + other / 4 + P2C_LIVE_SLACK
}

/// Hands out worker indices `0, 1, …, n-1, 0, …` from one shared counter.
///
/// `Relaxed` is enough: the counter only spreads load; no other memory is published
/// through it.
#[derive(Debug)]
pub struct RoundRobin {
    next: AtomicUsize,
    workers: usize,
}

impl RoundRobin {
    /// Placement over `workers` workers (at least 1).
    pub fn new(workers: usize) -> Self {
        assert!(workers > 0, "RoundRobin over zero workers");
        RoundRobin {
            next: AtomicUsize::new(0),
            workers,
        }
    }

    /// The index of the worker for the next task.
    pub fn next(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % self.workers
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        self.workers
    }
}

/// A [`Placement`] policy over the workers of one per-thread pool.
#[derive(Debug)]
pub(crate) struct Placer {
    policy: Placement,
    round_robin: RoundRobin,
}

impl Placer {
    pub(crate) fn new(policy: Placement, workers: usize) -> Self {
        Placer {
            policy,
            round_robin: RoundRobin::new(workers),
        }
    }

    /// The worker for the next top-level task. `lifecycle` holds the per-worker
    /// figures the policy reads.
    pub(crate) fn next(&self, lifecycle: &Lifecycle) -> usize {
        let n = self.round_robin.workers();
        match self.policy {
            Placement::RoundRobin => self.round_robin.next(),
            _ if n == 1 => 0,
            Placement::LeastLoaded => {
                let start = self.round_robin.next();
                let mut best = (start, lifecycle.worker_load(start));
                for offset in 1..n {
                    let worker = (start + offset) % n;
                    let load = lifecycle.worker_load(worker);
                    if load < best.1 {
                        best = (worker, load);
                    }
                }
                best.0
            }
            Placement::PowerOfTwoChoices => {
                let (a, b) = two_distinct(n);
                let now = Instant::now();
                let (preferred, other) =
                    if lifecycle.recent_busy(b, now) < lifecycle.recent_busy(a, now) {
                        (b, a)
                    } else {
                        (a, b)
                    };
                let live = |w| lifecycle.worker_load(w);
                if too_far_ahead(live(preferred), live(other)) {
                    other
                } else {
                    preferred
                }
            }
        }
    }
}

/// Two distinct indices below `n` (at least 2), uniformly at random.
fn two_distinct(n: usize) -> (usize, usize) {
    // fastrand: a per-thread generator, seeded at random; not for cryptography.
    let a = fastrand::usize(..n);
    let b = fastrand::usize(..n - 1);
    (a, if b >= a { b + 1 } else { b })
}

#[cfg(test)]
mod tests {
    use super::{RoundRobin, too_far_ahead, two_distinct};

    #[test]
    fn cycles_through_workers() {
        let rr = RoundRobin::new(3);
        let got: Vec<usize> = (0..7).map(|_| rr.next()).collect();
        assert_eq!(got, [0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn the_live_bound_keeps_a_burst_within_five_to_four() {
        // Placing a burst always on the preferred worker unless it is too far ahead:
        // the counts it reaches.
        for burst in [10usize, 100, 1000, 10_000] {
            let (mut preferred, mut other) = (0usize, 1usize); // the other runs the acceptor
            for _ in 0..burst {
                if too_far_ahead(preferred, other) {
                    other += 1;
                } else {
                    preferred += 1;
                }
            }
            let share = preferred as f64 / (preferred + other) as f64;
            assert!(share <= 0.65, "burst {burst}: {preferred} vs {other}");
            assert!(
                share >= 0.5,
                "burst {burst}: the less busy worker still gets more"
            );
        }
        assert!(!too_far_ahead(2, 0) && too_far_ahead(3, 0));
        assert!(!too_far_ahead(127, 100) && too_far_ahead(128, 100));
    }

    #[test]
    fn two_distinct_covers_every_pair() {
        let mut seen = [[0u32; 4]; 4];
        for _ in 0..4000 {
            let (a, b) = two_distinct(4);
            assert_ne!(a, b);
            assert!(a < 4 && b < 4);
            seen[a][b] += 1;
        }
        for (a, row) in seen.iter().enumerate() {
            for (b, &count) in row.iter().enumerate() {
                // 12 ordered pairs, ~333 draws each: every pair comes up.
                assert_eq!(count == 0, a == b, "pair ({a}, {b}) drawn {count} times");
            }
        }
    }
}
