//! The task of a worker's `LocalSet` that runs pool-exec's [`Executor`]: the tasks
//! spawned through the worker's [`Inbox`], each one allocation with its join state.

use std::rc::Rc;
use std::sync::Arc;

use pool_exec::{current, Batch, Executor, Inbox, Unpark};
use tokio::sync::Notify;

/// The tasks polled between two returns to tokio, which then runs its I/O driver,
/// timers and the `LocalSet`'s own tasks (children, `spawn_local`).
const BUDGET: usize = 61;

/// Wakes the driver when the inbox sees it asleep. A `Notify` keeps a permit when
/// nobody waits, so a wake between the announcement of sleep and the wait is kept.
pub(crate) struct NotifyDriver(pub(crate) Arc<Notify>);

impl Unpark for NotifyDriver {
    fn unpark(&self) {
        self.0.notify_one();
    }
}

/// Runs the executor until the inbox is stopped, then drops its tasks.
///
/// The executor is this thread's current one only while it polls (and drops) its
/// tasks: a wake from anywhere else (tokio's I/O driver and timers, the `LocalSet`'s
/// tasks) then goes through the inbox, which wakes this task if it sleeps. A wake
/// during a poll goes straight onto the run queue, which this loop looks at before it
/// sleeps.
pub(crate) async fn run(inbox: Arc<Inbox>, notify: Arc<Notify>) {
    let executor = Rc::new(Executor::new(Arc::clone(&inbox)));
    let mut batch = Batch::default();
    while !inbox.is_stopping() {
        executor.drain_inbox(&mut batch);
        {
            let _current = current::enter(Rc::clone(&executor));
            executor.tick(BUDGET);
        }
        executor.wake_deferred();
        if executor.has_runnable() || inbox.has_queued() {
            tokio::task::yield_now().await;
        } else if inbox.prepare_sleep() {
            notify.notified().await;
            inbox.awake();
        }
    }
    let _current = current::enter(Rc::clone(&executor));
    executor.shutdown();
    drop(inbox.close());
    executor.shutdown();
}
