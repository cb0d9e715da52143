//! The stall detector: a watchdog thread that reports task polls running past a
//! threshold. See [`Builder::stall_detector`](crate::Builder::stall_detector).

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::config::{PoolConfig, StallHook};
use crate::counters::PollSighting;
use crate::lifecycle::Lifecycle;

/// One task poll that has run past the stall threshold, as given to the
/// [`on_stall`](crate::Builder::on_stall) hook.
///
/// Each stalled poll is reported once, while it is still running, and counted in
/// [`WorkerMetrics::stalls`](crate::WorkerMetrics::stalls).
///
/// There is no user-space backtrace of the stalled thread: taking one from another
/// thread means interrupting it with a signal and unwinding its stack inside the
/// signal handler, and std's unwinder and symboliser allocate and take locks, which a
/// signal handler must not do (the stalled thread may hold the allocator's lock). What
/// the OS can tell safely from outside is in [`thread_state`](StallReport::thread_state).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StallReport {
    /// The worker index (0-based).
    pub worker: usize,
    /// The worker thread's name.
    pub thread_name: String,
    /// How long the watchdog has seen the poll running: at least the threshold. The
    /// poll started at most one look (a quarter of the threshold, plus the watchdog's
    /// own scheduling delay) before it was first seen, so it has run at least this
    /// long, and at most that much longer. The worker reads no clock for the detector:
    /// it only counts poll starts and ends, which keeps the detector's cost per poll
    /// to two plain stores.
    pub elapsed: Duration,
    /// The threshold it passed.
    pub threshold: Duration,
    /// Where the OS has it (Linux, from `/proc/<pid>/task/<tid>/stat` and `wchan`):
    /// the thread's scheduler state and the kernel function it waits in, such as
    /// `"S (sleeping) in hrtimer_nanosleep"` for a task that called
    /// `std::thread::sleep`, or `"R (running)"` for one that computes. `None` where the
    /// OS does not say.
    pub thread_state: Option<String>,
}

impl fmt::Display for StallReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "iopool: stall: a task poll on worker {} ({}) has run for {:?} (threshold {:?})",
            self.worker, self.thread_name, self.elapsed, self.threshold
        )?;
        if let Some(state) = &self.thread_state {
            write!(f, "; thread state {state}")?;
        }
        Ok(())
    }
}

/// The default [`on_stall`](crate::Builder::on_stall) hook: one line on stderr.
fn print_report(report: &StallReport) {
    eprintln!("{report}");
}

/// The state line of the thread whose `/proc` directory is `dir`, if readable.
fn thread_state(dir: &Path) -> Option<String> {
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    // `tid (comm) S ...`: comm may hold spaces and parentheses; the state follows the
    // last ')'.
    let state = stat.rsplit_once(')')?.1.split_whitespace().next()?;
    let name = match state {
        "R" => "running",
        "S" => "sleeping",
        "D" => "disk sleep",
        "T" | "t" => "stopped",
        "Z" => "zombie",
        _ => "other",
    };
    let mut line = format!("{state} ({name})");
    let wchan = std::fs::read_to_string(dir.join("wchan")).unwrap_or_default();
    let wchan = wchan.trim();
    if !wchan.is_empty() && wchan != "0" {
        line.push_str(" in ");
        line.push_str(wchan);
    }
    Some(line)
}

/// The watchdog thread of one pool, and how to stop it.
pub(crate) struct Watchdog {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    /// Starts the watchdog if `config` asks for a stall detector.
    ///
    /// # Errors
    ///
    /// The OS error if its thread cannot be spawned.
    pub(crate) fn start(
        config: &PoolConfig,
        lifecycle: &Arc<Lifecycle>,
    ) -> std::io::Result<Option<Watchdog>> {
        let Some(threshold) = config.stall_threshold else {
            return Ok(None);
        };
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let scan = Scan {
            lifecycle: Arc::clone(lifecycle),
            threshold,
            hook: config.on_stall.clone(),
            names: (0..config.pool_size)
                .map(|i| config.thread_name(i))
                .collect(),
        };
        let thread = thread::Builder::new()
            .name(format!("{}watchdog", config.name_prefix))
            .spawn({
                let stop = Arc::clone(&stop);
                move || scan.run(&stop)
            })?;
        Ok(Some(Watchdog {
            stop,
            thread: Some(thread),
        }))
    }

    /// Stops the watchdog and joins it (unless called from the watchdog itself: a hook
    /// that drops the pool).
    pub(crate) fn stop(&mut self) {
        *self.stop.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.stop.1.notify_all();
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != thread::current().id()
        {
            let _ = thread.join();
        }
    }
}

impl fmt::Debug for Watchdog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watchdog").finish_non_exhaustive()
    }
}

/// What the watchdog thread owns.
struct Scan {
    lifecycle: Arc<Lifecycle>,
    threshold: Duration,
    hook: Option<StallHook>,
    names: Vec<String>,
}

impl Scan {
    /// Looks at every worker's poll in progress four times per threshold, until told
    /// to stop.
    fn run(self, stop: &(Mutex<bool>, Condvar)) {
        let tick = (self.threshold / 4).max(Duration::from_micros(100));
        let mut last = vec![PollSighting::default(); self.lifecycle.counters().len()];
        let mut stopped = stop.0.lock().unwrap_or_else(|e| e.into_inner());
        while !*stopped {
            stopped = stop
                .1
                .wait_timeout(stopped, tick)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            if *stopped {
                break;
            }
            self.look(&mut last);
        }
    }

    fn look(&self, last: &mut [PollSighting]) {
        let now = Instant::now();
        for (worker, counters) in self.lifecycle.counters().iter().enumerate() {
            let Some(elapsed) = counters.check_stall(now, self.threshold, &mut last[worker]) else {
                continue;
            };
            let report = StallReport {
                worker,
                thread_name: self.names[worker].clone(),
                elapsed,
                threshold: self.threshold,
                thread_state: counters.proc_dir().and_then(|dir| thread_state(dir)),
            };
            let hook = self.hook.as_deref().unwrap_or(&print_report);
            if catch_unwind(AssertUnwindSafe(|| hook(&report))).is_err() {
                eprintln!("iopool: the on_stall hook panicked; the stall detector goes on");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::thread_state;

    #[test]
    fn thread_state_of_this_thread_is_running() {
        let Ok(dir) = std::fs::read_link("/proc/thread-self") else {
            return; // not Linux: nothing to read
        };
        let state = thread_state(&std::path::Path::new("/proc").join(dir)).unwrap();
        assert!(state.starts_with("R (running)"), "{state}");
    }
}
