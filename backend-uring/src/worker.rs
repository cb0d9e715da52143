//! [`UringWorker`]: one worker's event loop, the shared executor driven by an io_uring.

use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use pool_core::backend::{Worker, WorkerCounters};
use pool_core::ParkPolicy;
use pool_exec::spin::{self, Polled};
use pool_exec::time::timers;
use pool_exec::{coop, current, Batch, ExecRemote, Executor, Inbox, WorkerStats, EVENT_INTERVAL};

use crate::driver::{self, Driver, Wait};
use crate::probe::Features;

/// Task polls after which the worker submits the operations they queued, without
/// waiting for the end of the tick: a task's send then leaves within 16 polls of
/// other tasks, not 61 (an echo next to a yield loop would otherwise wait a whole
/// tick for its send, and its reply for one more).
const SUBMIT_INTERVAL: usize = 16;

/// The event loop of one [`UringPool`](crate::UringPool) worker.
///
/// Each tick it moves what other threads queued into the executor, polls up to 61
/// runnable tasks, then enters its ring once: it submits every operation the tasks
/// queued and reaps completions, without waiting if tasks are still runnable,
/// otherwise waiting for a completion (an I/O completion, its eventfd's read when
/// another thread unparks it, or a ring timeout at the next timer deadline). It then
/// fires due timers and re-queues the tasks that spent their cooperative budget.
///
/// ```
/// use backend_uring::UringBackend;
/// use pool_core::backend::{Backend, Remote, Worker};
///
/// if let Ok(worker) = UringBackend::new_worker(0, &pool_core::backend::PoolConfig::from_builder(&pool_core::Builder::new())) {
///     worker.remote().stop();
///     worker.run(); // returns at once: it was told to stop
/// }
/// ```
#[derive(Debug)]
pub struct UringWorker {
    executor: Rc<Executor>,
    driver: Rc<Driver>,
    inbox: Arc<Inbox>,
    stats: Arc<WorkerStats>,
    park: ParkPolicy,
}

impl UringWorker {
    pub(crate) fn new(features: &'static Features, park: ParkPolicy) -> io::Result<Self> {
        let (inner, unpark) = Driver::setup(features)?;
        let inbox = Inbox::new(Box::new(unpark));
        Ok(UringWorker {
            executor: Rc::new(Executor::new(Arc::clone(&inbox))),
            driver: Driver::attach(inner, Arc::clone(&inbox)),
            inbox,
            stats: Arc::new(WorkerStats::new()),
            park,
        })
    }

    /// Spins as the park policy allows ([`spin::spin`]): enters the ring without
    /// waiting, and watches the inbox, until there is work (a completion that woke a
    /// task, a queued spawn or wake, a due timer, a stop): then `true`. `false` if the
    /// spin window ended first, or the policy does not spin: the caller parks.
    fn spin(&self, deadline: Option<Instant>) -> bool {
        spin::spin(&self.park, &self.inbox, deadline, || {
            self.driver.turn(Wait::No);
            if self.executor.has_runnable() {
                Polled::Work
            } else {
                Polled::Nothing
            }
        })
    }

    /// Polls up to `K` = 61 tasks, submitting what they queued every
    /// [`SUBMIT_INTERVAL`] polls.
    fn tick(&self) {
        let mut polled = 0;
        while polled < EVENT_INTERVAL {
            let slice = SUBMIT_INTERVAL.min(EVENT_INTERVAL - polled);
            let n = self.executor.tick(slice);
            polled += n;
            if n < slice || polled == EVENT_INTERVAL {
                return;
            }
            if self.driver.has_unsubmitted() {
                self.driver.turn(Wait::No);
            }
        }
    }

    fn turn(&self) {
        if self.executor.has_runnable() {
            self.driver.turn(Wait::No);
            return;
        }
        let deadline = timers::with(|t| t.next_deadline()).flatten();
        if self.spin(deadline) {
            return;
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| d <= now) || !self.inbox.prepare_sleep() {
            self.driver.turn(Wait::No);
            return;
        }
        // A park in progress counts as parked, not busy (metrics), and as idle for
        // the power-of-two-choices placement.
        self.stats.parking();
        WorkerCounters::parking();
        self.driver.turn(Wait::Until(deadline));
        self.inbox.awake();
        WorkerCounters::unparked();
        self.stats.parks.record_park(now.elapsed());
    }

    fn shut_down(&self) {
        drop(self.inbox.close());
        self.executor.shutdown();
    }
}

impl Worker for UringWorker {
    type Remote = ExecRemote;

    fn remote(&self) -> ExecRemote {
        ExecRemote::new(Arc::clone(&self.inbox), Arc::clone(&self.stats))
    }

    fn run(self) {
        let _executor = current::enter(Rc::clone(&self.executor));
        let _driver = driver::enter(Rc::clone(&self.driver));
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
            // Only now: what the ring and the timers woke runs first.
            self.executor.wake_deferred();
        }
        // Tasks are dropped while the driver is still current: their sockets cancel
        // their operations here; the driver waits for those when it is dropped.
        self.shut_down();
        coop::unlimited();
    }
}

impl Drop for UringWorker {
    fn drop(&mut self) {
        // A worker that never ran (a failed start) still frees what was queued.
        self.shut_down();
    }
}
