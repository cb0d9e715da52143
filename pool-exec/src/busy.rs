//! [`OffCpu`]: how long a worker thread was off its CPU, measured at the end of each
//! park, so that busy time is the thread's CPU time.

use std::time::{Duration, Instant};

/// The CPU time the calling thread has used so far; `None` where the clock cannot be
/// read (never on Linux; always under Miri, which has no thread CPU clock).
pub(crate) fn thread_cpu() -> Option<Duration> {
    #[cfg(miri)]
    return None;
    #[cfg(not(miri))]
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID)
        .ok()
        .map(Duration::from)
}

/// Wall and CPU time of the worker thread at its last park's end.
///
/// A park's wall time is not idle time: the kernel may work for the thread inside
/// the wait. Under io_uring's `DEFER_TASKRUN` the receives and sends of a whole turn
/// run inside `io_uring_enter`, and counting the whole wait as parked made a worker
/// at 54% CPU read 5% busy. So at the end of each park the worker counts as parked
/// the time since the previous park's end that the thread was *not* on its CPU
/// (wall minus CPU): the park's idle time, and any preemption in between. Busy time
/// (uptime minus parked) is then the thread's CPU time at every park's end, and
/// advances with the clock between parks. One clock read per park (about 0.2 µs, a
/// system call: Linux has no vDSO for thread CPU clocks).
#[derive(Debug)]
pub(crate) struct OffCpu {
    wall: Instant,
    cpu: Option<Duration>,
}

impl OffCpu {
    /// Starts measuring on the calling thread, which must be the worker's.
    pub(crate) fn start() -> Self {
        OffCpu {
            wall: Instant::now(),
            cpu: thread_cpu(),
        }
    }

    /// At a park's end: the time since the last call (or the start) that this thread
    /// spent off its CPU. `park`, the park's wall time, is the answer where the CPU
    /// clock cannot be read.
    pub(crate) fn lap(&mut self, park: Duration) -> Duration {
        let wall = Instant::now();
        let cpu = thread_cpu();
        let off = match (cpu, self.cpu) {
            (Some(now), Some(before)) => {
                let ran = now.saturating_sub(before);
                wall.saturating_duration_since(self.wall)
                    .saturating_sub(ran)
            }
            _ => park,
        };
        self.wall = wall;
        self.cpu = cpu;
        off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(miri))]
    #[test]
    fn a_spin_is_on_cpu_and_a_sleep_is_off() {
        let mut clock = OffCpu::start();
        let start = Instant::now();
        let cpu0 = thread_cpu().unwrap();
        // Spin for 20 ms of CPU, however long other threads preempt this one.
        while thread_cpu().unwrap() - cpu0 < Duration::from_millis(20) {
            std::hint::spin_loop();
        }
        let spun = clock.lap(Duration::ZERO);
        let wall = start.elapsed();
        std::thread::sleep(Duration::from_millis(30));
        let slept = clock.lap(Duration::ZERO);
        assert!(
            spun + Duration::from_millis(19) <= wall,
            "spun {spun:?} of {wall:?}"
        );
        assert!(slept >= Duration::from_millis(29), "slept {slept:?}");
    }

    #[test]
    fn without_a_cpu_clock_the_park_counts() {
        let mut clock = OffCpu {
            wall: Instant::now(),
            cpu: None,
        };
        assert_eq!(
            clock.lap(Duration::from_millis(3)),
            Duration::from_millis(3)
        );
    }
}
