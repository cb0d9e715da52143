//! [`UringReactor`]: a worker's io_uring [`Driver`] as the reactor of the shared
//! worker loop ([`pool_exec::Worker`]).

use std::io;
use std::rc::Rc;

use pool_exec::{Reactor, Wait};

use crate::driver::{self, Driver};

/// Task polls after which the worker submits the operations they queued, without
/// waiting for the end of the tick: a task's send then leaves within 16 polls of
/// other tasks, not 61 (an echo next to a yield loop would otherwise wait a whole
/// tick for its send, and its reply for one more).
const SUBMIT_INTERVAL: usize = 16;

/// The I/O half of a [`UringWorker`](crate::UringWorker): one `io_uring_enter` per
/// turn submits every queued operation and reaps completions, waiting for one (an I/O
/// completion, the read of its eventfd when another thread unparks it, or a ring
/// timeout at the next timer deadline) when the worker parks. Only
/// [`pool_exec::Worker`] uses it.
#[derive(Debug)]
pub struct UringReactor {
    driver: Rc<Driver>,
}

impl UringReactor {
    pub(crate) fn new(driver: Rc<Driver>) -> Self {
        UringReactor { driver }
    }
}

impl Reactor for UringReactor {
    type Guard = EnterGuard;

    const NAME: &'static str = "backend-uring";

    /// Submits what tasks queued every `SUBMIT_INTERVAL` = 16 polls.
    const FLUSH_EVERY: usize = SUBMIT_INTERVAL;

    /// One `io_uring_enter`, always with `GETEVENTS` (under `DEFER_TASKRUN`
    /// completions are only posted then); the driver prints its own errors.
    fn turn(&mut self, wait: Wait) -> io::Result<()> {
        self.driver.turn(match wait {
            Wait::No => driver::Wait::No,
            Wait::Until(deadline) => driver::Wait::Until(deadline),
        });
        Ok(())
    }

    fn enter(&self) -> EnterGuard {
        EnterGuard(driver::enter(Rc::clone(&self.driver)))
    }

    /// Enters the ring without waiting, if operations are queued.
    fn flush(&mut self) {
        if self.driver.has_unsubmitted() {
            self.driver.turn(driver::Wait::No);
        }
    }
}

/// Clears the thread's current driver when dropped: the
/// [`Reactor::Guard`](pool_exec::Reactor::Guard) of [`UringReactor`], public for that
/// but not nameable outside the crate.
#[derive(Debug)]
#[allow(unreachable_pub)]
pub struct EnterGuard(driver::EnterGuard);
