//! [`Executor`]: the run queue of one worker, and the tasks it has started.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::task::Waker;

use pool_core::backend::{async_task, LocalFuture};
use slab::Slab;

use crate::coop;
use crate::inbox::{Batch, Inbox};
use crate::waker::{schedule, Entry, Runnable};

/// The single-threaded executor of one worker.
///
/// A task is one allocation (an async-task cell holding the future, its output and its
/// join waker; see `waker.rs`). The run queue holds the tasks to poll; a task is in it
/// at most once at a time. A task that has been polled once is also in the set of
/// started tasks, through a `Waker`, so that [`shutdown`](Executor::shutdown) can reach
/// (and drop) the tasks that wait for a wake-up; it leaves the set when its future is
/// dropped.
///
/// Tasks that spent their cooperative budget wait in a separate *deferred* list, which
/// the worker moves to the back of the run queue only after its next reactor turn
/// ([`wake_deferred`](Executor::wake_deferred)), so that I/O and timers always run
/// between two budgets of the same task.
pub struct Executor {
    /// Queued tasks; `true` marks a spawn not yet polled.
    run_queue: RefCell<VecDeque<(Runnable, bool)>>,
    /// The spawns in the run queue not yet polled.
    fresh: Cell<usize>,
    started: RefCell<Slab<Waker>>,
    deferred: RefCell<Vec<Waker>>,
    inbox: Arc<Inbox>,
}

impl Executor {
    /// An executor with no tasks, reached from other threads through `inbox`.
    pub fn new(inbox: Arc<Inbox>) -> Self {
        Executor {
            run_queue: RefCell::new(VecDeque::new()),
            fresh: Cell::new(0),
            started: RefCell::new(Slab::new()),
            deferred: RefCell::new(Vec::new()),
            inbox,
        }
    }

    /// This executor's inbox.
    #[cfg(test)]
    pub(crate) fn inbox(&self) -> &Arc<Inbox> {
        &self.inbox
    }

    /// The schedule function of this executor's tasks.
    fn scheduler(&self) -> impl Fn(Runnable) + Send + Sync + 'static {
        let inbox = Arc::clone(&self.inbox);
        move |runnable| schedule(&inbox, runnable)
    }

    /// Stores `future` as a new task and queues it to run.
    pub fn spawn(&self, future: LocalFuture) {
        self.spawn_local(future).detach();
    }

    /// Stores `future` as a new task (one allocation) and queues it to run; the
    /// returned task gives its output. Call on this executor's thread.
    pub fn spawn_local<F: Future + 'static>(&self, future: F) -> async_task::Task<F::Output> {
        let (runnable, task) = async_task::spawn_local(Entry::new(future), self.scheduler());
        self.push_fresh(runnable);
        task
    }

    /// [`spawn_local`](Executor::spawn_local) for a `Send` future, which then needs no
    /// check of the thread that polls or drops it.
    pub fn spawn_send<F>(&self, future: F) -> async_task::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (runnable, task) = async_task::spawn(Entry::new(future), self.scheduler());
        self.push_fresh(runnable);
        task
    }

    fn push_fresh(&self, runnable: Runnable) {
        self.fresh.set(self.fresh.get() + 1);
        self.run_queue.borrow_mut().push_back((runnable, true));
    }

    /// Queues a task woken on this thread, if it belongs to this executor.
    pub(crate) fn push_local(
        &self,
        inbox: &Arc<Inbox>,
        runnable: Runnable,
    ) -> Result<(), Runnable> {
        if !Arc::ptr_eq(inbox, &self.inbox) {
            return Err(runnable);
        }
        match self.run_queue.try_borrow_mut() {
            Ok(mut queue) => {
                queue.push_back((runnable, false));
                Ok(())
            }
            Err(_) => Err(runnable),
        }
    }

    /// A task's first poll: it enters the set of started tasks. Gives its key and this
    /// executor's mark, or `None` if the set is busy (during shutdown).
    pub(crate) fn enter(&self, waker: &Waker) -> Option<(usize, usize)> {
        let mut started = self.started.try_borrow_mut().ok()?;
        Some((started.insert(waker.clone()), self.mark()))
    }

    /// A started task's future is dropped: it leaves the set, if it is in this
    /// executor's (`owner`).
    pub(crate) fn leave(&self, key: usize, owner: usize) {
        if owner == self.mark() {
            if let Ok(mut started) = self.started.try_borrow_mut() {
                drop(started.try_remove(key));
            }
        }
    }

    /// Tells this executor's tasks from another's.
    fn mark(&self) -> usize {
        Arc::as_ptr(&self.inbox) as usize
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
        for runnable in scratch.spawns.drain(..) {
            self.push_fresh(runnable);
        }
        if !scratch.wakes.is_empty() {
            let mut queue = self.run_queue.borrow_mut();
            queue.extend(scratch.wakes.drain(..).map(|runnable| (runnable, false)));
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
        self.len() == 0
    }

    /// The number of tasks stored: started and not finished, or queued for their
    /// first poll.
    pub fn len(&self) -> usize {
        self.started.borrow().len() + self.fresh.get()
    }

    /// Polls up to `max` queued tasks, stopping early if the run queue empties or a stop
    /// is asked. Returns how many were polled. Tasks deferred meanwhile are not polled
    /// again in this tick.
    pub fn tick(&self, max: usize) -> usize {
        let mut polled = 0;
        while polled < max && !self.inbox.is_stopping() {
            let Some((runnable, fresh)) = self.run_queue.borrow_mut().pop_front() else {
                break;
            };
            if fresh {
                self.fresh.set(self.fresh.get() - 1);
            }
            coop::reset();
            // Pool tasks catch their own panics; this only guards the executor against
            // a future that does not (its task is then closed and dropped).
            let _ = catch_unwind(AssertUnwindSafe(|| runnable.run()));
            polled += 1;
        }
        polled
    }

    /// Drops every task (on this thread) and clears the run queue. Futures dropped here
    /// may spawn or wake others; those are dropped too.
    ///
    /// A started task that waits for a wake-up is woken, which queues it (here, or in
    /// the inbox, which keeps taking wakes after it closed), and then dropped from its
    /// queue: its future is dropped and its join handle reports it cancelled.
    pub fn shutdown(&self) {
        loop {
            let started = std::mem::take(&mut *self.started.borrow_mut());
            let queued = std::mem::take(&mut *self.run_queue.borrow_mut());
            let deferred = std::mem::take(&mut *self.deferred.borrow_mut());
            let mut late = Batch::default();
            self.inbox.take(&mut late);
            self.fresh.set(0);
            if started.is_empty() && queued.is_empty() && deferred.is_empty() && late.is_empty() {
                break;
            }
            for (_, waker) in started {
                waker.wake();
            }
            drop(queued);
            drop(deferred);
            drop(late);
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
            .field("started", &self.started.try_borrow().map(|t| t.len()).ok())
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
