//! Which pool worker, if any, the current thread is.

use std::any::TypeId;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::lifecycle::Lifecycle;

/// Identifies one pool instance, unique within the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PoolId(u64);

impl PoolId {
    /// A fresh id.
    pub fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        PoolId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// What a worker thread knows about itself. Backends that implement
/// [`Runtime`](crate::Runtime) directly set it with [`WorkerContext::enter`] on each of
/// their threads (make it with [`Lifecycle::context`]); [`Pool`](crate::Pool) does it
/// for per-thread backends.
#[derive(Clone, Debug)]
pub struct WorkerContext {
    /// The pool this thread belongs to.
    pub pool: PoolId,
    /// `TypeId` of the [`Runtime`](crate::Runtime) type that owns the thread.
    pub runtime: TypeId,
    /// The worker index, where the runtime has a fixed one per thread.
    pub index: Option<usize>,
    /// The pool's shared state, for local spawns.
    pub lifecycle: Arc<Lifecycle>,
}

thread_local! {
    static CURRENT: RefCell<Option<WorkerContext>> = const { RefCell::new(None) };
}

impl WorkerContext {
    /// Marks the calling thread as this worker until the thread ends or the guard drops.
    pub fn enter(self) -> ContextGuard {
        CURRENT.with(|c| *c.borrow_mut() = Some(self));
        ContextGuard { _private: () }
    }

    /// The context of the calling thread, if it is a pool worker.
    pub fn current() -> Option<WorkerContext> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// The context of the calling thread if it is a worker of runtime type `R`.
    pub fn current_for<R: 'static>() -> Option<WorkerContext> {
        Self::current().filter(|c| c.runtime == TypeId::of::<R>())
    }

    /// Whether the calling thread is a worker of pool `pool`.
    pub fn is_in(pool: PoolId) -> bool {
        CURRENT.with(|c| c.borrow().as_ref().is_some_and(|c| c.pool == pool))
    }

    /// Whether the calling thread is a worker of any pool.
    pub fn is_worker() -> bool {
        CURRENT.with(|c| c.borrow().is_some())
    }
}

/// Clears the calling thread's [`WorkerContext`] when dropped.
#[derive(Debug)]
#[must_use = "the context is cleared when the guard drops"]
pub struct ContextGuard {
    _private: (),
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        // Ignore the error: at thread exit the thread-local may already be gone.
        let _ = CURRENT.try_with(|c| c.borrow_mut().take());
    }
}

/// The panic message of [`Runtime::block_on`](crate::Runtime::block_on) called from a
/// worker. Exposed so tests and direct implementations use the same words.
pub const BLOCK_ON_IN_WORKER: &str = "block_on called from inside a pool worker: it would block that worker's event loop; \
     spawn the future or .await it instead";

/// The panic message of [`Runtime::shutdown_on_idle`](crate::Runtime::shutdown_on_idle)
/// and [`Runtime::shutdown_timeout`](crate::Runtime::shutdown_timeout) called from one of
/// the pool's own workers.
pub const SHUTDOWN_ON_IDLE_IN_WORKER: &str = "shutdown_on_idle or shutdown_timeout called from one of the pool's own workers: \
     it would wait for itself; call shutdown_now or drop the pool instead";
