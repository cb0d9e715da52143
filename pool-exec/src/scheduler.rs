//! [`Executor`]: task storage and the run queue of one worker.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::task::{Context, Waker};

use pool_core::backend::LocalFuture;
use slab::Slab;

use crate::coop;
use crate::inbox::{Batch, Inbox};
use crate::waker::TaskWaker;

/// One stored task. `future` is `None` only while the task is being polled.
struct Slot {
    future: Option<LocalFuture>,
    header: Arc<TaskWaker>,
}

/// The single-threaded executor of one worker.
///
/// Tasks live in a slab; the run queue holds the wakers of the tasks to poll. A task's
/// future is taken out of its slot while it is polled, so the task may spawn (which
/// inserts into the slab) without a `RefCell` conflict. A queued waker whose slot has
/// since been freed or reused by another task is skipped.
///
/// Tasks that spent their cooperative budget wait in a separate *deferred* list, which
/// the worker moves to the back of the run queue only after its next reactor turn
/// ([`wake_deferred`](Executor::wake_deferred)), so that I/O and timers always run
/// between two budgets of the same task.
pub struct Executor {
    tasks: RefCell<Slab<Slot>>,
    run_queue: RefCell<VecDeque<Arc<TaskWaker>>>,
    deferred: RefCell<Vec<Waker>>,
    inbox: Arc<Inbox>,
}

impl Executor {
    /// An executor with no tasks, reached from other threads through `inbox`.
    pub fn new(inbox: Arc<Inbox>) -> Self {
        Executor {
            tasks: RefCell::new(Slab::new()),
            run_queue: RefCell::new(VecDeque::new()),
            deferred: RefCell::new(Vec::new()),
            inbox,
        }
    }

    /// This executor's inbox.
    #[cfg(test)]
    pub(crate) fn inbox(&self) -> &Arc<Inbox> {
        &self.inbox
    }

    /// Stores `future` as a new task and queues it to run.
    pub fn spawn(&self, future: LocalFuture) {
        let header = {
            let mut tasks = self.tasks.borrow_mut();
            let entry = tasks.vacant_entry();
            let header = TaskWaker::new(entry.key(), Arc::clone(&self.inbox));
            entry.insert(Slot {
                future: Some(future),
                header: Arc::clone(&header),
            });
            header
        };
        self.run_queue.borrow_mut().push_back(header);
    }

    /// Queues a task woken on this thread, if it belongs to this executor.
    pub(crate) fn push_local(&self, waker: Arc<TaskWaker>) -> Result<(), Arc<TaskWaker>> {
        if !Arc::ptr_eq(&waker.inbox, &self.inbox) {
            return Err(waker);
        }
        match self.run_queue.try_borrow_mut() {
            Ok(mut queue) => {
                queue.push_back(waker);
                Ok(())
            }
            Err(_) => Err(waker),
        }
    }

    /// Moves what other threads queued into this executor: spawns the tasks (building
    /// `Task::Build` futures here, on the worker) and queues the woken tasks. `scratch`
    /// is an empty batch whose allocations are reused.
    pub fn drain_inbox(&self, scratch: &mut Batch) {
        self.inbox.take(scratch);
        for task in scratch.tasks.drain(..) {
            // A panicking `Task::Build` closure loses only its own task.
            if let Ok(future) = catch_unwind(AssertUnwindSafe(|| task.into_future())) {
                self.spawn(future);
            }
        }
        if !scratch.wakes.is_empty() {
            self.run_queue.borrow_mut().extend(scratch.wakes.drain(..));
        }
    }

    /// Holds `waker` until the next [`wake_deferred`](Executor::wake_deferred): the
    /// task that owns it spent its budget and must not run again before the reactor has
    /// turned.
    pub fn defer(&self, waker: &Waker) {
        let mut deferred = self.deferred.borrow_mut();
        // A task polls several I/O futures in a row: skip the repeats cheaply. Other
        // duplicates are harmless, a task is queued at most once at a time.
        if !deferred.last().is_some_and(|last| last.will_wake(waker)) {
            deferred.push(waker.clone());
        }
    }

    /// Wakes the deferred tasks (after a reactor turn): they go to the back of the run
    /// queue, behind the tasks the reactor and timers just woke.
    pub fn wake_deferred(&self) {
        let deferred = std::mem::take(&mut *self.deferred.borrow_mut());
        for waker in deferred {
            waker.wake();
        }
    }

    /// Whether a task is queued to run, now or after the next reactor turn.
    pub fn has_runnable(&self) -> bool {
        !self.run_queue.borrow().is_empty() || !self.deferred.borrow().is_empty()
    }

    /// The number of tasks queued to run, deferred ones included.
    pub fn runnable(&self) -> usize {
        self.run_queue.borrow().len() + self.deferred.borrow().len()
    }

    /// Whether no task is stored.
    pub fn is_empty(&self) -> bool {
        self.tasks.borrow().is_empty()
    }

    /// The number of tasks stored (running or waiting).
    pub fn len(&self) -> usize {
        self.tasks.borrow().len()
    }

    /// Polls up to `max` queued tasks, stopping early if the run queue empties or a stop
    /// is asked. Returns how many were polled. Tasks deferred meanwhile are not polled
    /// again in this tick.
    pub fn tick(&self, max: usize) -> usize {
        let mut polled = 0;
        while polled < max && !self.inbox.is_stopping() {
            let Some(header) = self.run_queue.borrow_mut().pop_front() else {
                break;
            };
            if self.poll_task(header) {
                polled += 1;
            }
        }
        polled
    }

    /// Polls the task of `header` once; `false` if it no longer exists.
    fn poll_task(&self, header: Arc<TaskWaker>) -> bool {
        let key = header.key;
        let future = match self.tasks.borrow_mut().get_mut(key) {
            Some(slot) if Arc::ptr_eq(&slot.header, &header) => slot.future.take(),
            _ => None,
        };
        let Some(mut future) = future else {
            return false;
        };
        header.unqueue();
        let waker = Waker::from(header);
        let mut cx = Context::from_waker(&waker);
        coop::reset();
        // Pool tasks catch their own panics; this only guards the executor's state
        // against a future that does not.
        let done = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(&mut cx)))
            .map_or(true, |poll| poll.is_ready());
        if done {
            let slot = self.tasks.borrow_mut().remove(key);
            slot.header.retire();
            // Dropped here, outside any borrow: the drop may spawn or wake.
            drop(slot);
            drop(future);
        } else {
            self.tasks.borrow_mut()[key].future = Some(future);
        }
        true
    }

    /// Drops every task (on this thread) and clears the run queue. Futures dropped here
    /// may spawn or wake others; those are dropped too.
    pub fn shutdown(&self) {
        loop {
            let slots: Vec<Slot> = self.tasks.borrow_mut().drain().collect();
            let queued: VecDeque<_> = std::mem::take(&mut *self.run_queue.borrow_mut());
            let deferred = std::mem::take(&mut *self.deferred.borrow_mut());
            if slots.is_empty() && queued.is_empty() && deferred.is_empty() {
                break;
            }
            for slot in &slots {
                slot.header.retire();
            }
            drop(queued);
            drop(deferred);
            drop(slots);
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("tasks", &self.tasks.try_borrow().map(|t| t.len()).ok())
            .field(
                "runnable",
                &self.run_queue.try_borrow().map(|q| q.len()).ok(),
            )
            .field(
                "deferred",
                &self.deferred.try_borrow().map(|d| d.len()).ok(),
            )
            .finish_non_exhaustive()
    }
}
