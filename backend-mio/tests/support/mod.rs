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
