//! [`MioWorker`]: one worker's event loop, an executor driven by a mio reactor.

use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pool_core::backend::{Worker, WorkerCounters};
use pool_core::ParkPolicy;
use pool_exec::spin::{self, Polled};
use pool_exec::{coop, current, ExecRemote, Executor, Inbox, WorkerStats, EVENT_INTERVAL};

use pool_exec::time::timers as timer;

use crate::reactor::{registry, Reactor};

/// The event loop of one [`MioPool`](crate::MioPool) worker.
///
/// Each tick it moves what other threads queued into the executor, polls up to
/// 61 runnable tasks, then turns the reactor, with a zero timeout if
/// tasks are still runnable, otherwise blocking until the next timer deadline, fires
/// due timers, and finally re-queues the tasks that spent their cooperative budget
/// during the tick. It owns the thread it runs on; [`Pool`](pool_core::Pool)
/// creates and runs it.
///
/// ```
/// use backend_mio::MioBackend;
/// use pool_core::backend::{Backend, Remote, Worker};
///
/// let worker = MioBackend::new_worker(0, &pool_core::backend::PoolConfig::from_builder(&pool_core::Builder::new()))?;
/// worker.remote().stop();
/// worker.run(); // returns at once: it was told to stop
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct MioWorker {
    executor: Rc<Executor>,
    reactor: Reactor,
    inbox: Arc<Inbox>,
    stats: Arc<WorkerStats>,
    park: ParkPolicy,
}

impl MioWorker {
    pub(crate) fn new(park: ParkPolicy) -> io::Result<Self> {
        let (reactor, waker) = Reactor::new()?;
        let inbox = Inbox::new(Box::new(MioUnpark(waker)));
        Ok(MioWorker {
            executor: Rc::new(Executor::new(Arc::clone(&inbox))),
            reactor,
            inbox,
            stats: Arc::new(WorkerStats::new()),
            park,
        })
    }

    /// How long the reactor may block: not at all if a task is runnable (or deferred),
    /// else until the next timer.
    fn poll_timeout(&self, now: Instant) -> Option<Duration> {
        if self.executor.has_runnable() {
            return Some(Duration::ZERO);
        }
        timer::with(|t| t.next_deadline())
            .flatten()
            .map(|deadline| deadline.saturating_duration_since(now))
    }

    /// Spins as the park policy allows ([`spin::spin`]): polls the reactor without
    /// blocking, and watches the inbox, until there is work (an event, a queued spawn
    /// or wake, a due timer, a stop): then `true`. `false` if the spin window ended
    /// first, or the policy does not spin: the caller parks.
    fn spin(&mut self, timeout: Option<Duration>) -> bool {
        let timer_due = timeout.and_then(|t| Instant::now().checked_add(t));
        let reactor = &mut self.reactor;
        spin::spin(&self.park, &self.inbox, timer_due, || {
            match reactor.turn(Some(Duration::ZERO)) {
                Ok(0) => Polled::Nothing,
                Ok(_) => Polled::Work,
                Err(e) => {
                    eprintln!("backend-mio: epoll_wait failed: {e}");
                    Polled::Failed
                }
            }
        })
    }

    fn turn_reactor(&mut self) {
        let mut timeout = self.poll_timeout(Instant::now());
        if timeout != Some(Duration::ZERO) && self.spin(timeout) {
            return;
        }
        if self.park != ParkPolicy::Immediate {
            // The spin took time: the next timer is nearer now.
            timeout = self.poll_timeout(Instant::now());
        }
        let parked = timeout != Some(Duration::ZERO) && self.inbox.prepare_sleep();
        if !parked {
            timeout = Some(Duration::ZERO);
        }
        let parked_at = parked.then(Instant::now);
        if parked {
            self.stats.parking();
            WorkerCounters::parking();
        }
        if let Err(e) = self.reactor.turn(timeout) {
            // epoll_wait only fails on a bad descriptor or memory fault: a bug.
            eprintln!("backend-mio: epoll_wait failed: {e}");
        }
        if let Some(parked_at) = parked_at {
            WorkerCounters::unparked();
            self.inbox.awake();
            self.stats.parks.record_park(parked_at.elapsed());
        }
    }

    /// Drops, on this thread, everything the worker still holds: queued spawns and
    /// wakes first (so nothing new arrives), then every task.
    fn shut_down(&self) {
        drop(self.inbox.close());
        self.executor.shutdown();
    }
}

impl Worker for MioWorker {
    type Remote = ExecRemote;

    fn remote(&self) -> ExecRemote {
        ExecRemote::new(Arc::clone(&self.inbox), Arc::clone(&self.stats))
    }

    fn run(mut self) {
        let _executor = current::enter(Rc::clone(&self.executor));
        let _registry = registry::enter(Arc::clone(self.reactor.registry()));
        let _timers = timer::enter();
        let mut batch = Default::default();
        let mut wake = Vec::new();
        loop {
            self.executor.drain_inbox(&mut batch);
            if self.inbox.is_stopping() {
                break;
            }
            self.executor.tick(EVENT_INTERVAL);
            self.stats.set_run_queue(self.executor.runnable());
            if self.inbox.is_stopping() {
                break;
            }
            self.turn_reactor();
            timer::fire_due(&mut wake);
            // Only now: what the reactor and the timers woke runs first.
            self.executor.wake_deferred();
        }
        // Tasks are dropped while this worker is still current: their sockets
        // deregister and their timers cancel here.
        self.shut_down();
        coop::unlimited();
    }
}

/// Unparks a worker blocked in `epoll_wait` by writing its `mio::Waker` (an eventfd).
struct MioUnpark(mio::Waker);

impl pool_exec::Unpark for MioUnpark {
    fn unpark(&self) {
        // Only fails if the eventfd is gone, that is, if the worker has exited.
        let _ = self.0.wake();
    }
}

impl Drop for MioWorker {
    fn drop(&mut self) {
        // A worker that never ran (a failed start) still frees what was queued.
        self.shut_down();
    }
}
