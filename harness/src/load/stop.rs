//! [`Stop`]: tells every client thread to stop (Ctrl-C, end of run), and lets the main
//! thread wait for a deadline, a stop, or all threads finishing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

/// A cloneable stop signal shared by the generator's threads.
#[derive(Clone, Debug, Default)]
pub struct Stop {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    stopped: AtomicBool,
    notify: Notify,
    finished: Mutex<usize>,
    changed: Condvar,
}

impl Stop {
    /// A signal not yet raised.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Raises the signal; every waiter wakes.
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
        let _guard = self
            .inner
            .finished
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        self.inner.changed.notify_all();
    }

    /// Whether the signal was raised.
    pub fn is_stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    /// Completes when the signal is raised (from any thread or runtime).
    pub async fn stopped(&self) {
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }

    /// Records that one client thread finished.
    pub(crate) fn thread_finished(&self) {
        let mut finished = self
            .inner
            .finished
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *finished += 1;
        self.inner.changed.notify_all();
    }

    /// Blocks until `deadline`, the signal, or `threads` threads finished, whichever
    /// comes first. Returns `true` if the deadline was reached.
    pub(crate) fn wait_until(&self, deadline: Instant, threads: usize) -> bool {
        let mut finished = self
            .inner
            .finished
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        loop {
            if self.is_stopped() {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            if *finished >= threads {
                return false;
            }
            finished = self
                .inner
                .changed
                .wait_timeout(finished, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}
