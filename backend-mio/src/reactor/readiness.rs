//! [`IoState`]: what the reactor knows about one source, readiness and waiting tasks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

/// Readable, or will not block on read.
pub(crate) const READABLE: usize = 1;
/// Writable, or will not block on write.
pub(crate) const WRITABLE: usize = 1 << 1;
/// The peer closed its write half: reads return 0 from now on.
pub(crate) const READ_CLOSED: usize = 1 << 2;
/// Our write half is closed.
pub(crate) const WRITE_CLOSED: usize = 1 << 3;
/// An error is pending on the socket.
pub(crate) const ERROR: usize = 1 << 4;

const READY_BITS: usize = 8;
const READY_MASK: usize = (1 << READY_BITS) - 1;

/// Which half of a source an operation waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Reads and accepts.
    Read,
    /// Writes and connects.
    Write,
}

impl Direction {
    fn mask(self) -> usize {
        match self {
            Direction::Read => READABLE | READ_CLOSED | ERROR,
            Direction::Write => WRITABLE | WRITE_CLOSED | ERROR,
        }
    }
}

/// Readiness observed by [`IoState::poll_ready`], to hand back to
/// [`IoState::clear_readiness`] on `WouldBlock`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReadyEvent {
    tick: usize,
    ready: usize,
}

#[derive(Debug, Default)]
struct Waiters {
    read: Option<Waker>,
    write: Option<Waker>,
    /// Further tasks waiting on the same half (a listener shared by several tasks).
    /// Boxed, and only allocated when needed, so that an [`IoState`] fits one cache
    /// line (a `Vec` inline is 24 bytes; the box is 8).
    #[allow(clippy::box_collection)]
    others: Option<Box<Vec<(Direction, Waker)>>>,
}

/// The reactor's state for one registered source.
///
/// # Invariant
///
/// `readiness` holds the ready bits in its low byte and, above them, a tick that the
/// reactor bumps with every event. Readiness is only ever *added* by events; it is
/// cleared only by an operation that got `WouldBlock` (or a short read or write, see
/// `Registration::poll_io_drained`), and only if no event arrived since that operation
/// read it (same tick). Under edge-triggered notification, where
/// the kernel reports each change once, this is what keeps a wake-up from being lost.
///
/// # Layout
///
/// Aligned to, and no larger than, one 64-byte cache line: the reactor's dispatch and
/// the task's next poll each touch the state once per event, often after the other
/// connections of the batch have evicted it, so it costs one cache miss rather than
/// two (it straddled two lines before).
#[derive(Debug, Default)]
#[repr(C, align(64))]
pub(crate) struct IoState {
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

impl IoState {
    /// Records an event's readiness and moves the wakers it concerns into `wake`.
    pub(crate) fn set_readiness(&self, ready: usize, wake: &mut Vec<Waker>) {
        let _ = self
            .readiness
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |old| {
                let tick = (old >> READY_BITS).wrapping_add(1);
                Some((tick << READY_BITS) | (old & READY_MASK) | ready)
            });
        let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        let read = ready & Direction::Read.mask() != 0;
        let write = ready & Direction::Write.mask() != 0;
        if read {
            wake.extend(waiters.read.take());
        }
        if write {
            wake.extend(waiters.write.take());
        }
        if let Some(others) = waiters.others.as_mut() {
            let (woken, kept): (Vec<_>, Vec<_>) = others.drain(..).partition(|(d, _)| match d {
                Direction::Read => read,
                Direction::Write => write,
            });
            **others = kept;
            wake.extend(woken.into_iter().map(|(_, w)| w));
        }
    }

    fn ready_now(&self, direction: Direction) -> Option<ReadyEvent> {
        let current = self.readiness.load(Ordering::Acquire);
        let ready = current & direction.mask();
        (ready != 0).then_some(ReadyEvent {
            tick: current >> READY_BITS,
            ready,
        })
    }

    /// `Ready` with the readiness of `direction` if there is any; otherwise registers
    /// the task to be woken by the next event for it.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<ReadyEvent> {
        if let Some(event) = self.ready_now(direction) {
            return Poll::Ready(event);
        }
        self.register(cx.waker(), direction);
        // An event may have come in between the check and the registration (only
        // possible if polled off the worker's thread).
        match self.ready_now(direction) {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    fn register(&self, waker: &Waker, direction: Direction) {
        let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        let waiters = &mut *waiters;
        let slot = match direction {
            Direction::Read => &mut waiters.read,
            Direction::Write => &mut waiters.write,
        };
        match slot {
            Some(w) if w.will_wake(waker) => {}
            Some(_) => {
                // Another task already waits on this half: keep both.
                let others = waiters.others.get_or_insert_with(Box::default);
                let known = others
                    .iter()
                    .any(|(d, w)| *d == direction && w.will_wake(waker));
                if !known {
                    others.push((direction, waker.clone()));
                }
            }
            None => *slot = Some(waker.clone()),
        }
    }

    /// Forgets the readiness an operation found stale (it got `WouldBlock`), unless an
    /// event came in since it was observed. Closed and error bits are never cleared.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        let clear = event.ready & (READABLE | WRITABLE);
        let _ = self
            .readiness
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                (current >> READY_BITS == event.tick).then_some(current & !clear)
            });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;
    use std::task::Wake;

    use super::*;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        (Arc::clone(&count), Waker::from(count))
    }

    #[test]
    fn state_fits_one_cache_line() {
        assert_eq!(std::mem::size_of::<IoState>(), 64);
        assert_eq!(std::mem::align_of::<IoState>(), 64);
    }

    #[test]
    fn readiness_survives_a_stale_clear() {
        let io = IoState::default();
        let (count, waker) = waker();
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
        let mut wake = Vec::new();
        io.set_readiness(READABLE, &mut wake);
        assert_eq!(wake.len(), 1);
        wake.drain(..).for_each(Waker::wake);
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        let Poll::Ready(seen) = io.poll_ready(&mut cx, Direction::Read) else {
            panic!("readable")
        };
        // A new event arrives before the operation's WouldBlock is acted on.
        io.set_readiness(READABLE, &mut wake);
        io.clear_readiness(seen);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_ready());
        // Without a new event, the clear takes effect.
        let Poll::Ready(seen) = io.poll_ready(&mut cx, Direction::Read) else {
            panic!("readable")
        };
        io.clear_readiness(seen);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
    }

    #[test]
    fn closed_is_sticky_and_halves_are_separate() {
        let io = IoState::default();
        let (_, waker) = waker();
        let mut cx = Context::from_waker(&waker);
        let mut wake = Vec::new();
        io.set_readiness(READ_CLOSED, &mut wake);
        assert!(io.poll_ready(&mut cx, Direction::Write).is_pending());
        let Poll::Ready(seen) = io.poll_ready(&mut cx, Direction::Read) else {
            panic!("read closed")
        };
        io.clear_readiness(seen);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_ready());
        io.set_readiness(WRITABLE, &mut wake);
        assert_eq!(wake.len(), 1, "the write waiter is woken");
    }

    #[test]
    fn two_tasks_waiting_on_one_half_are_both_woken() {
        let io = IoState::default();
        let (a, wa) = waker();
        let (b, wb) = waker();
        assert!(io
            .poll_ready(&mut Context::from_waker(&wa), Direction::Read)
            .is_pending());
        assert!(io
            .poll_ready(&mut Context::from_waker(&wb), Direction::Read)
            .is_pending());
        let mut wake = Vec::new();
        io.set_readiness(READABLE, &mut wake);
        wake.drain(..).for_each(Waker::wake);
        assert_eq!(a.0.load(Ordering::SeqCst), 1);
        assert_eq!(b.0.load(Ordering::SeqCst), 1);
    }
}
