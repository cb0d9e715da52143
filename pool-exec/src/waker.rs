//! [`TaskWaker`]: the waker of one task, usable from any thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Wake;

use crate::current;
use crate::inbox::Inbox;

/// The shared header of one task, opaque outside this crate; a `std::task::Waker` is an `Arc` of it.
///
/// Waking on the owning worker's thread pushes the task onto that executor's local run
/// queue; waking from any other thread pushes it onto the worker's [`Inbox`], which
/// interrupts the worker's poll if it is asleep.
#[derive(Debug)]
pub struct TaskWaker {
    /// The task's key in its executor's slab.
    pub(crate) key: usize,
    /// `true` while the task sits in a run queue or inbox, or once it has finished;
    /// a wake only schedules the task when it flips this from `false` to `true`, so a
    /// task is queued at most once at a time.
    pub(crate) queued: AtomicBool,
    /// The inbox of the worker that owns the task.
    pub(crate) inbox: Arc<Inbox>,
}

impl TaskWaker {
    pub(crate) fn new(key: usize, inbox: Arc<Inbox>) -> Arc<Self> {
        Arc::new(TaskWaker {
            key,
            queued: AtomicBool::new(true),
            inbox,
        })
    }

    /// Marks the task as taken off its queue, about to be polled: a wake from now on
    /// queues it again.
    pub(crate) fn unqueue(&self) {
        self.queued.store(false, Ordering::SeqCst);
    }

    /// Marks the task as finished: wakes from now on do nothing.
    pub(crate) fn retire(&self) {
        self.queued.store(true, Ordering::SeqCst);
    }

    fn schedule(self: Arc<Self>) {
        if let Err(this) = current::push_local(self) {
            let inbox = Arc::clone(&this.inbox);
            inbox.push_wake(this);
        }
    }
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        if !self.queued.swap(true, Ordering::SeqCst) {
            self.schedule();
        }
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::SeqCst) {
            Arc::clone(self).schedule();
        }
    }
}
