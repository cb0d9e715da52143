//! Precise open-loop pacing: one `timerfd` per client thread, armed a little before the
//! earliest planned send, then a short yielding spin to the planned instant.
//!
//! tokio's timer has a 1 ms granularity: a send planned inside that millisecond leaves
//! up to 1 ms late, and that lateness is the generator's, not the server's. A `timerfd`
//! is an hrtimer (nanosecond resolution, no timer slack applied), and it is just another
//! file descriptor for the thread's tokio reactor, so the thread still sleeps in
//! `epoll_wait` between sends and burns no CPU. Waking a sleeping thread takes time
//! (3–10 µs on bare metal, 20–40 µs in the virtual machine this was written on), so the
//! timer fires a little early and the waiting connection spins the rest of the way by
//! yielding to the thread's other tasks (no syscall, no blocking: the other connections
//! of the thread run between two checks of the clock).
//!
//! How early is learnt: [`Spin`] tracks a high quantile of the timer's wake-up lateness
//! (only [`LATE_SHARE`] of wake-ups come later) and fires the timer that much early,
//! within [`MIN_SPIN`]..[`MAX_SPIN`]. A mean plus a few deviations (as TCP estimates its
//! retransmission timeout) would not do: on a virtual machine most wake-ups take
//! 10–30 µs and a few in a hundred take 100 µs or more, and those rare ones would be
//! the lag's p99. So the CPU spent spinning per send is the machine's wake-up latency
//! at that quantile, and no more; it is counted as idle spinning, not as busy time.
//!
//! One timer per thread, not per connection: 10,000 connections must not cost 10,000
//! more descriptors. Connections waiting for their planned send sit in a heap ordered by
//! deadline; [`Pacer::run`] is the task that arms the timer for the earliest and wakes
//! whoever is due.

use std::cell::RefCell;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::future::{poll_fn, Future};
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
use tokio::io::unix::AsyncFd;

use super::spin::Turn;

/// The least a timer fires early.
const MIN_SPIN: Duration = Duration::from_micros(2);
/// The most a timer fires early, so that a stalled machine cannot make the pacer spin
/// for long; sends then leave late, and their lag says so.
const MAX_SPIN: Duration = Duration::from_micros(200);
/// The first estimate, before any wake-up was measured: the most. The estimate comes
/// down by about a tenth of a percent per wake-up (in the warm-up, at any useful
/// rate), while one that started low would climb only as fast as late wake-ups come,
/// and the first measured sends would leave late.
const FIRST_SPIN: Duration = MAX_SPIN;
/// The share of wake-ups allowed to come later than the spin: 1 in 200, so that late
/// wake-ups stay well clear of the lag's p99.
const LATE_SHARE: f64 = 0.005;
/// A wake-up later than the estimate raises it by this factor. One earlier than the
/// estimate lowers it by `1 + GROWTH × LATE_SHARE / (1 - LATE_SHARE)`, so that the
/// estimate settles where [`LATE_SHARE`] of the wake-ups exceed it.
const GROWTH: f64 = 0.2;

/// How early to fire the timer: a running estimate of the upper [`LATE_SHARE`]
/// quantile of the measured wake-up lateness.
///
/// It is a stochastic-approximation quantile estimator, stepped in proportion to the
/// estimate (so it adapts as fast at 5 µs as at 100 µs): constant memory and work per
/// wake-up, and it follows a machine whose latency drifts. At rest it wanders within
/// about [`GROWTH`] above the quantile.
#[derive(Clone, Copy, Debug)]
struct Spin {
    quantile_ns: f64,
    /// Wake-ups learnt from.
    observed: u64,
}

impl Spin {
    fn new() -> Spin {
        Spin {
            quantile_ns: FIRST_SPIN.as_nanos() as f64,
            observed: 0,
        }
    }

    /// Learns from one wake-up `late` after the timer's expiry.
    fn observe(&mut self, late: Duration) {
        self.observed += 1;
        let factor = if late.as_nanos() as f64 > self.quantile_ns {
            1.0 + GROWTH
        } else {
            1.0 / (1.0 + GROWTH * LATE_SHARE / (1.0 - LATE_SHARE))
        };
        let (lo, hi) = (MIN_SPIN.as_nanos() as f64, MAX_SPIN.as_nanos() as f64);
        self.quantile_ns = (self.quantile_ns * factor).clamp(lo, hi);
    }

    fn get(&self) -> Duration {
        Duration::from_nanos(self.quantile_ns as u64)
    }
}

/// The thread's timer slack, in nanoseconds: the kernel may delay the thread's other
/// timed waits (`epoll_wait` timeouts) by this much; its default is 50 µs.
const TIMER_SLACK_NS: u64 = 1_000;

/// Lowers the calling thread's timer slack (best effort: a failure only costs
/// precision of `epoll_wait` timeouts, not of the `timerfd`).
pub(super) fn lower_timer_slack() {
    let _ = nix::sys::prctl::set_timerslack(TIMER_SLACK_NS);
}

/// A connection waiting for its planned send.
#[derive(Debug)]
struct Waiter {
    at: Instant,
    waker: Waker,
}

impl PartialEq for Waiter {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}

impl Eq for Waiter {}

impl PartialOrd for Waiter {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiter {
    fn cmp(&self, other: &Self) -> Ordering {
        self.at.cmp(&other.at)
    }
}

#[derive(Debug)]
struct State {
    waiting: BinaryHeap<Reverse<Waiter>>,
    spin: Spin,
    /// The [`Pacer::run`] task, to re-arm the timer for an earlier deadline.
    driver: Option<Waker>,
}

/// The `timerfd`, as tokio's [`AsyncFd`] wants it.
#[derive(Debug)]
struct Timer(TimerFd);

impl AsRawFd for Timer {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

/// A client thread's pacer (cheap to clone; `!Send`, like the thread's tasks).
#[derive(Clone, Debug)]
pub(super) struct Pacer {
    state: Rc<RefCell<State>>,
    timer: Rc<AsyncFd<Timer>>,
}

impl Pacer {
    /// A pacer on a new non-blocking monotonic `timerfd`, registered with the current
    /// tokio runtime.
    ///
    /// # Errors
    ///
    /// If the timer cannot be created or registered (out of descriptors).
    pub(super) fn new() -> io::Result<Pacer> {
        let fd = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )?;
        // `AsyncFd::new` is deprecated because a `T: AsRawFd` in general may close or
        // swap its descriptor while registered. `Timer` owns its `timerfd` and returns
        // the same descriptor until it is dropped, after deregistration: the condition
        // of the (unsafe) `AsyncFd::register` holds, and this crate forbids `unsafe`.
        #[allow(deprecated)]
        let timer = AsyncFd::new(Timer(fd))?;
        Ok(Pacer {
            state: Rc::new(RefCell::new(State {
                waiting: BinaryHeap::new(),
                spin: Spin::new(),
                driver: None,
            })),
            timer: Rc::new(timer),
        })
    }

    /// Completes at `at`, within a few microseconds after it.
    pub(super) fn until(&self, at: Instant) -> Until<'_> {
        Until {
            pacer: self,
            at,
            registered: false,
            turn: None,
        }
    }

    /// Drives the timer forever: run it as a task next to the connections.
    pub(super) async fn run(self) {
        // The armed expiry, and the spin it was armed with.
        let mut armed: Option<(Instant, Duration)> = None;
        poll_fn(|cx| {
            let mut st = self.state.borrow_mut();
            st.driver = Some(cx.waker().clone());
            loop {
                // First the timer: an expiry is consumed and learnt from as soon as it
                // fires, whether or not its waiters are already due by the clock.
                // The waiters of a timer that fired are due now, even if the estimate
                // shrank when it learnt from this wake-up: waiting a few nanoseconds
                // more would cost a second wake-up, late.
                let mut fired = Duration::ZERO;
                if let Some((at, armed_spin)) = armed {
                    match self.timer.poll_read_ready(cx) {
                        Poll::Pending => {}
                        Poll::Ready(Ok(mut guard)) => {
                            guard.clear_ready();
                            // EAGAIN if the readiness was stale (the timer was re-armed
                            // since): still armed.
                            if self.timer.get_ref().0.wait().is_ok() {
                                st.spin
                                    .observe(Instant::now().saturating_duration_since(at));
                                fired = armed_spin;
                                armed = None;
                            }
                        }
                        Poll::Ready(Err(_)) => {
                            // The reactor lost the timer: wake everyone (they spin,
                            // still on time).
                            while let Some(Reverse(w)) = st.waiting.pop() {
                                w.waker.wake();
                            }
                            return Poll::<()>::Pending;
                        }
                    }
                }
                let now = Instant::now();
                let spin = st.spin.get();
                let due_by = now + spin.max(fired);
                while let Some(Reverse(w)) = st.waiting.peek() {
                    if w.at > due_by {
                        break;
                    }
                    if let Some(Reverse(w)) = st.waiting.pop() {
                        w.waker.wake();
                    }
                }
                let Some(Reverse(next)) = st.waiting.peek() else {
                    return Poll::Pending;
                };
                let fire = next.at - spin;
                if armed.map(|(at, _)| at) != Some(fire) {
                    let after = TimeSpec::from_duration(fire - now);
                    let set = self
                        .timer
                        .get_ref()
                        .0
                        .set(Expiration::OneShot(after), TimerSetTimeFlags::empty());
                    if set.is_err() {
                        // Cannot happen for a valid descriptor and a positive time; fall
                        // back to waking everyone (they spin, still on time).
                        while let Some(Reverse(w)) = st.waiting.pop() {
                            w.waker.wake();
                        }
                        return Poll::Pending;
                    }
                    armed = Some((fire, spin));
                    // Loop: the readiness of an earlier expiry may be stale.
                    continue;
                }
                if self.timer.poll_read_ready(cx).is_pending() {
                    return Poll::Pending;
                }
            }
        })
        .await
    }
}

/// The future of [`Pacer::until`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub(super) struct Until<'a> {
    pacer: &'a Pacer,
    at: Instant,
    registered: bool,
    /// The last turn of the final spin, to count the idle part of it.
    turn: Option<Turn>,
}

impl Future for Until<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let now = Instant::now();
        if now >= self.at {
            return Poll::Ready(());
        }
        // Registered and polled again: the pacer woke this waiter because its spin
        // began (it left the heap then, so it must not wait for another wake-up, even
        // if the spin estimate has shrunk since).
        let spinning = self.turn.is_some()
            || self.registered
            || self.at - now <= self.pacer.state.borrow().spin.get();
        if spinning {
            // The last microseconds: yield, so the thread's other connections run, and
            // look at the clock again. The turns with nothing else to do are idle, not
            // busy (see `spin`).
            self.turn = Some(self.turn.map_or_else(Turn::first, Turn::next));
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.registered = true;
        let mut st = self.pacer.state.borrow_mut();
        let earliest = st.waiting.peek().is_none_or(|Reverse(w)| self.at < w.at);
        st.waiting.push(Reverse(Waiter {
            at: self.at,
            waker: cx.waker().clone(),
        }));
        if earliest {
            if let Some(driver) = &st.driver {
                driver.wake_by_ref();
            }
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spin_learns_the_wake_up_latency() {
        let mut spin = Spin::new();
        for _ in 0..5_000 {
            spin.observe(Duration::from_micros(10));
        }
        let learnt = spin.get();
        assert!(
            learnt >= Duration::from_micros(10) && learnt <= Duration::from_micros(13),
            "{learnt:?}"
        );
        for _ in 0..100 {
            spin.observe(Duration::from_secs(1));
        }
        assert_eq!(spin.get(), MAX_SPIN);
        for _ in 0..10_000 {
            spin.observe(Duration::ZERO);
        }
        assert_eq!(spin.get(), MIN_SPIN);
    }

    /// Every timer expiry is learnt from, also when its waiter is already due by the
    /// clock when the pacer runs (it once was not: the pacer woke the waiter, found no
    /// other, and left the expiry unread, so the estimate never moved).
    #[test]
    fn every_wake_up_is_learnt_from() {
        const SENDS: u64 = 20;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let local = tokio::task::LocalSet::new();
        let pacer = local
            .block_on(&rt, async { Pacer::new() })
            .expect("timerfd");
        let observed = local.block_on(&rt, async {
            let driver = tokio::task::spawn_local(pacer.clone().run());
            for _ in 0..SENDS {
                // Far enough ahead that the timer is armed (more than the spin).
                let at = Instant::now() + MAX_SPIN + Duration::from_millis(1);
                pacer.until(at).await;
                assert!(Instant::now() >= at);
            }
            // The last expiry may still be unread; give the pacer a turn.
            tokio::task::yield_now().await;
            driver.abort();
            pacer.state.borrow().spin.observed
        });
        assert!(
            observed >= SENDS - 1,
            "{observed} of {SENDS} wake-ups learnt from"
        );
    }

    /// The spin learnt from wake-ups of 10 µs, every `every`-th one of 100 µs.
    fn learnt_with_rare_late_wake_ups(every: usize) -> Duration {
        let mut spin = Spin::new();
        for i in 1..=20_500 {
            let late = if i % every == 0 { 100 } else { 10 };
            spin.observe(Duration::from_micros(late));
        }
        spin.get()
    }

    #[test]
    fn spin_covers_late_wake_ups_more_frequent_than_its_share() {
        // 1 in 50 late (2%, above the 0.5% share): those are what the lag's p99 would
        // see, so the spin covers them.
        let learnt = learnt_with_rare_late_wake_ups(50);
        assert!(learnt >= Duration::from_micros(80), "{learnt:?}");
        // 1 in 1,000 late (0.1%): not worth spinning for on every send.
        let learnt = learnt_with_rare_late_wake_ups(1_000);
        assert!(learnt <= Duration::from_micros(15), "{learnt:?}");
    }
}
