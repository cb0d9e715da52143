//! [`JoinState`]: a join handle's state in an allocation of its own, for the spawns
//! whose task cannot hold it (a task built later on its worker, as `spawn_pinned`
//! does, or a backend that boxes its tasks).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use atomic_waker::AtomicWaker;

use crate::join::JoinError;

/// The state a task and its [`JoinHandle`](crate::JoinHandle) share.
pub(crate) struct JoinState<T> {
    slot: Mutex<Slot<T>>,
    /// Set once the output (or the error) is in `slot`.
    finished: AtomicBool,
    /// Set by [`JoinHandle::abort`](crate::JoinHandle::abort); the task checks it at
    /// each poll.
    aborted: AtomicBool,
    /// Set when the handle is dropped: the result then has no reader, and the task
    /// drops it without taking the lock.
    detached: AtomicBool,
    /// The task's own waker, for `abort` to make it run (and so end) soon.
    task: AtomicWaker,
}

enum Slot<T> {
    /// Not finished; the waker of whoever awaits the handle.
    Running(Option<Waker>),
    Done(Result<T, JoinError>),
    /// The handle took the output.
    Taken,
}

impl<T> JoinState<T> {
    /// A new shared state, and the second reference for the handle.
    pub(crate) fn new() -> (Arc<Self>, Arc<Self>) {
        let state = Arc::new(JoinState {
            slot: Mutex::new(Slot::Running(None)),
            finished: AtomicBool::new(false),
            aborted: AtomicBool::new(false),
            detached: AtomicBool::new(false),
            task: AtomicWaker::new(),
        });
        (Arc::clone(&state), state)
    }

    fn lock(&self) -> MutexGuard<'_, Slot<T>> {
        // No code panics while holding this lock; recover rather than cascade.
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the task's result, unless one is stored already, and wakes the joiner.
    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        if self.detached.load(Ordering::Acquire) {
            // Nobody will read it: drop it here, on the task's worker.
            self.finished.store(true, Ordering::Release);
            drop(result);
            return;
        }
        let waker = {
            let mut slot = self.lock();
            match &mut *slot {
                Slot::Running(waker) => {
                    let waker = waker.take();
                    *slot = Slot::Done(result);
                    waker
                }
                Slot::Done(_) | Slot::Taken => return,
            }
        };
        self.finished.store(true, Ordering::Release);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Whether [`JoinHandle::abort`](crate::JoinHandle::abort) was called.
    pub(crate) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }

    /// Remembers the task's waker, so that an abort can wake it. Returns `true` if an
    /// abort arrived meanwhile (the caller then ends the task at once).
    pub(crate) fn register_task(&self, waker: &Waker) -> bool {
        self.task.register(waker);
        self.is_aborted()
    }

    /// The handle's abort: flag it, wake the task.
    pub(crate) fn abort(&self) {
        self.aborted.store(true, Ordering::Release);
        self.task.wake();
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// The handle was dropped.
    pub(crate) fn detach(&self) {
        self.detached.store(true, Ordering::Release);
    }

    /// The handle's poll.
    pub(crate) fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
        let mut slot = self.lock();
        match &mut *slot {
            Slot::Running(waker) => {
                match waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => *waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            Slot::Done(_) => match std::mem::replace(&mut *slot, Slot::Taken) {
                Slot::Done(result) => Poll::Ready(result),
                _ => unreachable!("matched Done above"),
            },
            Slot::Taken => panic!("{POLLED_AFTER_OUTPUT}"),
        }
    }
}

/// The panic message of a join handle polled again after it returned.
pub(crate) const POLLED_AFTER_OUTPUT: &str =
    "JoinHandle polled after it returned the task's output";
