//! [`WorkerCounters`]: what pool-core itself measures of one worker of a per-thread
//! pool, written by that worker and read from any thread.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::metrics::WorkerMetrics;
use crate::placement::RECENT_BUSY_WINDOW;

/// Which of the optional figures a pool's [`WorkerCounters`] keep.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CounterOptions {
    /// Keep the recent busy figure (for [`Placement::PowerOfTwoChoices`](crate::Placement)).
    pub(crate) activity: bool,
    /// Publish when each task poll started (for the stall detector).
    pub(crate) watch_polls: bool,
}

/// The counters pool-core keeps for one worker of a per-thread pool: tasks started,
/// finished and polled, counted by the task wrapper; when the pool asks for them, the
/// start of the poll in progress (for the stall detector) and a recent busy figure
/// (for [`Placement::PowerOfTwoChoices`](crate::Placement::PowerOfTwoChoices)).
///
/// Owned by the worker: only its own thread writes them (a plain relaxed load and
/// store, no read-modify-write), found through a thread-local rather than a pointer in
/// every task, and aligned to a cache line, so that spawning from another thread
/// never pulls the line away from the worker. Any thread may read them. The one
/// exception is the stall count, written by the pool's watchdog thread, once per stall.
#[derive(Debug)]
#[repr(align(64))]
pub struct WorkerCounters {
    spawned: AtomicU64,
    finished: AtomicU64,
    polls: AtomicU64,
    /// Task poll starts and ends, one count each: odd while a poll runs. Written only
    /// with `options.watch_polls`. The worker reads no clock for it: the watchdog
    /// times a poll from when it first sees its number (see [`PollSighting`]).
    poll_seq: AtomicU64,
    /// Stalls reported; written by the watchdog thread.
    stalls: AtomicU64,
    /// Nanoseconds from `epoch` to the worker's last park or unpark.
    activity_since: AtomicU64,
    /// The recent busy fraction (an `f64`'s bits) as of `activity_since`.
    activity_average: AtomicU64,
    /// Whether the worker is parked now.
    parked: AtomicBool,
    epoch: Instant,
    options: CounterOptions,
    /// `/proc/<pid>/task/<tid>` of the worker thread, where the OS has one.
    proc_dir: OnceLock<Option<PathBuf>>,
}

/// What the watchdog last saw of one worker's polls: the poll in progress (its
/// number), since when it has been seen, and whether it was reported.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PollSighting {
    seq: u64,
    since: Option<Instant>,
    reported: bool,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<WorkerCounters>>> = const { RefCell::new(None) };
}

/// Clears the calling thread's current [`WorkerCounters`] when dropped.
#[derive(Debug)]
#[must_use = "the counters are current until the guard drops"]
pub struct CountersGuard {
    _private: (),
}

impl Drop for CountersGuard {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.borrow_mut().take());
    }
}

/// Adds one; only the owning worker thread writes, so no read-modify-write is needed.
fn bump(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl WorkerCounters {
    pub(crate) fn new(epoch: Instant, options: CounterOptions) -> Self {
        WorkerCounters {
            spawned: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            polls: AtomicU64::new(0),
            poll_seq: AtomicU64::new(0),
            stalls: AtomicU64::new(0),
            activity_since: AtomicU64::new(0),
            activity_average: AtomicU64::new(0f64.to_bits()),
            parked: AtomicBool::new(false),
            epoch,
            options,
            proc_dir: OnceLock::new(),
        }
    }

    /// Makes these the calling worker thread's counters until the guard drops.
    pub fn enter(self: &Arc<Self>) -> CountersGuard {
        if self.options.watch_polls {
            // Linux names the calling thread's /proc directory; elsewhere it is absent.
            let dir = std::fs::read_link("/proc/thread-self").ok();
            let _ = self
                .proc_dir
                .set(dir.map(|d| PathBuf::from("/proc").join(d)));
        }
        CURRENT.with(|c| *c.borrow_mut() = Some(Arc::clone(self)));
        CountersGuard { _private: () }
    }

    /// Calls `f` with the calling thread's counters, if it is a counted worker.
    pub(crate) fn with_current<R>(f: impl FnOnce(&WorkerCounters) -> R) -> Option<R> {
        CURRENT
            .try_with(|c| c.try_borrow().ok()?.as_deref().map(f))
            .ok()
            .flatten()
    }

    /// Call on a worker thread just before it blocks waiting for events (its park).
    ///
    /// This feeds the recent busy figure that
    /// [`Placement::PowerOfTwoChoices`](crate::Placement::PowerOfTwoChoices) compares:
    /// a worker is busy from [`unparked`](WorkerCounters::unparked) to `parking`. It
    /// does nothing off a worker, or when the pool does not use that policy, and costs
    /// one clock read and a few stores when it does.
    ///
    /// # Implementing
    ///
    /// A backend calls it, and `unparked` after the blocking wait returns, around every
    /// wait that can block. Spinning without blocking is not a park.
    pub fn parking() {
        Self::with_current(|c| c.transition(true));
    }

    /// Call on a worker thread when a blocking wait returns. See
    /// [`parking`](WorkerCounters::parking).
    pub fn unparked() {
        Self::with_current(|c| c.transition(false));
    }

    fn transition(&self, parked: bool) {
        if !self.options.activity {
            return;
        }
        let now = nanos(self.epoch.elapsed());
        let average = self.recent_busy_at(now);
        self.activity_average
            .store(average.to_bits(), Ordering::Relaxed);
        self.activity_since.store(now, Ordering::Relaxed);
        self.parked.store(parked, Ordering::Relaxed);
    }

    /// The recent busy fraction, 0 to 1, at `now_nanos` from the epoch: the average
    /// as of the last park or unpark, decayed by the time since, plus the state since
    /// then (busy or parked) for that time. The fields are read apart, so a reader
    /// racing a transition may mix two states: a placement heuristic tolerates that.
    fn recent_busy_at(&self, now_nanos: u64) -> f64 {
        let since = self.activity_since.load(Ordering::Relaxed);
        let average = f64::from_bits(self.activity_average.load(Ordering::Relaxed));
        let state = if self.parked.load(Ordering::Relaxed) {
            0.0
        } else {
            1.0
        };
        let elapsed = now_nanos.saturating_sub(since) as f64;
        let keep = (-elapsed / RECENT_BUSY_WINDOW.as_nanos() as f64).exp();
        average * keep + state * (1.0 - keep)
    }

    /// The recent busy fraction at `now`; see
    /// [`Placement::PowerOfTwoChoices`](crate::Placement::PowerOfTwoChoices).
    pub(crate) fn recent_busy(&self, now: Instant) -> f64 {
        self.recent_busy_at(nanos(now.saturating_duration_since(self.epoch)))
    }

    /// Counts a task poll and, if polls are watched, publishes its start. Returns
    /// whether it did (then [`end_poll`](Self::end_poll) must follow).
    pub(crate) fn begin_poll(&self, first: bool) -> bool {
        if first {
            bump(&self.spawned);
        }
        bump(&self.polls);
        if self.options.watch_polls {
            bump(&self.poll_seq);
        }
        self.options.watch_polls
    }

    /// Marks the end of the task poll in progress.
    pub(crate) fn end_poll(&self) {
        bump(&self.poll_seq);
    }

    pub(crate) fn finished(&self) {
        bump(&self.finished);
    }

    /// For the watchdog, looking at `now`: if the poll in progress is the one `seen`
    /// last saw, has been seen running for `threshold` or more and was not reported
    /// yet, counts it as a stall and returns how long it has been seen running (a lower
    /// bound: it started at most one look before it was first seen).
    pub(crate) fn check_stall(
        &self,
        now: Instant,
        threshold: Duration,
        seen: &mut PollSighting,
    ) -> Option<Duration> {
        let seq = self.poll_seq.load(Ordering::Relaxed);
        if seq.is_multiple_of(2) {
            *seen = PollSighting::default();
            return None;
        }
        if seen.seq != seq {
            *seen = PollSighting {
                seq,
                since: Some(now),
                reported: false,
            };
            return None;
        }
        let elapsed = now.saturating_duration_since(seen.since?);
        if seen.reported || elapsed < threshold {
            return None;
        }
        seen.reported = true;
        self.stalls.fetch_add(1, Ordering::Relaxed);
        Some(elapsed)
    }

    /// The worker thread's `/proc` directory, where the OS has one.
    pub(crate) fn proc_dir(&self) -> Option<&PathBuf> {
        self.proc_dir.get().and_then(Option::as_ref)
    }

    /// Fills the fields these counters know into `into`.
    pub fn fill(&self, into: &mut WorkerMetrics) {
        let spawned = self.spawned.load(Ordering::Relaxed);
        let finished = self.finished.load(Ordering::Relaxed);
        into.spawned = Some(spawned);
        // Read apart, the two may cross; a live count never goes below zero.
        into.live_tasks = Some(spawned.saturating_sub(finished));
        into.polls = Some(self.polls.load(Ordering::Relaxed));
        if self.options.watch_polls {
            into.stalls = Some(self.stalls.load(Ordering::Relaxed));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{CounterOptions, PollSighting, WorkerCounters, nanos};

    #[test]
    fn recent_busy_rises_while_busy_and_decays_while_parked() {
        let options = CounterOptions {
            activity: true,
            watch_polls: false,
        };
        let counters = WorkerCounters::new(Instant::now(), options);
        let window = nanos(super::RECENT_BUSY_WINDOW);
        // Busy from the epoch: after ten windows the figure is nearly 1.
        let busy = counters.recent_busy_at(10 * window);
        assert!(busy > 0.99, "busy for 10 windows: {busy}");
        // Parked from then on: ten windows later it is nearly 0.
        counters
            .activity_since
            .store(10 * window, std::sync::atomic::Ordering::Relaxed);
        counters
            .activity_average
            .store(busy.to_bits(), std::sync::atomic::Ordering::Relaxed);
        counters
            .parked
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let idle = counters.recent_busy_at(20 * window);
        assert!(idle < 0.01, "parked for 10 windows: {idle}");
        // One window of parking takes it to about 1/e of where it was.
        let one = counters.recent_busy_at(11 * window);
        assert!((one - busy / std::f64::consts::E).abs() < 0.01, "{one}");
    }

    #[test]
    fn a_stall_is_reported_once_per_poll() {
        let options = CounterOptions {
            activity: false,
            watch_polls: true,
        };
        let epoch = Instant::now();
        let counters = WorkerCounters::new(epoch, options);
        assert!(counters.begin_poll(true));
        let threshold = Duration::from_millis(50);
        let mut seen = PollSighting::default();
        let first = Instant::now();
        // First seen: timed from now on.
        assert_eq!(counters.check_stall(first, threshold, &mut seen), None);
        let early = first + threshold / 2;
        assert_eq!(counters.check_stall(early, threshold, &mut seen), None);
        let later = first + threshold;
        assert_eq!(
            counters.check_stall(later, threshold, &mut seen),
            Some(threshold)
        );
        assert_eq!(
            counters.check_stall(later + threshold, threshold, &mut seen),
            None
        );
        counters.end_poll();
        assert_eq!(counters.check_stall(later, threshold, &mut seen), None);
        // The next poll is a new one: timed afresh, and reported on its own.
        assert!(counters.begin_poll(false));
        assert_eq!(counters.check_stall(later, threshold, &mut seen), None);
        assert!(
            counters
                .check_stall(later + threshold, threshold, &mut seen)
                .is_some()
        );
        let mut metrics = crate::WorkerMetrics::new(0);
        counters.fill(&mut metrics);
        assert_eq!(metrics.stalls, Some(2));
    }
}
