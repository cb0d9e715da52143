//! The executor of the worker running on this thread, for local spawns and local
//! wakes.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use crate::scheduler::Executor;
use crate::waker::TaskWaker;

thread_local! {
    static CURRENT: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) };
}

/// Makes `executor` this thread's current one until the guard drops.
pub fn enter(executor: Rc<Executor>) -> EnterGuard {
    let previous = CURRENT.with(|c| c.borrow_mut().replace(executor));
    EnterGuard { previous }
}

/// Restores the previous current executor when dropped.
#[derive(Debug)]
pub struct EnterGuard {
    previous: Option<Rc<Executor>>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| {
            let old = std::mem::replace(&mut *c.borrow_mut(), previous);
            drop(old);
        });
    }
}

/// Calls `f` with this thread's current executor, if any.
pub fn with<R>(f: impl FnOnce(&Executor) -> R) -> Option<R> {
    CURRENT
        .try_with(|c| {
            let current = c.borrow().clone();
            current.map(|e| f(&e))
        })
        .ok()
        .flatten()
}

/// Spawns `fut` on this thread's current executor: `false` (and `fut` dropped) if this
/// thread runs none. What a backend's `Backend::spawn_local` does.
pub fn spawn<F: Future<Output = ()> + 'static>(fut: F) -> bool {
    with(|e| e.spawn(Box::pin(fut))).is_some()
}

/// Pushes a woken task onto this thread's run queue if this thread runs its executor;
/// gives it back otherwise.
pub(crate) fn push_local(waker: Arc<TaskWaker>) -> Result<(), Arc<TaskWaker>> {
    let mut waker = Some(waker);
    let _ = CURRENT.try_with(|c| {
        if let Ok(current) = c.try_borrow() {
            if let Some(executor) = current.as_ref() {
                if let Some(w) = waker.take() {
                    waker = executor.push_local(w).err();
                }
            }
        }
    });
    match waker {
        None => Ok(()),
        Some(w) => Err(w),
    }
}
