//! [`Timers`]: the deadlines of one worker's sleeping tasks, in order, in a
//! thread-local the worker enters.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;
use std::time::Instant;

/// A timer's key: its deadline, then a process-wide sequence number, so that timers
/// with equal deadlines fire in the order they were registered and a key never names
/// the timer of another worker.
pub type TimerKey = (Instant, u64);

/// A fresh sequence number for a [`TimerKey`].
pub fn next_seq() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The pending timers of one worker.
#[derive(Debug, Default)]
pub struct Timers {
    pending: BTreeMap<TimerKey, Waker>,
}

impl Timers {
    /// The earliest deadline, if any: the reactor's poll timeout comes from it.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.first_key_value().map(|(key, _)| key.0)
    }

    /// Moves the wakers of every timer due at `now` into `wake`, earliest first.
    pub fn fire(&mut self, now: Instant, wake: &mut Vec<Waker>) {
        while let Some(entry) = self.pending.first_entry() {
            if entry.key().0 > now {
                break;
            }
            wake.push(entry.remove());
        }
    }

    /// Sets the waker of timer `key`, adding the timer if needed.
    fn set(&mut self, key: TimerKey, waker: &Waker) {
        match self.pending.get_mut(&key) {
            Some(w) if w.will_wake(waker) => {}
            Some(w) => w.clone_from(waker),
            None => {
                self.pending.insert(key, waker.clone());
            }
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Timers>> = const { RefCell::new(None) };
}

/// Gives this thread an empty set of timers until the guard drops.
pub fn enter() -> EnterGuard {
    CURRENT.with(|c| *c.borrow_mut() = Some(Timers::default()));
    EnterGuard { _private: () }
}

/// Drops this thread's timers when dropped.
#[derive(Debug)]
pub struct EnterGuard {
    _private: (),
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let timers = CURRENT.try_with(|c| c.borrow_mut().take()).ok().flatten();
        // Dropped outside the borrow: dropping wakers may run arbitrary code.
        drop(timers);
    }
}

/// Calls `f` with this thread's timers; `None` off a worker.
pub fn with<R>(f: impl FnOnce(&mut Timers) -> R) -> Option<R> {
    CURRENT
        .try_with(|c| c.try_borrow_mut().ok()?.as_mut().map(f))
        .ok()
        .flatten()
}

/// Wakes every timer of this thread's worker that is due now. `wake` is scratch space,
/// kept by the caller between calls so that firing allocates nothing; it is left empty.
/// The wakers run after the timers are released, so a woken task may set new ones.
pub fn fire_due(wake: &mut Vec<Waker>) {
    let now = Instant::now();
    with(|t| t.fire(now, wake));
    for waker in wake.drain(..) {
        waker.wake();
    }
}

/// Registers (or refreshes the waker of) timer `key` on this thread's worker.
/// Returns `false` off a worker.
pub fn register(key: TimerKey, waker: &Waker) -> bool {
    with(|t| t.set(key, waker)).is_some()
}

/// Cancels timer `key` if this thread's worker has it.
pub fn cancel(key: TimerKey) {
    let removed = with(|t| t.pending.remove(&key)).flatten();
    drop(removed);
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::task::Wake;
    use std::time::Duration;

    use super::*;

    /// A waker that logs its id when woken.
    struct Logged(Arc<Mutex<Vec<usize>>>, usize);

    impl Wake for Logged {
        fn wake(self: Arc<Self>) {
            self.0.lock().unwrap().push(self.1);
        }
    }

    #[test]
    fn fires_due_timers_in_deadline_order() {
        let _timers = enter();
        let log = Arc::new(Mutex::new(Vec::new()));
        let now = Instant::now();
        let keys: Vec<TimerKey> = [30u64, 10, 20, 10]
            .iter()
            .map(|ms| (now + Duration::from_millis(*ms), next_seq()))
            .collect();
        for (i, key) in keys.iter().enumerate() {
            let waker = Waker::from(Arc::new(Logged(Arc::clone(&log), i)));
            assert!(register(*key, &waker));
        }
        cancel(keys[2]);
        assert_eq!(with(|t| t.next_deadline()).flatten(), Some(keys[1].0));
        let mut wake = Vec::new();
        with(|t| t.fire(now + Duration::from_millis(15), &mut wake));
        with(|t| t.fire(now + Duration::from_millis(40), &mut wake));
        wake.into_iter().for_each(Waker::wake);
        // Equal deadlines fire in registration order; the cancelled timer never fires.
        assert_eq!(*log.lock().unwrap(), [1, 3, 0]);
        assert_eq!(with(|t| t.next_deadline()), Some(None));
    }

    #[test]
    fn off_a_worker_there_are_no_timers() {
        let waker = Waker::from(Arc::new(Logged(Arc::default(), 0)));
        assert!(!register((Instant::now(), next_seq()), &waker));
    }
}
