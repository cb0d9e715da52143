//! How a task is woken and found again: the schedule function of every task cell, and
//! the [`Entry`] that keeps a started task known to its executor.
//!
//! A task is one async-task cell: the future, its output slot, its join waker and its
//! state flags in one allocation, which its `Waker`s and its
//! [`JoinHandle`](pool_core::JoinHandle) share. The cell queues itself at most once at
//! a time: a wake while it is queued or running only marks it. The schedule function
//! stored in the cell decides where it goes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::current;
use crate::inbox::Inbox;

/// A task ready to be polled: `run` polls it once (or drops it, if it was cancelled).
pub(crate) type Runnable = pool_core::backend::async_task::Runnable;

/// The schedule function of a task owned by the worker of `inbox`: onto that
/// executor's run queue when this thread runs it, else onto the inbox (which unparks
/// the worker if it sleeps).
pub(crate) fn schedule(inbox: &Arc<Inbox>, runnable: Runnable) {
    if let Err(runnable) = current::push_local(inbox, runnable) {
        inbox.push_wake(runnable);
    }
}

pin_project! {
    /// A task's future as its executor runs it. At its first poll it enters its
    /// executor's set of started tasks (which shutdown drops); it leaves when dropped.
    /// A task never polled is always in a queue, where shutdown finds it too.
    pub(crate) struct Entry<F> {
        #[pin]
        fut: F,
        // Its key in the set, and which executor's set (the address of its inbox).
        entered: Option<(usize, usize)>,
    }

    impl<F> PinnedDrop for Entry<F> {
        fn drop(this: Pin<&mut Self>) {
            if let Some((key, owner)) = *this.project().entered {
                current::with(|executor| executor.leave(key, owner));
            }
        }
    }
}

impl<F> Entry<F> {
    pub(crate) fn new(fut: F) -> Self {
        Entry { fut, entered: None }
    }
}

impl<F: Future> Future for Entry<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if this.entered.is_none() {
            *this.entered = current::with(|executor| executor.enter(cx.waker())).flatten();
        }
        this.fut.poll(cx)
    }
}
