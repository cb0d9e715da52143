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
    let Ok(tasks) = procfs::process::Process::myself().and_then(|p| p.tasks()) else {
        return Vec::new();
    };
    let mut out: Vec<(String, CpuTime)> = tasks
        .flatten()
        .filter_map(|task| task.stat().ok())
        .filter(|stat| stat.comm.starts_with(prefix))
        .map(|stat| {
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
        tx.send(()).unwrap();
        let _ = t.join();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "cputest-(w) 1");
        assert!(found[0].1.total_s() >= 0.0);
        assert!(thread_time() > Duration::ZERO);
        assert_eq!(natural_key("w10").1, 10);
    }
}
