//! Helpers shared by the integration tests.
#![allow(dead_code)] // Each test binary uses a different subset.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use backend_mio::MioPool;
use pool_core::Builder;

/// How long a test waits for an event before failing: a hang guard, never a
/// synchronisation point.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

/// A mio pool of `n` workers.
pub(crate) fn pool(n: usize) -> MioPool {
    Builder::new()
        .pool_size(n)
        .name_prefix("mio-test-")
        .build()
        .expect("build a mio pool")
}

/// Receives from `rx`, failing the test after [`PATIENCE`].
#[track_caller]
pub(crate) fn recv<T>(rx: &mpsc::Receiver<T>, what: &str) -> T {
    rx.recv_timeout(PATIENCE)
        .unwrap_or_else(|e| panic!("waiting for {what}: {e}"))
}

/// Sets a flag when dropped: shows that a task's state was freed.
#[derive(Debug)]
pub(crate) struct DropFlag(pub(crate) Arc<AtomicBool>);

impl DropFlag {
    /// A flag and the guard that sets it.
    pub(crate) fn new() -> (Arc<AtomicBool>, DropFlag) {
        let flag = Arc::new(AtomicBool::new(false));
        (Arc::clone(&flag), DropFlag(flag))
    }
}

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A payload of `len` bytes that differs per `seed`, so crossed streams show up.
pub(crate) fn payload(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ seed ^ (seed >> 8)) as u8)
        .collect()
}

/// The number of open file descriptors of this process.
pub(crate) fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("read /proc/self/fd")
        .count()
}

/// User + system CPU time of the whole process.
pub(crate) fn process_cpu() -> Duration {
    // SAFETY: `getrusage` only writes into the zeroed struct we pass, which is a
    // plain-old-data `rusage` valid for any bit pattern.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}
