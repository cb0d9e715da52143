//! Waking a task from another thread: before, during and after its completion, and a
//! storm of 100,000 cross-thread wakes.

mod support;

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Barrier, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;

use backend_mio::MioPool;
use futures::StreamExt;
use pool_core::{Handle, Runtime};
use support::{pool, recv};

/// Pending until `done`; reports each poll's waker on `wakers`.
struct Gate {
    done: Arc<AtomicBool>,
    wakers: mpsc::Sender<Waker>,
}

impl Future for Gate {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        let _ = self.wakers.send(cx.waker().clone());
        Poll::Pending
    }
}

#[test]
fn wake_before_completion_from_a_foreign_thread() {
    let pool = pool(2);
    let done = Arc::new(AtomicBool::new(false));
    let (wakers_tx, wakers_rx) = mpsc::channel();
    let (finished_tx, finished_rx) = mpsc::channel();
    let gate = Gate {
        done: Arc::clone(&done),
        wakers: wakers_tx,
    };
    pool.spawn(async move {
        gate.await;
        finished_tx.send(()).unwrap();
    })
    .unwrap();
    let waker = recv(&wakers_rx, "the first poll");
    // The worker is idle in epoll_wait by now or soon: the wake must interrupt it.
    thread::spawn(move || {
        done.store(true, Ordering::SeqCst);
        waker.wake();
    })
    .join()
    .unwrap();
    recv(&finished_rx, "the woken task");
    pool.shutdown_on_idle();
}

#[test]
fn wake_during_poll_is_not_lost() {
    let pool = pool(1);
    let (finished_tx, finished_rx) = mpsc::channel();
    pool.spawn(async move {
        let mut polls = 0;
        poll_fn(|cx| {
            polls += 1;
            if polls == 1 {
                // Another thread wakes the task while this poll is still running.
                let waker = cx.waker().clone();
                thread::spawn(move || waker.wake()).join().unwrap();
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
        .await;
        finished_tx.send(polls).unwrap();
    })
    .unwrap();
    assert_eq!(recv(&finished_rx, "the task woken mid-poll"), 2);
    pool.shutdown_on_idle();
}

#[test]
fn wake_after_completion_is_harmless() {
    let pool = pool(1);
    let slot: Arc<Mutex<Option<Waker>>> = Arc::default();
    let s = Arc::clone(&slot);
    pool.block_on(poll_fn(move |cx| {
        *s.lock().unwrap() = Some(cx.waker().clone());
        Poll::Ready(())
    }));
    let stale = slot.lock().unwrap().take().unwrap();
    // Another task takes the freed slot; the stale waker must not disturb the worker.
    let (tx, rx) = mpsc::channel();
    let polls = Arc::new(AtomicUsize::new(0));
    let p = Arc::clone(&polls);
    let (release_tx, release_rx) = futures::channel::oneshot::channel::<()>();
    pool.spawn(async move {
        let mut release = release_rx;
        poll_fn(|cx| {
            p.fetch_add(1, Ordering::SeqCst);
            Pin::new(&mut release).poll(cx)
        })
        .await
        .unwrap();
        tx.send(()).unwrap();
    })
    .unwrap();
    for _ in 0..1000 {
        stale.wake_by_ref();
    }
    thread::spawn(move || stale.wake()).join().unwrap();
    release_tx.send(()).unwrap();
    recv(&rx, "the later task");
    assert!(
        pool.block_on(async { 1 + 1 }) == 2,
        "the worker still serves"
    );
    pool.shutdown_on_idle();
    assert!(
        polls.load(Ordering::SeqCst) <= 3,
        "the stale waker polled another task"
    );
}

#[test]
fn storm_of_100_000_cross_thread_wakes() {
    const WAKES: usize = 100_000;
    const THREADS: usize = 4;
    let pool = pool(2);
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let (wakers_tx, wakers_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    pool.spawn(async move {
        let mut polls = 0usize;
        poll_fn(|cx| {
            polls += 1;
            if seen.load(Ordering::SeqCst) == WAKES {
                return Poll::Ready(());
            }
            if polls == 1 {
                wakers_tx.send(cx.waker().clone()).unwrap();
            }
            Poll::Pending
        })
        .await;
        done_tx.send(polls).unwrap();
    })
    .unwrap();
    let waker: Waker = recv(&wakers_rx, "the first poll");
    let barrier = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (waker, count, barrier) = (waker.clone(), Arc::clone(&count), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                for _ in 0..WAKES / THREADS {
                    count.fetch_add(1, Ordering::SeqCst);
                    waker.wake_by_ref();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let polls = recv(&done_rx, "the task to see every wake");
    assert!((2..=WAKES + 1).contains(&polls), "{polls} polls");
    pool.shutdown_on_idle();
}

#[test]
fn ping_pong_between_workers_50_000_round_trips() {
    // 100,000 wakes, each across threads, each likely to find its worker asleep.
    const ROUND_TRIPS: usize = 50_000;
    let pool: MioPool = pool(2);
    let (to_b, mut b_rx) = futures::channel::mpsc::unbounded::<usize>();
    let (to_a, mut a_rx) = futures::channel::mpsc::unbounded::<usize>();
    let (done_tx, done_rx) = mpsc::channel();
    pool.handle()
        .spawn_on(1, async move {
            while let Some(i) = b_rx.next().await {
                to_a.unbounded_send(i + 1).unwrap();
            }
        })
        .unwrap();
    pool.handle()
        .spawn_on(0, async move {
            let mut n = 0;
            for _ in 0..ROUND_TRIPS {
                to_b.unbounded_send(n).unwrap();
                n = a_rx.next().await.unwrap();
            }
            done_tx.send(n).unwrap();
        })
        .unwrap();
    assert_eq!(recv(&done_rx, "the ping-pong"), ROUND_TRIPS);
    pool.shutdown_on_idle();
}
