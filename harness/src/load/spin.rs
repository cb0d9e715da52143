//! Client threads that spin instead of sleeping (`--client-spin`), and the accounting
//! that keeps a spinning thread from looking busy.
//!
//! A client thread that sleeps in `epoll_wait` between echoes pays a wake-up for each:
//! tens of microseconds on a virtual machine whose idle CPU must be woken by its host.
//! That cost lands in every measured latency, whatever the server does, and can hide
//! the server's own wake-up, which is what a park policy changes. [`spin`] is a task
//! that never sleeps: it yields to the runtime at once each time it runs, and a tokio
//! runtime with a yielded task polls its reactor without blocking. So the thread keeps
//! polling, and an echo is seen as soon as it arrives.
//!
//! Spinning keeps the thread on its CPU all the time, so the scheduler counts it as
//! busy, and the client-bound check ([`super::busy`]) would flag every run. The time a
//! spinner spends with nothing to do is counted apart: between two of its turns, if no
//! connection did any work ([`worked`]), the whole gap was idle polling. Turns of
//! several spinners on one thread (the client spinner, the pacer's last-microseconds
//! spin) overlap; each instant is counted once.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// How many turns a spinner takes between two `sched_yield`s: a spinning thread must
/// not keep another thread that shares its CPU waiting (a runnable thread on the same
/// CPU gets it at the next yield; on a CPU of its own the yield returns at once).
const TURNS_PER_OS_YIELD: u32 = 16;

thread_local! {
    /// Units of work the connections of this thread did (sends and receives).
    static WORK: Cell<u64> = const { Cell::new(0) };
    /// Idle spinning counted so far on this thread.
    static IDLE: Cell<Duration> = const { Cell::new(Duration::ZERO) };
    /// Up to when idle spinning has been counted, so that overlapping turns of several
    /// spinners count each instant once.
    static COUNTED_TO: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Notes that a connection of this thread did work (sent or received).
pub(super) fn worked() {
    WORK.with(|w| w.set(w.get() + 1));
}

/// The idle spinning counted on this thread so far.
pub(super) fn idle() -> Duration {
    IDLE.with(Cell::get)
}

/// One turn of a spinner: when it yielded, and the work count then.
#[derive(Clone, Copy, Debug)]
pub(super) struct Turn {
    at: Instant,
    work: u64,
}

impl Turn {
    /// A spinner's first turn, now.
    pub(super) fn first() -> Turn {
        Turn {
            at: Instant::now(),
            work: WORK.with(Cell::get),
        }
    }

    /// The spinner's next turn, now: if no connection worked since `self`, the time
    /// since (less what another spinner already counted) was idle.
    pub(super) fn next(self) -> Turn {
        let now = Instant::now();
        let work = WORK.with(Cell::get);
        let counted_to = COUNTED_TO.with(|c| c.replace(Some(now)));
        if work == self.work {
            let from = counted_to.map_or(self.at, |c| c.max(self.at));
            let gap = now.saturating_duration_since(from);
            IDLE.with(|idle| idle.set(idle.get() + gap));
        }
        Turn { at: now, work }
    }
}

/// Spins until dropped: run it as a task beside the connections (and abort it at the
/// end). Each turn yields to the runtime, so the connections run and the reactor is
/// polled without blocking, and hints the CPU that this is a spin.
pub(super) async fn spin() {
    let mut turn = Turn::first();
    let mut turns: u32 = 0;
    loop {
        tokio::task::yield_now().await;
        turn = turn.next();
        turns = turns.wrapping_add(1);
        if turns.is_multiple_of(TURNS_PER_OS_YIELD) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a fresh thread, whose counters start at zero.
    fn on_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::spawn(f).join().unwrap()
    }

    fn wait(d: Duration) {
        let until = Instant::now() + d;
        while Instant::now() < until {
            std::hint::spin_loop();
        }
    }

    #[test]
    fn turns_with_no_work_are_idle_and_turns_with_work_are_not() {
        let (idle_only, with_work) = on_thread(|| {
            let turn = Turn::first();
            wait(Duration::from_millis(5));
            let turn = turn.next();
            let idle_only = idle();
            wait(Duration::from_millis(5));
            worked();
            let _ = turn.next();
            (idle_only, idle() - idle_only)
        });
        assert!(idle_only >= Duration::from_millis(5), "{idle_only:?}");
        assert_eq!(with_work, Duration::ZERO);
    }

    #[test]
    fn overlapping_spinners_count_each_instant_once() {
        let idle = on_thread(|| {
            let start = Instant::now();
            let a = Turn::first();
            let b = Turn::first();
            wait(Duration::from_millis(5));
            let _ = a.next();
            let _ = b.next();
            (idle(), start.elapsed())
        });
        assert!(idle.0 <= idle.1, "counted {:?} of {:?}", idle.0, idle.1);
        assert!(idle.0 >= Duration::from_millis(5), "{:?}", idle.0);
    }

    #[test]
    fn the_spinner_keeps_polling_and_counts_its_idle_time() {
        let (idle, elapsed, echoed) = on_thread(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let local = tokio::task::LocalSet::new();
            local.block_on(&rt, async {
                let start = Instant::now();
                let spinner = tokio::task::spawn_local(spin());
                // A channel message from another thread is seen while spinning.
                let (tx, rx) = tokio::sync::oneshot::channel();
                std::thread::spawn(move || {
                    wait(Duration::from_millis(20));
                    tx.send(()).unwrap();
                });
                let echoed = rx.await.is_ok();
                spinner.abort();
                (super::idle(), start.elapsed(), echoed)
            })
        });
        assert!(echoed);
        // Nothing but the spinner ran: nearly all of the 20 ms was idle spinning.
        assert!(idle >= Duration::from_millis(15), "{idle:?} of {elapsed:?}");
        assert!(idle <= elapsed, "{idle:?} of {elapsed:?}");
    }
}
