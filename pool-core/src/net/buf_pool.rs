//! The thread's receive buffers for [`PollOwned`](super::poll_owned::PollOwned): a
//! small last-in first-out stack, so that the next receive on any connection reads
//! into the buffer the last one gave back, still in the CPU's cache.

use std::cell::RefCell;

/// Buffers kept per thread: enough for a worker's tasks that hold a lent buffer
/// while they send it, few enough to bound the memory kept (with [`KEPT_MAX_LEN`]).
const KEPT: usize = 16;

/// Larger buffers are freed rather than kept.
const KEPT_MAX_LEN: usize = 64 * 1024;

thread_local! {
    static FREE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer of at least `len` initialised bytes: the one given back last on this
/// thread if there is one, else a new one.
pub(crate) fn take(len: usize) -> Vec<u8> {
    let mut vec = FREE
        .try_with(|free| free.borrow_mut().pop())
        .ok()
        .flatten()
        .unwrap_or_default();
    if vec.len() < len {
        vec.resize(len, 0);
    }
    vec
}

/// Keeps `vec` for the next [`take`] on this thread, or frees it if the stack is full,
/// the buffer large, or the thread exiting.
pub(crate) fn give(vec: Vec<u8>) {
    if vec.is_empty() || vec.len() > KEPT_MAX_LEN {
        return;
    }
    let _ = FREE.try_with(|free| {
        // Not reentrant: nothing here runs user code while the stack is borrowed.
        if let Ok(mut free) = free.try_borrow_mut()
            && free.len() < KEPT
        {
            free.push(vec);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_buffer_given_is_taken_next() {
        let a = take(16);
        let a_ptr = a.as_ptr();
        give(a);
        let b = take(8);
        assert_eq!(b.as_ptr(), a_ptr, "the same memory, reused");
        assert!(b.len() >= 8);
        let c = take(32);
        assert_ne!(c.as_ptr(), a_ptr, "the stack was empty: a new buffer");
        assert_eq!(c.len(), 32);
    }

    #[test]
    fn kept_buffers_are_bounded() {
        let many: Vec<_> = (0..KEPT + 4).map(|_| take(4)).collect();
        many.into_iter().for_each(give);
        assert_eq!(FREE.with(|f| f.borrow().len()), KEPT);
        give(vec![0; KEPT_MAX_LEN + 1]);
        assert!(FREE.with(|f| f.borrow().iter().all(|v| v.len() <= KEPT_MAX_LEN)));
    }
}
