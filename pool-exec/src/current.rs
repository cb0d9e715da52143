//! The executor of the worker running on this thread, for local spawns and local
//! wakes.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use pool_core::backend::{join_cell, LiveTask};
use pool_core::JoinHandle;

use crate::inbox::Inbox;
use crate::scheduler::Executor;
use crate::waker::Runnable;

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
    with(|e| e.spawn_local(fut).detach()).is_some()
}

/// Spawns `fut` as `task` on this thread's current executor, in one allocation with
/// its join state; `None` (and both dropped) if this thread runs none. What a
/// backend's `Backend::spawn_send_task` does.
pub fn spawn_send_task<F>(task: LiveTask, fut: F) -> Option<JoinHandle<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let fut = task.wrap(fut);
    with(|e| join_cell(e.spawn_send(fut)))
}

/// Pushes a woken task of `inbox`'s executor onto this thread's run queue if this
/// thread runs that executor; gives it back otherwise.
pub(crate) fn push_local(inbox: &Arc<Inbox>, runnable: Runnable) -> Result<(), Runnable> {
    let mut runnable = Some(runnable);
    let _ = CURRENT.try_with(|c| {
        if let Ok(current) = c.try_borrow() {
            if let Some(executor) = current.as_ref() {
                if let Some(r) = runnable.take() {
                    runnable = executor.push_local(inbox, r).err();
                }
            }
        }
    });
    match runnable {
        None => Ok(()),
        Some(r) => Err(r),
    }
}
