//! How busy a client thread was: the share of the window it ran or waited to run.
//!
//! A thread that is runnable all the time, whether on a CPU or queued behind other
//! work, is what limits the load: its throughput measures the generator, not the
//! server. Linux's `/proc/thread-self/schedstat` gives both figures in nanoseconds (time
//! on a CPU, time waiting on a run queue); where it is missing, the thread's CPU clock
//! (`CLOCK_THREAD_CPUTIME_ID`) gives the first alone.
//!
//! A thread that spins ([`super::spin`]: `--client-spin`, or the pacer's last
//! microseconds before a send) is on its CPU while it waits. The time it spun with
//! nothing to do is counted apart and taken out: a thread that spins while its server
//! is slow is waiting, not limiting the load.

use std::time::{Duration, Instant};

use procfs::FromRead;

use crate::metrics::cpu::thread_time;

/// The calling thread's scheduler times at one instant.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sample {
    at: Instant,
    on_cpu: Duration,
    queued: Duration,
    spun: Duration,
}

impl Sample {
    /// Samples the calling thread now.
    pub(super) fn now() -> Sample {
        let (on_cpu, queued) = schedstat().unwrap_or_else(|| (thread_time(), Duration::ZERO));
        Sample {
            at: Instant::now(),
            on_cpu,
            queued,
            spun: super::spin::idle(),
        }
    }

    /// What the thread did from `self` to `later`.
    pub(super) fn until(&self, later: &Sample) -> Busy {
        Busy {
            wall: later.at.saturating_duration_since(self.at),
            on_cpu: later.on_cpu.saturating_sub(self.on_cpu),
            queued: later.queued.saturating_sub(self.queued),
            spun: later.spun.saturating_sub(self.spun),
        }
    }
}

/// One client thread's activity over the measured window.
#[derive(Clone, Copy, Debug, Default)]
pub struct Busy {
    /// Wall-clock time between the two samples.
    pub wall: Duration,
    /// Time on a CPU.
    pub on_cpu: Duration,
    /// Time runnable but waiting for a CPU.
    pub queued: Duration,
    /// Time spent spinning with nothing to do (counted in `on_cpu` and `queued` by the
    /// scheduler, taken out of the busy share).
    pub spun: Duration,
}

impl Busy {
    /// The share of the wall time the thread was runnable (on a CPU or queued) and not
    /// spinning idle, 0 to 1.
    pub fn share(&self) -> f64 {
        if self.wall.is_zero() {
            return 0.0;
        }
        let working = (self.on_cpu + self.queued).saturating_sub(self.spun);
        (working.as_secs_f64() / self.wall.as_secs_f64()).min(1.0)
    }
}

/// `(on CPU, waiting on a run queue)` from `/proc/thread-self/schedstat`.
fn schedstat() -> Option<(Duration, Duration)> {
    let s = procfs::process::Schedstat::from_file("/proc/thread-self/schedstat").ok()?;
    Some((
        Duration::from_nanos(s.sum_exec_runtime),
        Duration::from_nanos(s.run_delay),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spinning_thread_is_busy() {
        let first = Sample::now();
        let until = Instant::now() + Duration::from_millis(30);
        while Instant::now() < until {
            std::hint::spin_loop();
        }
        let busy = first.until(&Sample::now());
        assert!(busy.share() > 0.5, "{busy:?}");
        assert!(busy.wall >= Duration::from_millis(30));
        if std::path::Path::new("/proc/thread-self/schedstat").exists() {
            let (on_cpu, _queued) = schedstat().expect("procfs parses schedstat");
            assert!(on_cpu > Duration::ZERO);
        }
    }

    #[test]
    fn idle_spinning_is_not_busy() {
        let busy = Busy {
            wall: Duration::from_millis(100),
            on_cpu: Duration::from_millis(90),
            queued: Duration::from_millis(10),
            spun: Duration::from_millis(70),
        };
        assert!((busy.share() - 0.3).abs() < 1e-9, "{}", busy.share());
        let more_spun_than_run = Busy {
            spun: Duration::from_millis(200),
            ..busy
        };
        assert_eq!(more_spun_than_run.share(), 0.0);
    }
}
