//! CPU time: of this process (`getrusage`), of the calling thread
//! (`CLOCK_THREAD_CPUTIME_ID`), and of named threads (`/proc/self/task/*/stat`, read by
//! procfs).

use std::ops::Sub;
use std::time::Duration;

use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeValLike;
use nix::time::{clock_gettime, ClockId};
use serde::{Deserialize, Serialize};

/// User and system CPU time, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CpuTime {
    /// Time in user mode.
    pub user_s: f64,
    /// Time in the kernel on the process's behalf.
    pub sys_s: f64,
}

impl CpuTime {
    /// User plus system time.
    pub fn total_s(&self) -> f64 {
        self.user_s + self.sys_s
    }

    /// The CPU time this process has used so far (all its threads).
    ///
    /// ```
    /// let t = harness::metrics::CpuTime::process();
    /// assert!(t.total_s() >= 0.0);
    /// ```
    pub fn process() -> CpuTime {
        match getrusage(UsageWho::RUSAGE_SELF) {
            Ok(u) => CpuTime {
                user_s: u.user_time().num_microseconds() as f64 / 1e6,
                sys_s: u.system_time().num_microseconds() as f64 / 1e6,
            },
            Err(_) => CpuTime::default(),
        }
    }
}

impl Sub for CpuTime {
    type Output = CpuTime;

    fn sub(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user_s: (self.user_s - earlier.user_s).max(0.0),
            sys_s: (self.sys_s - earlier.sys_s).max(0.0),
        }
    }
}

/// The CPU time the calling thread has used so far (user + system, nanosecond clock).
pub fn thread_time() -> Duration {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map(Duration::from)
        .unwrap_or_default()
}

/// CPU times of this process's threads whose name starts with `prefix`, as
/// `(name, time)`, sorted by name. Resolution is the kernel's clock tick (usually
/// 10 ms). Empty where `/proc` is not available.
pub fn threads_named(prefix: &str) -> Vec<(String, CpuTime)> {
    let tick = procfs::ticks_per_second().max(1) as f64;
    let mut out: Vec<(String, CpuTime)> = tasks_named(prefix)
        .into_iter()
        .map(|(stat, _)| {
            let time = CpuTime {
                user_s: stat.utime as f64 / tick,
                sys_s: stat.stime as f64 / tick,
            };
            (stat.comm, time)
        })
        .collect();
    out.sort_by_key(|a| natural_key(&a.0));
    out
}

/// CPU time (user + system) of this process's threads whose name starts with
/// `prefix`, to the nanosecond, as `(name, time)`, sorted by name: each thread's CPU
/// clock, read from this thread. Empty where `/proc` is not available.
pub fn threads_cpu_named(prefix: &str) -> Vec<(String, Duration)> {
    let mut out: Vec<(String, Duration)> = tasks_named(prefix)
        .into_iter()
        .filter_map(|(stat, tid)| Some((stat.comm, thread_cpu_of(tid)?)))
        .collect();
    out.sort_by_key(|a| natural_key(&a.0));
    out
}

/// The CPU clock of thread `tid` of this process. Linux encodes a thread's CPU clock
/// id as `!tid << 3 | CPUCLOCK_PERTHREAD (4) | CPUCLOCK_SCHED (2)`, as glibc's
/// `pthread_getcpuclockid` does.
fn thread_cpu_of(tid: i32) -> Option<Duration> {
    let id = ClockId::from_raw((!tid << 3) | 6);
    clock_gettime(id).ok().map(Duration::from)
}

/// This process's threads whose name starts with `prefix`: their `/proc` stat and tid.
fn tasks_named(prefix: &str) -> Vec<(procfs::process::Stat, i32)> {
    let Ok(tasks) = procfs::process::Process::myself().and_then(|p| p.tasks()) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| Some((task.stat().ok()?, task.tid)))
        .filter(|(stat, _)| stat.comm.starts_with(prefix))
        .collect()
}

/// Sorts `w10` after `w9`.
fn natural_key(name: &str) -> (String, u64) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, num) = name.split_at(name.len() - digits);
    (stem.to_owned(), num.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_named_thread() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (up_tx, up) = std::sync::mpsc::channel::<()>();
        let t = std::thread::Builder::new()
            // Parentheses and a space: the name ends the `stat` line's `(comm)` field early
            // for a naive parser.
            .name("cputest-(w) 1".into())
            .spawn(move || {
                up_tx.send(()).unwrap();
                rx.recv()
            })
            .unwrap();
        up.recv().unwrap();
        let found = threads_named("cputest-");
        let clocks = threads_cpu_named("cputest-");
        tx.send(()).unwrap();
        let _ = t.join();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "cputest-(w) 1");
        assert!(found[0].1.total_s() >= 0.0);
        assert_eq!(clocks.len(), 1);
        assert!(clocks[0].1 > Duration::ZERO);
        assert!(thread_time() > Duration::ZERO);
        assert_eq!(natural_key("w10").1, 10);
    }
}
