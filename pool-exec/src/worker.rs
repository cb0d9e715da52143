//! [`Worker`]: one worker's event loop, this crate's executor driven by any
//! [`Reactor`].

use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use pool_core::backend::{self, WorkerCounters};
use pool_core::ParkPolicy;

use crate::reactor::{Reactor, Wait};
use crate::spin::{self, Polled};
use crate::time::timers;
use crate::EVENT_INTERVAL as K;
use crate::{coop, current, Batch, ExecRemote, Executor, Inbox, Unpark, WorkerStats};

/// The event loop of one worker of a pool built on this crate (`MioPool`,
/// `UringPool`): the executor, its timers and metrics, and the backend's [`Reactor`].
///
/// Each loop turn it
///
/// 1. moves what other threads queued into the executor ([`Executor::drain_inbox`]);
/// 2. polls up to `K` = [`EVENT_INTERVAL`](crate::EVENT_INTERVAL) runnable tasks,
///    calling [`Reactor::flush`] every [`Reactor::FLUSH_EVERY`] of them;
/// 3. turns the reactor: without waiting if a task is still runnable; otherwise it
///    spins as the [`ParkPolicy`] allows (non-blocking turns while watching the inbox),
///    then parks: waits in the reactor until an event, an unpark or its next timer;
/// 4. fires due timers;
/// 5. re-queues the tasks that spent their cooperative budget ([`coop`]), behind what
///    the reactor and the timers woke.
///
/// It stops at the first loop turn after [`Remote::stop`](pool_core::backend::Remote),
/// and drops its tasks on its own thread with the reactor still current.
///
/// Busy time ([`Handle::metrics`](pool_core::Handle::metrics)) is the thread's CPU
/// time, read at the end of every park ([`BusyClock`](pool_core::backend::BusyClock)),
/// so kernel work done inside the reactor's wait counts as busy.
///
/// ```
/// use std::io;
///
/// use pool_core::backend::{Remote, Worker as _};
/// use pool_core::ParkPolicy;
/// use pool_exec::{Reactor, Unpark, Wait, Worker};
///
/// /// A reactor with no I/O: it never blocks.
/// #[derive(Debug)]
/// struct NoIo;
///
/// impl Reactor for NoIo {
///     type Guard = ();
///     const NAME: &'static str = "no-io";
///     fn turn(&mut self, _wait: Wait) -> io::Result<()> {
///         Ok(())
///     }
///     fn enter(&self) {}
/// }
///
/// struct Nobody;
/// impl Unpark for Nobody {
///     fn unpark(&self) {}
/// }
///
/// let worker = Worker::new(ParkPolicy::Immediate, Box::new(Nobody), |_inbox| NoIo);
/// worker.remote().stop();
/// worker.run(); // returns at once: it was told to stop
/// ```
#[derive(Debug)]
pub struct Worker<R: Reactor> {
    executor: Rc<Executor>,
    reactor: R,
    inbox: Arc<Inbox>,
    stats: Arc<WorkerStats>,
    park: ParkPolicy,
}

impl<R: Reactor> Worker<R> {
    /// A worker on the reactor `build` makes from the worker's inbox (a reactor
    /// whose set-up can fail is set up before, and moved in); other threads wake the
    /// reactor through `unpark` when they queue work for it.
    pub fn new(
        park: ParkPolicy,
        unpark: Box<dyn Unpark>,
        build: impl FnOnce(&Arc<Inbox>) -> R,
    ) -> Self {
        let inbox = Inbox::new(unpark);
        Worker {
            executor: Rc::new(Executor::new(Arc::clone(&inbox))),
            reactor: build(&inbox),
            inbox,
            stats: Arc::new(WorkerStats::new()),
            park,
        }
    }

    /// Polls up to `K` tasks, flushing the reactor every [`Reactor::FLUSH_EVERY`].
    fn tick(&mut self) {
        let every = R::FLUSH_EVERY.clamp(1, K);
        let mut polled = 0;
        while polled < K {
            let slice = every.min(K - polled);
            let n = self.executor.tick(slice);
            polled += n;
            if n < slice || polled == K {
                return;
            }
            self.reactor.flush();
        }
    }

    /// One reactor turn, non-blocking unless the worker may park.
    fn turn(&mut self) {
        if self.executor.has_runnable() {
            return self.turn_reactor(Wait::No);
        }
        let deadline = timers::with(|t| t.next_deadline()).flatten();
        if self.spin(deadline) {
            return;
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| d <= now) || !self.inbox.prepare_sleep() {
            return self.turn_reactor(Wait::No);
        }
        // A park in progress counts as parked, not busy (metrics), and as idle for
        // the power-of-two-choices placement.
        self.stats.parking_at(now);
        WorkerCounters::parking();
        self.turn_reactor(Wait::Until(deadline));
        self.inbox.awake();
        WorkerCounters::unparked();
        self.stats.unparked();
    }

    fn turn_reactor(&mut self, wait: Wait) {
        if let Err(e) = self.reactor.turn(wait) {
            eprintln!("{}: reactor turn failed: {e}", R::NAME);
        }
    }

    /// Spins as the park policy allows ([`spin::spin`]): non-blocking reactor turns
    /// while watching the inbox, until there is work (a task woken, a queued spawn or
    /// wake, a due timer, a stop): then `true`. `false` if the spin window ended
    /// first, or the policy does not spin: the caller parks.
    fn spin(&mut self, deadline: Option<Instant>) -> bool {
        let (reactor, executor) = (&mut self.reactor, &self.executor);
        spin::spin(&self.park, &self.inbox, deadline, || {
            match reactor.turn(Wait::No) {
                Ok(()) if executor.has_runnable() => Polled::Work,
                Ok(()) => Polled::Nothing,
                Err(e) => {
                    eprintln!("{}: reactor turn failed: {e}", R::NAME);
                    Polled::Failed
                }
            }
        })
    }

    /// Drops, on this thread, everything the worker still holds: queued spawns and
    /// wakes first (so nothing new arrives), then every task.
    fn shut_down(&self) {
        drop(self.inbox.close());
        self.executor.shutdown();
    }
}

impl<R: Reactor + 'static> backend::Worker for Worker<R> {
    type Remote = ExecRemote;

    fn remote(&self) -> ExecRemote {
        ExecRemote::new(Arc::clone(&self.inbox), Arc::clone(&self.stats))
    }

    fn run(mut self) {
        let _executor = current::enter(Rc::clone(&self.executor));
        let _reactor = self.reactor.enter();
        let _timers = timers::enter();
        let mut batch = Batch::default();
        let mut wake = Vec::new();
        loop {
            self.executor.drain_inbox(&mut batch);
            if self.inbox.is_stopping() {
                break;
            }
            self.tick();
            self.stats.set_run_queue(self.executor.runnable());
            if self.inbox.is_stopping() {
                break;
            }
            self.turn();
            timers::fire_due(&mut wake);
            // Only now: what the reactor and the timers woke runs first.
            self.executor.wake_deferred();
        }
        // Tasks are dropped while the reactor is still current: their sockets
        // deregister or cancel their operations, and their timers cancel, here.
        self.shut_down();
        coop::unlimited();
    }
}

impl<R: Reactor> Drop for Worker<R> {
    fn drop(&mut self) {
        // A worker that never ran (a failed start) still frees what was queued.
        self.shut_down();
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use pool_core::backend::{Remote, Task, Worker as _};
    use pool_core::WorkerMetrics;

    use super::*;

    /// Logs flushes and waits; a blocking wait stops the worker instead of blocking.
    #[derive(Debug)]
    struct Fake {
        inbox: Arc<Inbox>,
        log: Rc<Cell<(usize, usize)>>,
    }

    impl Reactor for Fake {
        type Guard = ();
        const NAME: &'static str = "fake";
        const FLUSH_EVERY: usize = 4;

        fn turn(&mut self, wait: Wait) -> std::io::Result<()> {
            if let Wait::Until(_) = wait {
                let (flushes, waits) = self.log.get();
                self.log.set((flushes, waits + 1));
                self.inbox.stop();
            }
            Ok(())
        }

        fn enter(&self) {}

        fn flush(&mut self) {
            let (flushes, waits) = self.log.get();
            self.log.set((flushes + 1, waits));
        }
    }

    struct Nobody;
    impl Unpark for Nobody {
        fn unpark(&self) {}
    }

    #[test]
    fn flushes_every_flush_every_polls_then_parks_when_idle() {
        let log = Rc::new(Cell::new((0, 0)));
        let l = Rc::clone(&log);
        let worker = Worker::new(ParkPolicy::Immediate, Box::new(Nobody), |inbox| Fake {
            inbox: Arc::clone(inbox),
            log: l,
        });
        let remote = worker.remote();
        for _ in 0..10 {
            assert!(remote.submit(Task::Ready(Box::pin(async {}))).is_ok());
        }
        worker.run();
        // 10 polls in slices of 4: a flush after the first two slices, none after
        // the short last one; then the worker, idle, parked once.
        assert_eq!(log.get(), (2, 1));
        let mut metrics = WorkerMetrics::new(0);
        remote.fill_metrics(&mut metrics);
        assert_eq!(metrics.parks, Some(1));
    }
}
