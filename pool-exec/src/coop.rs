//! The cooperative budget: how many I/O operations one task may complete in one poll
//! before its I/O futures yield, so that one hot connection cannot starve the others.
//!
//! A task that spends its budget is *deferred*: it runs again only after the worker's
//! next reactor turn (see [`Executor::defer`](crate::Executor::defer)). Re-queueing it
//! at once would not do: the worker would poll it again, for another full budget,
//! before looking at I/O (issue 9: 128 polls × 128 operations between two
//! `epoll_wait`s, tens of milliseconds of delay for every other connection).

use std::cell::Cell;
use std::task::{Context, Poll};

use crate::current;

/// Operations a task may complete per poll. The reasoning is in the crate docs
/// (`## Implementation`).
pub const BUDGET: u32 = 128;

const UNLIMITED: u32 = u32::MAX;

thread_local! {
    static LEFT: Cell<u32> = const { Cell::new(UNLIMITED) };
}

/// Gives the task about to be polled a fresh budget.
pub fn reset() {
    LEFT.with(|l| l.set(BUDGET));
}

/// Lifts the budget (off a worker, or after the worker's loop).
pub fn unlimited() {
    let _ = LEFT.try_with(|l| l.set(UNLIMITED));
}

/// `Ready` if the task may do one more operation; otherwise defers it until after the
/// worker's next reactor turn and returns `Pending`, so the executor runs I/O, timers
/// and the other tasks first.
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    if LEFT.with(Cell::get) == 0 {
        // The budget is only ever finite on a worker, inside a task's poll.
        if current::with(|executor| executor.defer(cx.waker())).is_none() {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    } else {
        Poll::Ready(())
    }
}

/// Charges one completed operation to the budget.
pub fn spend() {
    LEFT.with(|l| {
        let left = l.get();
        if left != UNLIMITED && left > 0 {
            l.set(left - 1);
        }
    });
}
