//! [`BusyClock`]: a worker's busy time and parks, measured so that busy time is the
//! worker thread's CPU time.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::metrics::WorkerMetrics;

/// The CPU time the calling thread has used so far; `None` where the clock cannot be
/// read (never on Linux; always under Miri, which has no thread CPU clock).
fn thread_cpu() -> Option<Duration> {
    #[cfg(miri)]
    return None;
    #[cfg(not(miri))]
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID)
        .ok()
        .map(Duration::from)
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Busy time and parks of one worker, for [`Handle::metrics`](crate::Handle::metrics).
/// Written by the worker thread around each blocking wait (its park), read from any
/// thread.
///
/// A park's wall time is not idle time: the kernel may work for the thread inside the
/// wait. Under io_uring's `DEFER_TASKRUN` the receives and sends of a whole turn run
/// inside `io_uring_enter`, and tokio's I/O driver dispatches events inside its park;
/// counting whole waits as parked made a worker at 54% CPU read 5% busy (issue 19).
/// So at the end of each park the clock counts as parked the time since the previous
/// park's end that the thread was *off its CPU* (wall minus the thread's CPU time):
/// the park's idle time, and any preemption in between. Busy time (uptime minus
/// parked) is then the thread's CPU time at the end of every park, and advances with
/// the clock between parks; a park in progress counts as parked. The cost is one read
/// of the thread's CPU clock per park (a system call, about 0.2 µs: Linux has no vDSO
/// for it). Where that clock cannot be read, a park's wall time counts as parked.
///
/// ```
/// use pool_core::backend::BusyClock;
/// use pool_core::WorkerMetrics;
///
/// let clock = BusyClock::new();
/// clock.parking();
/// std::thread::sleep(std::time::Duration::from_millis(5));
/// clock.unparked();
/// let mut metrics = WorkerMetrics::new(0);
/// clock.fill(&mut metrics);
/// assert_eq!(metrics.parks, Some(1));
/// assert!(metrics.busy.unwrap() < std::time::Duration::from_millis(5));
/// ```
#[derive(Debug)]
pub struct BusyClock {
    started: Instant,
    parks: AtomicU64,
    parked_nanos: AtomicU64,
    /// Nanoseconds from `started` to the start of the park in progress, plus one; 0
    /// when not parked.
    parked_since: AtomicU64,
    /// Wall and CPU time at the last park's end; `None` before the first. Locked by
    /// the worker thread only (uncontended).
    lap: Mutex<Option<(Instant, Duration)>>,
    /// The highest busy time reported, in nanoseconds: readings never go back.
    reported: AtomicU64,
}

impl Default for BusyClock {
    fn default() -> Self {
        Self::new()
    }
}

impl BusyClock {
    /// The clock of a worker starting now, on the calling thread, whose CPU time it
    /// reads from then on. Off the worker's thread, use
    /// [`off_thread`](BusyClock::off_thread).
    pub fn new() -> Self {
        Self::with_lap(thread_cpu().map(|cpu| (Instant::now(), cpu)))
    }

    /// The clock of a worker starting now on a thread that is not the calling one: it
    /// reads the worker thread's CPU time from the end of the first park on (the
    /// first park's wall time counts as parked).
    pub fn off_thread() -> Self {
        Self::with_lap(None)
    }

    fn with_lap(lap: Option<(Instant, Duration)>) -> Self {
        BusyClock {
            started: Instant::now(),
            parks: AtomicU64::new(0),
            parked_nanos: AtomicU64::new(0),
            parked_since: AtomicU64::new(0),
            lap: Mutex::new(lap),
            reported: AtomicU64::new(0),
        }
    }

    /// Records that the worker parks now: call it on the worker thread just before
    /// a wait that can block.
    pub fn parking(&self) {
        self.parking_at(Instant::now());
    }

    /// [`parking`](BusyClock::parking) with the park's start `now` the caller has
    /// just read (a worker that read the clock to check its timers saves a read).
    pub fn parking_at(&self, now: Instant) {
        let since = nanos(now.saturating_duration_since(self.started)).saturating_add(1);
        self.parked_since.store(since, Ordering::Relaxed);
    }

    /// Records the end of the park begun by [`parking`](BusyClock::parking): call it
    /// on the worker thread when the wait returns.
    pub fn unparked(&self) {
        let now = Instant::now();
        let since = self.parked_since.load(Ordering::Relaxed);
        let park = nanos(now - self.started).saturating_sub(since.saturating_sub(1));
        let cpu = thread_cpu();
        let mut lap = self.lap.lock().unwrap_or_else(|e| e.into_inner());
        let off = match (*lap, cpu) {
            (Some((wall, before)), Some(cpu)) => {
                nanos((now - wall).saturating_sub(cpu.saturating_sub(before)))
            }
            _ => park,
        };
        *lap = cpu.map(|cpu| (now, cpu));
        drop(lap);
        self.parks.fetch_add(1, Ordering::Relaxed);
        self.parked_nanos.fetch_add(off, Ordering::Relaxed);
        self.parked_since.store(0, Ordering::Relaxed);
    }

    /// Fills `parks`, and `busy` as the uptime minus the time parked, the park in
    /// progress included. Readings never go back: a preemption between two parks reads
    /// as busy until the next park's end subtracts it (with a CPU hog on each core, a
    /// reading fell below an earlier one), and a reader racing the end of a park may
    /// count that park twice; such a reading repeats the highest one so far.
    pub fn fill(&self, into: &mut WorkerMetrics) {
        let uptime = nanos(self.started.elapsed());
        into.parks = Some(self.parks.load(Ordering::Relaxed));
        let since = self.parked_since.load(Ordering::Acquire);
        let mut parked = self.parked_nanos.load(Ordering::Relaxed);
        if since != 0 {
            parked = parked.saturating_add(uptime.saturating_sub(since - 1));
        }
        let busy = uptime.saturating_sub(parked);
        let busy = self.reported.fetch_max(busy, Ordering::Relaxed).max(busy);
        into.busy = Some(Duration::from_nanos(busy));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy(clock: &BusyClock) -> Duration {
        let mut metrics = WorkerMetrics::new(0);
        clock.fill(&mut metrics);
        metrics.busy.unwrap()
    }

    #[cfg(not(miri))]
    #[test]
    fn busy_time_is_the_threads_cpu_time() {
        let clock = BusyClock::new();
        let cpu0 = thread_cpu().unwrap();
        // Spin for 20 ms of CPU "inside a park", however long other threads preempt
        // this one: it counts as busy.
        clock.parking();
        while thread_cpu().unwrap() - cpu0 < Duration::from_millis(20) {
            std::hint::spin_loop();
        }
        clock.unparked();
        let spun = busy(&clock);
        assert!(spun >= Duration::from_millis(19), "busy {spun:?}");
        // A park spent asleep does not.
        clock.parking();
        std::thread::sleep(Duration::from_millis(30));
        clock.unparked();
        let cpu = thread_cpu().unwrap() - cpu0;
        let slept = busy(&clock);
        assert!(
            slept < spun + Duration::from_millis(5),
            "{spun:?} then {slept:?}"
        );
        assert!(
            slept <= cpu + Duration::from_millis(1),
            "busy {slept:?}, CPU {cpu:?}"
        );
    }

    #[cfg(not(miri))]
    #[test]
    fn made_off_thread_busy_time_never_goes_back() {
        // Made by a thread with more CPU time than the worker thread will have.
        let cpu0 = thread_cpu().unwrap();
        while thread_cpu().unwrap() - cpu0 < Duration::from_millis(5) {
            std::hint::spin_loop();
        }
        let clock = std::sync::Arc::new(BusyClock::off_thread());
        let before = busy(&clock);
        let worker = std::sync::Arc::clone(&clock);
        std::thread::spawn(move || {
            worker.parking();
            worker.unparked();
        })
        .join()
        .unwrap();
        let after = busy(&clock);
        assert!(after >= before, "{before:?} then {after:?}");
    }

    #[test]
    fn a_park_in_progress_is_not_busy_and_parks_are_counted() {
        let clock = BusyClock::new();
        clock.parking();
        let during = busy(&clock);
        std::thread::sleep(Duration::from_millis(5));
        assert!(busy(&clock) <= during + Duration::from_millis(1));
        clock.unparked();
        let mut metrics = WorkerMetrics::new(0);
        clock.fill(&mut metrics);
        assert_eq!(metrics.parks, Some(1));
    }
}
