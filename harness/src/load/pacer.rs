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
//! How early is learnt: [`Spin`] keeps a smoothed mean and deviation of the timer's
//! wake-up lateness (as TCP estimates its retransmission timeout) and fires the timer
//! their sum (mean + 4 deviations) early, within [`MIN_SPIN`]..[`MAX_SPIN`]. So the CPU
//! spent spinning per send is about the machine's wake-up latency, and no more.
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
/// The first estimate, before any wake-up was measured.
const FIRST_SPIN: Duration = Duration::from_micros(50);

/// How early to fire the timer: mean + 4 deviations of the measured wake-up lateness,
/// each smoothed exponentially (gains 1/8 and 1/4, as TCP's RTO estimator).
#[derive(Clone, Copy, Debug)]
struct Spin {
    mean_ns: f64,
    dev_ns: f64,
}

impl Spin {
    fn new() -> Spin {
        Spin {
            mean_ns: FIRST_SPIN.as_nanos() as f64 / 2.0,
            dev_ns: FIRST_SPIN.as_nanos() as f64 / 8.0,
        }
    }

    /// Learns from one wake-up `late` after the timer's expiry.
    fn observe(&mut self, late: Duration) {
        let late = late.min(MAX_SPIN).as_nanos() as f64;
        let err = late - self.mean_ns;
        self.mean_ns += err / 8.0;
        self.dev_ns += (err.abs() - self.dev_ns) / 4.0;
    }

    fn get(&self) -> Duration {
        Duration::from_nanos((self.mean_ns + 4.0 * self.dev_ns) as u64).clamp(MIN_SPIN, MAX_SPIN)
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
        let mut armed: Option<Instant> = None;
        poll_fn(|cx| {
            let mut st = self.state.borrow_mut();
            st.driver = Some(cx.waker().clone());
            loop {
                let now = Instant::now();
                let spin = st.spin.get();
                while let Some(Reverse(w)) = st.waiting.peek() {
                    if w.at > now + spin {
                        break;
                    }
                    if let Some(Reverse(w)) = st.waiting.pop() {
                        w.waker.wake();
                    }
                }
                let Some(Reverse(next)) = st.waiting.peek() else {
                    return Poll::<()>::Pending;
                };
                let fire = next.at - spin;
                if armed != Some(fire) {
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
                    armed = Some(fire);
                }
                match self.timer.poll_read_ready(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(mut guard)) => {
                        guard.clear_ready();
                        // Consume the expiration (EAGAIN if it was not one).
                        if self.timer.get_ref().0.wait().is_ok() {
                            if let Some(fire) = armed {
                                st.spin
                                    .observe(Instant::now().saturating_duration_since(fire));
                            }
                        }
                        armed = None;
                    }
                    Poll::Ready(Err(_)) => {
                        while let Some(Reverse(w)) = st.waiting.pop() {
                            w.waker.wake();
                        }
                        return Poll::Pending;
                    }
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
        if self.at - now <= self.pacer.state.borrow().spin.get() {
            // The last microseconds: yield, so the thread's other connections run, and
            // look at the clock again. The turns with nothing else to do are idle, not
            // busy (see `spin`).
            self.turn = Some(self.turn.map_or_else(Turn::first, Turn::next));
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if !self.registered {
            self.registered = true;
            let mut st = self.pacer.state.borrow_mut();
            let earliest = st.waiting.peek().map_or(true, |Reverse(w)| self.at < w.at);
            st.waiting.push(Reverse(Waiter {
                at: self.at,
                waker: cx.waker().clone(),
            }));
            if earliest {
                if let Some(driver) = &st.driver {
                    driver.wake_by_ref();
                }
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
        for _ in 0..200 {
            spin.observe(Duration::from_micros(10));
        }
        let learnt = spin.get();
        assert!(
            learnt >= Duration::from_micros(9) && learnt <= Duration::from_micros(12),
            "{learnt:?}"
        );
        for _ in 0..200 {
            spin.observe(Duration::from_secs(1));
        }
        assert_eq!(spin.get(), MAX_SPIN);
        for _ in 0..200 {
            spin.observe(Duration::ZERO);
        }
        assert_eq!(spin.get(), MIN_SPIN);
    }
}
