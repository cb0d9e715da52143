//! Time: `sleep`, `sleep_until` and `timeout` on every backend.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

use futures::executor::block_on;
use nix::time::{ClockId, clock_gettime};

use super::support::pool;
use crate::Runtime;
use crate::time::TIME_OUTSIDE_WORKER;

/// The sleep of [`sleep_is_never_early_and_on_time_when_idle`].
const SLEEP: Duration = Duration::from_millis(10);
/// How late such a sleep may be, at the median, on an idle worker: tokio's timer
/// wheel rounds up to the next millisecond, and a parked thread takes tens of
/// microseconds to wake; the rest is an allowance for a shared machine. With a CPU hog
/// on each core, the woken worker waits for a CPU: medians of 20 ms measured (sleeps of
/// 11 to 41 ms). A timer that fires on a coarse tick, or only when other work wakes the
/// worker, is still late by far more.
const LATE: Duration = Duration::from_millis(40);

fn thread_cpu_time() -> Duration {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map(Duration::from)
        .expect("CLOCK_THREAD_CPUTIME_ID")
}

/// Sleeps with different deadlines wake in deadline order.
///
/// The deadlines are 50 ms apart: two sleeps that expire in one turn of the timer are
/// woken together, and tokio's multi-thread runtime then runs the last woken first (its
/// LIFO slot). A worker kept off its CPU for 10 ms by a CPU hog did that with 10 ms
/// apart ([10, 30, 20] measured).
pub fn sleeps_wake_in_deadline_order<R: Runtime>() {
    let pool: R = pool(1);
    let order = pool.block_on(async {
        let woke = Arc::new(Mutex::new(Vec::new()));
        let start = Instant::now();
        let tasks: Vec<_> = [150u64, 50, 100]
            .into_iter()
            .map(|ms| {
                let woke = Arc::clone(&woke);
                R::spawn_child(async move {
                    R::sleep_until(start + Duration::from_millis(ms)).await;
                    woke.lock().unwrap().push(ms);
                })
                .unwrap()
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        woke.lock().unwrap().clone()
    });
    assert_eq!(order, [50, 100, 150]);
    pool.shutdown_on_idle();
}

/// `sleep(10 ms)` never returns early; on an idle worker it returns within 10 + 5 ms
/// (median of 5), and the worker burns no CPU meanwhile (no busy waiting: under 20% of
/// the time slept).
pub fn sleep_is_never_early_and_on_time_when_idle<R: Runtime>() {
    let pool: R = pool(1);
    let (mut waited, cpu) = pool.block_on(async {
        let mut waited = Vec::new();
        let cpu_before = thread_cpu_time();
        for _ in 0..5 {
            let start = Instant::now();
            R::sleep(SLEEP).await;
            waited.push(start.elapsed());
        }
        // One worker: this task ran on the same thread throughout.
        (waited, thread_cpu_time() - cpu_before)
    });
    pool.shutdown_on_idle();
    eprintln!(
        "time [{}] sleep({SLEEP:?}): {waited:?}, worker CPU {cpu:?}",
        R::NAME
    );
    assert!(
        waited.iter().all(|w| *w >= SLEEP),
        "a sleep returned early: {waited:?}"
    );
    waited.sort_unstable();
    assert!(
        waited[waited.len() / 2] <= SLEEP + LATE,
        "sleeps are late: {waited:?}"
    );
    let slept: Duration = waited.iter().sum();
    assert!(
        cpu < slept / 5,
        "the worker used {cpu:?} of CPU over {slept:?} of sleep: busy waiting"
    );
}

/// `timeout` gives the output of a future that completes in time, and
/// [`Elapsed`](crate::time::Elapsed) for one that does not (then dropping it).
pub fn timeout_fires_and_does_not<R: Runtime>() {
    let pool: R = pool(1);
    let (quick, slow, waited) = pool.block_on(async {
        let quick = R::timeout(Duration::from_secs(30), async { 5 }).await;
        let start = Instant::now();
        let slow = R::timeout(Duration::from_millis(5), std::future::pending::<()>()).await;
        (quick, slow, start.elapsed())
    });
    assert_eq!(quick, Ok(5));
    assert!(slow.is_err());
    assert!(
        waited >= Duration::from_millis(5),
        "fired early: {waited:?}"
    );
    pool.shutdown_on_idle();
}

/// Counts wakes; its strong count tells whether a timer still holds a clone.
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A dropped sleep is cancelled: the timer lets go of its waker and never wakes it.
pub fn dropped_sleep_is_cancelled<R: Runtime>() {
    let pool: R = pool(1);
    let (wakes, holders) = pool.block_on(async {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&counter));
        {
            let mut sleep = pin!(R::sleep(Duration::from_millis(5)));
            let first = sleep.as_mut().poll(&mut Context::from_waker(&waker));
            assert!(first.is_pending());
        }
        drop(waker);
        // Past the dropped sleep's deadline.
        R::sleep(Duration::from_millis(20)).await;
        (
            counter.0.load(Ordering::SeqCst),
            Arc::strong_count(&counter),
        )
    });
    assert_eq!(wakes, 0, "a dropped sleep woke its task");
    assert_eq!(
        holders, 1,
        "the timer still holds the dropped sleep's waker"
    );
    pool.shutdown_on_idle();
}

/// 100,000 timers on one worker (10,000 in debug builds, where tokio's timer takes
/// about 140 µs per timer: 14 s for 100,000) all fire, none early; their deadlines
/// spread over 50 ms.
pub fn many_timers_on_one_worker<R: Runtime>() {
    const TIMERS: u64 = if cfg!(debug_assertions) {
        10_000
    } else {
        100_000
    };
    let pool: R = pool(1);
    let on_time = pool.block_on(async {
        let start = Instant::now();
        let sleeps = (0..TIMERS).map(|i| {
            let deadline = start + Duration::from_micros(i * 50_000 / TIMERS);
            async move {
                R::sleep_until(deadline).await;
                Instant::now() >= deadline
            }
        });
        futures::future::join_all(sleeps).await
    });
    assert_eq!(on_time.len() as u64, TIMERS);
    assert!(on_time.iter().all(|ok| *ok), "a timer fired early");
    pool.shutdown_on_idle();
}

/// A sleep polled outside every worker panics with
/// [`TIME_OUTSIDE_WORKER`] rather than hanging.
pub fn sleep_outside_worker_panics<R: Runtime>() {
    let sleep = R::sleep(Duration::from_secs(60));
    let result = catch_unwind(AssertUnwindSafe(|| block_on(sleep)));
    let payload = result.expect_err("a sleep polled off the pool did not panic");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    assert!(
        message.contains(TIME_OUTSIDE_WORKER),
        "unexpected panic message: {message}"
    );
}
