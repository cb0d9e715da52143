//! [`Inbox`]: how other threads reach a worker (spawns, wakes, stop), and the
//! sleep/unpark handshake that lets the worker block in its poll without missing them.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use pool_core::backend::Task;

use crate::waker::Runnable;

/// Interrupts a worker blocked in its poll: backend-mio's `mio::Waker`, backend-uring's
/// eventfd read on the ring; a counter in the executor's unit tests.
///
/// # Implementing
///
/// `unpark` may be called from any thread, at any time, also after the worker has
/// exited (then it should do nothing); it must make the worker's current blocking
/// wait return, or its next one return at once.
pub trait Unpark: Send + Sync + 'static {
    /// Makes the worker's current or next blocking poll return.
    fn unpark(&self);
}

/// What other threads have queued for the worker since it last looked.
#[derive(Debug, Default)]
pub struct Batch {
    /// Tasks to spawn.
    pub(crate) tasks: Vec<Task>,
    /// Tasks spawned already allocated (by [`ExecRemote`](crate::ExecRemote)), to queue.
    pub(crate) spawns: Vec<Runnable>,
    /// Tasks woken from other threads.
    pub(crate) wakes: Vec<Runnable>,
}

impl Batch {
    pub(crate) fn is_empty(&self) -> bool {
        self.tasks.is_empty() && self.spawns.is_empty() && self.wakes.is_empty()
    }

    fn len(&self) -> usize {
        self.tasks.len() + self.spawns.len() + self.wakes.len()
    }
}

#[derive(Debug, Default)]
struct Queue {
    batch: Batch,
    /// Set by `stop`: the worker is leaving; refuse new spawns and wakes.
    closed: bool,
}

/// The remote queue of one worker.
///
/// # The sleep handshake
///
/// Before blocking, the worker sets `sleeping` and then looks into the queue under its
/// lock ([`prepare_sleep`](Inbox::prepare_sleep)); a remote pushes under the lock and
/// then clears `sleeping`, unparking the worker if it was set. Whichever of the two
/// takes the lock second sees the other's write, so either the worker sees the item or
/// the remote unparks it: no wake-up is lost, and a busy worker costs remotes no syscall.
pub struct Inbox {
    queue: Mutex<Queue>,
    /// Whether the queue holds anything: set by pushes and cleared by `take`, both
    /// under the lock, so that a spinning worker can watch it without the lock.
    queued: AtomicBool,
    sleeping: AtomicBool,
    stopping: AtomicBool,
    unpark: Box<dyn Unpark>,
}

impl Inbox {
    /// A new, open inbox that interrupts its worker's wait with `unpark`.
    pub fn new(unpark: Box<dyn Unpark>) -> Arc<Self> {
        Arc::new(Inbox {
            queue: Mutex::default(),
            queued: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            unpark,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Nothing panics while holding the lock; recover anyway rather than cascade.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn notify(&self) {
        if self.sleeping.swap(false, Ordering::SeqCst) {
            self.unpark.unpark();
        }
    }

    /// Queues a task to spawn, or gives it back if the worker is stopping.
    pub fn submit(&self, task: Task) -> Result<(), Task> {
        {
            let mut queue = self.lock();
            if queue.closed {
                return Err(task);
            }
            queue.batch.tasks.push(task);
            self.queued.store(true, Ordering::Release);
        }
        self.notify();
        Ok(())
    }

    /// Queues a task allocated by the spawner, or gives it back if the worker is
    /// stopping.
    pub(crate) fn submit_runnable(&self, runnable: Runnable) -> Result<(), Runnable> {
        {
            let mut queue = self.lock();
            if queue.closed {
                return Err(runnable);
            }
            queue.batch.spawns.push(runnable);
            self.queued.store(true, Ordering::Release);
        }
        self.notify();
        Ok(())
    }

    /// Queues a wake from another thread, also once the worker is stopping: the
    /// worker's [`Executor::shutdown`](crate::Executor::shutdown) then drops the task
    /// on the worker's thread (a `!Send` task may be dropped nowhere else). A wake that
    /// arrives after the shutdown has ended stays here, never run.
    pub(crate) fn push_wake(&self, runnable: Runnable) {
        self.lock().batch.wakes.push(runnable);
        self.queued.store(true, Ordering::Release);
        self.notify();
    }

    /// Asks the worker to stop at its next yield. Idempotent.
    pub fn stop(&self) {
        self.lock().closed = true;
        self.stopping.store(true, Ordering::SeqCst);
        self.sleeping.store(false, Ordering::SeqCst);
        self.unpark.unpark();
    }

    /// Whether [`stop`](Inbox::stop) has been called.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// Swaps the queued items into `into`, which must be empty (its allocations are
    /// reused for the next batch).
    pub(crate) fn take(&self, into: &mut Batch) {
        debug_assert!(into.is_empty());
        let mut queue = self.lock();
        if !queue.batch.is_empty() {
            std::mem::swap(&mut queue.batch, into);
        }
        self.queued.store(false, Ordering::Release);
    }

    /// Whether spawns or wakes are queued, without taking the lock.
    pub fn has_queued(&self) -> bool {
        self.queued.load(Ordering::Acquire)
    }

    /// The number of spawns and wakes queued, for metrics (takes the lock).
    pub fn len(&self) -> usize {
        self.lock().batch.len()
    }

    /// Whether nothing is queued (takes the lock).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Announces that the worker is about to block. Returns `false`, with the
    /// announcement withdrawn, if something is already queued or a stop was asked.
    pub fn prepare_sleep(&self) -> bool {
        self.sleeping.store(true, Ordering::SeqCst);
        let idle = {
            let queue = self.lock();
            !queue.closed && queue.batch.is_empty()
        };
        if !idle {
            self.sleeping.store(false, Ordering::SeqCst);
        }
        idle
    }

    /// The worker is awake again: remotes need not unpark it.
    pub fn awake(&self) {
        self.sleeping.store(false, Ordering::SeqCst);
    }

    /// Refuses everything from now on and returns what was still queued, for the
    /// worker to drop (outside the lock).
    pub fn close(&self) -> Batch {
        let mut queue = self.lock();
        queue.closed = true;
        self.stopping.store(true, Ordering::SeqCst);
        std::mem::take(&mut queue.batch)
    }
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("sleeping", &self.sleeping.load(Ordering::Relaxed))
            .field("stopping", &self.stopping.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}
