//! Unit tests of the executor and its inbox, without a reactor (they run under Miri).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;

use pool_core::backend::Task;

use crate::inbox::{Batch, Inbox, Unpark};
use crate::scheduler::Executor;
use crate::{coop, current};

#[cfg(not(miri))]
const WAKES: usize = 100_000;
#[cfg(miri)]
const WAKES: usize = 64;

/// Counts unparks instead of writing an eventfd.
#[derive(Default)]
struct Counter(AtomicUsize);

impl Unpark for Arc<Counter> {
    fn unpark(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn executor() -> (Rc<Executor>, Arc<Counter>) {
    let counter = Arc::new(Counter::default());
    let inbox = Inbox::new(Box::new(Arc::clone(&counter)));
    (Rc::new(Executor::new(inbox)), counter)
}

/// Runs the executor until it has no runnable task and nothing in its inbox.
fn run_until_idle(executor: &Executor) {
    let mut batch = Batch::default();
    loop {
        executor.drain_inbox(&mut batch);
        executor.wake_deferred();
        if executor.tick(usize::MAX) == 0 && !executor.has_runnable() {
            executor.drain_inbox(&mut batch);
            if !executor.has_runnable() {
                return;
            }
        }
    }
}

/// A future that is pending until `done` is set, handing its waker to `slot` at each
/// poll and counting polls.
struct Gate {
    done: Arc<AtomicBool>,
    slot: Arc<Mutex<Option<Waker>>>,
    polls: Rc<Cell<usize>>,
}

impl Future for Gate {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.set(self.polls.get() + 1);
        *self.slot.lock().unwrap() = Some(cx.waker().clone());
        if self.done.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// A gate and its handles: the done flag, the last waker, the poll count.
type GateParts = (
    Gate,
    Arc<AtomicBool>,
    Arc<Mutex<Option<Waker>>>,
    Rc<Cell<usize>>,
);

fn gate() -> GateParts {
    let gate = Gate {
        done: Arc::default(),
        slot: Arc::default(),
        polls: Rc::default(),
    };
    let (d, s, p) = (
        Arc::clone(&gate.done),
        Arc::clone(&gate.slot),
        Rc::clone(&gate.polls),
    );
    (gate, d, s, p)
}

#[test]
fn spawned_tasks_run_to_completion() {
    let (executor, _) = executor();
    let ran = Rc::new(Cell::new(0));
    for _ in 0..10 {
        let ran = Rc::clone(&ran);
        executor.spawn(Box::pin(async move { ran.set(ran.get() + 1) }));
    }
    assert_eq!(executor.len(), 10);
    run_until_idle(&executor);
    assert_eq!(ran.get(), 10);
    assert_eq!(executor.len(), 0);
}

#[test]
fn tick_polls_at_most_max_tasks() {
    let (executor, _) = executor();
    for _ in 0..5 {
        executor.spawn(Box::pin(async {}));
    }
    assert_eq!(executor.tick(3), 3);
    assert_eq!(executor.tick(3), 2);
    assert_eq!(executor.tick(3), 0);
}

#[test]
fn a_task_that_spent_its_budget_waits_for_the_reactor_turn() {
    let (executor, _) = executor();
    let _current = current::enter(Rc::clone(&executor));
    let ops = Rc::new(Cell::new(0u32));
    let counted = Rc::clone(&ops);
    // Always-ready I/O, as a socket future does it: ask the budget, then spend it.
    executor.spawn(Box::pin(std::future::poll_fn(move |cx| loop {
        if coop::poll_proceed(cx).is_pending() {
            return Poll::Pending;
        }
        coop::spend();
        counted.set(counted.get() + 1);
        if counted.get() == 3 * coop::BUDGET {
            return Poll::Ready(());
        }
    })));
    assert_eq!(executor.tick(usize::MAX), 1);
    assert_eq!(ops.get(), coop::BUDGET);
    assert!(
        executor.has_runnable(),
        "the task is deferred, not forgotten"
    );
    assert_eq!(
        executor.tick(usize::MAX),
        0,
        "not polled again before the reactor turns"
    );
    executor.wake_deferred();
    assert_eq!(executor.tick(usize::MAX), 1);
    assert_eq!(ops.get(), 2 * coop::BUDGET);
    run_until_idle(&executor);
    assert_eq!(ops.get(), 3 * coop::BUDGET);
    assert_eq!(executor.len(), 0);
    coop::unlimited();
}

#[test]
fn local_wake_requeues_on_the_run_queue() {
    let (executor, counter) = executor();
    let _current = current::enter(Rc::clone(&executor));
    let (gate, done, slot, polls) = gate();
    executor.spawn(Box::pin(gate));
    executor.tick(usize::MAX);
    assert_eq!(polls.get(), 1);
    let waker = slot.lock().unwrap().take().unwrap();
    waker.wake_by_ref();
    waker.wake_by_ref(); // queued once only
    assert!(executor.has_runnable());
    done.store(true, Ordering::SeqCst);
    assert_eq!(executor.tick(usize::MAX), 1);
    assert_eq!(polls.get(), 2);
    assert_eq!(executor.len(), 0);
    assert_eq!(
        counter.0.load(Ordering::SeqCst),
        0,
        "no unpark for a local wake"
    );
}

#[test]
fn wake_from_another_thread_before_completion() {
    let (executor, counter) = executor();
    let _current = current::enter(Rc::clone(&executor));
    let (gate, done, slot, polls) = gate();
    executor.spawn(Box::pin(gate));
    executor.tick(usize::MAX);
    // The worker goes to sleep; the remote wake must unpark it.
    assert!(executor_inbox(&executor).prepare_sleep());
    let waker = slot.lock().unwrap().take().unwrap();
    thread::spawn(move || {
        done.store(true, Ordering::SeqCst);
        waker.wake();
    })
    .join()
    .unwrap();
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    executor_inbox(&executor).awake();
    run_until_idle(&executor);
    assert_eq!(polls.get(), 2);
    assert_eq!(executor.len(), 0);
}

#[test]
fn wake_from_another_thread_during_poll() {
    let (executor, _) = executor();
    let _current = current::enter(Rc::clone(&executor));
    let polls = Rc::new(Cell::new(0));
    let p = Rc::clone(&polls);
    executor.spawn(Box::pin(std::future::poll_fn(move |cx| {
        p.set(p.get() + 1);
        if p.get() == 1 {
            // Woken from elsewhere while this poll is still running.
            let waker = cx.waker().clone();
            thread::spawn(move || waker.wake()).join().unwrap();
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })));
    run_until_idle(&executor);
    assert_eq!(polls.get(), 2, "the wake during the poll was not lost");
    assert_eq!(executor.len(), 0);
}

#[test]
fn wake_after_completion_does_nothing() {
    let (executor, counter) = executor();
    // As on a worker: a task enters the set of started tasks (which shutdown drops)
    // through the current executor. The second task below never finishes, and its
    // waker, in its own future, would keep it alive otherwise.
    let _current = current::enter(Rc::clone(&executor));
    let (first, done, slot, _) = gate();
    done.store(true, Ordering::SeqCst);
    executor.spawn(Box::pin(first));
    run_until_idle(&executor);
    let stale = slot.lock().unwrap().take().unwrap();
    // The freed slot is reused by a new task, which must not be polled by the old
    // task's waker.
    let (second, _, _, polls) = gate();
    executor.spawn(Box::pin(second));
    run_until_idle(&executor);
    assert_eq!(polls.get(), 1);
    thread::spawn(move || stale.wake()).join().unwrap();
    run_until_idle(&executor);
    assert_eq!(polls.get(), 1, "a stale waker polled another task");
    assert_eq!(counter.0.load(Ordering::SeqCst), 0);
}

#[test]
fn storm_of_cross_thread_wakes() {
    const THREADS: usize = 4;
    let (executor, _) = executor();
    let _current = current::enter(Rc::clone(&executor));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let finished = Rc::new(Cell::new(false));
    let f = Rc::clone(&finished);
    let (tx, rx) = std::sync::mpsc::channel::<Waker>();
    executor.spawn(Box::pin(std::future::poll_fn(move |cx| {
        if seen.load(Ordering::SeqCst) == WAKES {
            f.set(true);
            return Poll::Ready(());
        }
        let _ = tx.send(cx.waker().clone());
        Poll::Pending
    })));
    executor.tick(usize::MAX);
    let waker = rx.recv().unwrap();
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
    let mut batch = Batch::default();
    while !finished.get() {
        executor.drain_inbox(&mut batch);
        executor.tick(usize::MAX);
        thread::yield_now();
    }
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(executor.len(), 0);
}

#[test]
fn spawn_from_inside_a_task_stays_local() {
    let (executor, _) = executor();
    let _current = current::enter(Rc::clone(&executor));
    let log = Rc::new(Cell::new(0));
    let l = Rc::clone(&log);
    executor.spawn(Box::pin(async move {
        let child_log = Rc::clone(&l);
        current::with(|e| e.spawn(Box::pin(async move { child_log.set(2) })))
            .expect("inside the executor");
        l.set(1);
    }));
    run_until_idle(&executor);
    assert_eq!(log.get(), 2);
}

#[test]
fn a_panicking_future_does_not_break_the_executor() {
    let (executor, _) = executor();
    let ran = Rc::new(Cell::new(false));
    let r = Rc::clone(&ran);
    executor.spawn(Box::pin(async {
        panic!("deliberate panic in an executor unit test")
    }));
    executor.spawn(Box::pin(async move { r.set(true) }));
    run_until_idle(&executor);
    assert!(ran.get());
    assert_eq!(executor.len(), 0);
}

/// Sets a flag when dropped.
struct Dropped(Rc<Cell<usize>>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
        // A task dropped at shutdown may spawn: that task is dropped too.
        let counter = Rc::clone(&self.0);
        current::with(|e| {
            e.spawn(Box::pin(async move {
                let _late = counter;
                std::future::pending::<()>().await;
            }));
        });
    }
}

#[test]
fn shutdown_drops_every_task() {
    let (executor, _) = executor();
    let _current = current::enter(Rc::clone(&executor));
    let drops = Rc::new(Cell::new(0));
    for _ in 0..3 {
        let guard = Dropped(Rc::clone(&drops));
        executor.spawn(Box::pin(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
    }
    run_until_idle(&executor);
    executor.shutdown();
    assert_eq!(drops.get(), 3);
    assert_eq!(executor.len(), 0);
    assert_eq!(Rc::strong_count(&drops), 1, "late spawns were dropped too");
}

#[test]
fn inbox_refuses_after_stop_and_close_hands_back_the_queue() {
    let (executor, counter) = executor();
    let inbox = executor_inbox(&executor);
    assert!(inbox.submit(Task::Ready(Box::pin(async {}))).is_ok());
    assert!(!inbox.prepare_sleep(), "a queued task forbids sleeping");
    inbox.stop();
    assert!(inbox.is_stopping());
    assert_eq!(counter.0.load(Ordering::SeqCst), 1, "stop unparks");
    assert!(inbox.submit(Task::Ready(Box::pin(async {}))).is_err());
    let left = inbox.close();
    assert_eq!(left.tasks.len(), 1);
    assert_eq!(
        executor.tick(usize::MAX),
        0,
        "a stopping executor polls nothing"
    );
}

#[test]
fn remote_submit_unparks_only_a_sleeping_worker() {
    let (executor, counter) = executor();
    let inbox = executor_inbox(&executor);
    assert!(inbox.submit(Task::Ready(Box::pin(async {}))).is_ok());
    assert_eq!(counter.0.load(Ordering::SeqCst), 0, "the worker is awake");
    run_until_idle(&executor);
    assert!(inbox.prepare_sleep());
    let remote = Arc::clone(inbox);
    let ran = Arc::new(AtomicBool::new(false));
    let r = Arc::clone(&ran);
    thread::spawn(move || {
        let built = Task::Build(Box::new(move || {
            Box::pin(async move { r.store(true, Ordering::SeqCst) })
        }));
        remote.submit(built).unwrap();
    })
    .join()
    .unwrap();
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    inbox.awake();
    run_until_idle(&executor);
    assert!(ran.load(Ordering::SeqCst));
}

fn executor_inbox(executor: &Executor) -> &Arc<Inbox> {
    executor.inbox()
}
