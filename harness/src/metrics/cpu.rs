//! CPU time: of this process (`getrusage`), of the calling thread
//! (`CLOCK_THREAD_CPUTIME_ID`), and of named threads (`/proc/self/task/*/stat`).

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
    let tick = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .filter(|t| *t > 0)
        .unwrap_or(100) as f64;
    tasks_named(prefix)
        .into_iter()
        .filter_map(|(name, path, _)| {
            let stat = std::fs::read_to_string(path.join("stat")).ok()?;
            Some((name, parse_stat(&stat, tick)?))
        })
        .collect()
}

/// CPU time (user + system) of this process's threads whose name starts with
/// `prefix`, to the nanosecond, as `(name, time)`, sorted by name: each thread's CPU
/// clock, read from this thread. Empty where `/proc` is not available.
pub fn threads_cpu_named(prefix: &str) -> Vec<(String, Duration)> {
    tasks_named(prefix)
        .into_iter()
        .filter_map(|(name, _, tid)| Some((name, thread_cpu_of(tid)?)))
        .collect()
}

/// The CPU clock of thread `tid` of this process. Linux encodes a thread's CPU clock
/// id as `!tid << 3 | CPUCLOCK_PERTHREAD (4) | CPUCLOCK_SCHED (2)`, as glibc's
/// `pthread_getcpuclockid` does.
fn thread_cpu_of(tid: i32) -> Option<Duration> {
    let id = ClockId::from_raw((!tid << 3) | 6);
    clock_gettime(id).ok().map(Duration::from)
}

/// This process's threads whose name starts with `prefix`: `(name, /proc dir, tid)`,
/// sorted by name.
fn tasks_named(prefix: &str) -> Vec<(String, std::path::PathBuf, i32)> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in dir.flatten() {
        let path = entry.path();
        let Some(tid) = entry.file_name().to_str().and_then(|t| t.parse().ok()) else {
            continue;
        };
        let Ok(name) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        let name = name.trim().to_owned();
        if name.starts_with(prefix) {
            out.push((name, path, tid));
        }
    }
    out.sort_by_key(|a| natural_key(&a.0));
    out
}

/// Sorts `w10` after `w9`.
fn natural_key(name: &str) -> (String, u64) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, num) = name.split_at(name.len() - digits);
    (stem.to_owned(), num.parse().unwrap_or(0))
}

/// Parses utime and stime (fields 14 and 15) of a `/proc/<pid>/stat` line.
fn parse_stat(stat: &str, tick: f64) -> Option<CpuTime> {
    let after_comm = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some(CpuTime {
        user_s: utime / tick,
        sys_s: stime / tick,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_line() {
        let line = "123 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0";
        let t = parse_stat(line, 100.0).unwrap();
        assert_eq!(t.user_s, 2.5);
        assert_eq!(t.sys_s, 0.5);
    }

    #[test]
    fn finds_named_thread() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (up_tx, up) = std::sync::mpsc::channel::<()>();
        let t = std::thread::Builder::new()
            .name("cputest-w1".into())
            .spawn(move || {
                up_tx.send(()).unwrap();
                rx.recv()
            })
            .unwrap();
        up.recv().unwrap();
        let found = threads_named("cputest-w");
        let clocks = threads_cpu_named("cputest-w");
        tx.send(()).unwrap();
        let _ = t.join();
        assert_eq!(found.len(), 1);
        assert_eq!(clocks.len(), 1);
        assert!(clocks[0].1 > Duration::ZERO);
        assert!(thread_time() > Duration::ZERO);
        assert_eq!(natural_key("w10").1, 10);
    }
}
