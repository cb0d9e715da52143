//! The cooperative budget: how many I/O operations one task may complete in one poll
//! before its I/O futures yield, so that one hot connection cannot starve the others.

use std::cell::Cell;
use std::task::{Context, Poll};

/// Operations a task may complete per poll.
pub(crate) const BUDGET: u32 = 128;

const UNLIMITED: u32 = u32::MAX;

thread_local! {
    static LEFT: Cell<u32> = const { Cell::new(UNLIMITED) };
}

/// Gives the task about to be polled a fresh budget.
pub(crate) fn reset() {
    LEFT.with(|l| l.set(BUDGET));
}

/// Lifts the budget (off a worker, or after the worker's loop).
pub(crate) fn unlimited() {
    let _ = LEFT.try_with(|l| l.set(UNLIMITED));
}

/// `Ready` if the task may do one more operation; otherwise schedules it again and
/// returns `Pending`, so the executor runs others first.
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    if LEFT.with(Cell::get) == 0 {
        cx.waker().wake_by_ref();
        Poll::Pending
    } else {
        Poll::Ready(())
    }
}

/// Charges one completed operation to the budget.
pub(crate) fn spend() {
    LEFT.with(|l| {
        let left = l.get();
        if left != UNLIMITED && left > 0 {
            l.set(left - 1);
        }
    });
}
