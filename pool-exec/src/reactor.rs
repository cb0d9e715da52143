//! [`Reactor`]: what a backend supplies to run a [`Worker`](crate::Worker): the I/O
//! half of a worker's loop.

use std::io;
use std::time::Instant;

/// How long one [`Reactor::turn`] may wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Do not block: process what is ready (or completed) now, and return.
    No,
    /// Block until an event arrives, the worker is unparked from another thread, or
    /// the deadline (the worker's next timer) passes; `None`: no deadline.
    Until(Option<Instant>),
}

/// The I/O half of a worker: readiness (epoll) or completions (io_uring), turned into
/// task wake-ups.
///
/// [`Worker`](crate::Worker) owns everything else: the run queue, the cooperative
/// budget, the park policy (spin, then park), timers, metrics. A reactor lives on its
/// worker's thread; the only thing another thread does to it is unpark it, through the
/// [`Unpark`](crate::Unpark) given to [`Worker::new`](crate::Worker::new) with it.
///
/// # Implementing
///
/// - [`turn`](Reactor::turn) processes what is ready and wakes the tasks waiting on
///   it. With [`Wait::No`] it must never block. With [`Wait::Until`] it blocks until
///   an event, the deadline, or an unpark, whichever comes first: an unpark that
///   arrived before the call must end the wait at once (the worker asks its inbox
///   whether it may sleep before it calls `turn`, and the inbox unparks it if work is
///   queued after that).
/// - [`enter`](Reactor::enter) makes the reactor the thread's current one, so that
///   sockets created in tasks find it. The worker holds the guard while its tasks are
///   dropped at shutdown, so their sockets can still deregister or cancel.
/// - A reactor that queues operations and submits them in its turn (io_uring) submits
///   them earlier in [`flush`](Reactor::flush), every [`FLUSH_EVERY`](Reactor::FLUSH_EVERY)
///   task polls.
///
/// The worker counts a turn as busy except for the time the thread was off its CPU,
/// so work the kernel does inside the wait (`io_uring_enter` running completions under
/// `DEFER_TASKRUN`) counts as busy: a reactor does nothing for that.
///
/// The conformance kit (`pool_core::conformance`) checks a backend built this way,
/// its fairness tests included.
pub trait Reactor {
    /// The guard returned by [`enter`](Reactor::enter).
    type Guard;

    /// A prefix for the errors the worker prints, e.g. `"backend-mio"`.
    const NAME: &'static str;

    /// Task polls between two [`flush`](Reactor::flush)es within one tick. The
    /// default, [`EVENT_INTERVAL`](crate::EVENT_INTERVAL), never flushes mid-tick.
    const FLUSH_EVERY: usize = crate::EVENT_INTERVAL;

    /// Processes readiness or completions, waiting as `wait` says, and wakes the
    /// tasks they concern.
    ///
    /// # Errors
    ///
    /// When the wait itself failed (not a signal, which is a turn that found
    /// nothing). The worker prints the error and carries on.
    fn turn(&mut self, wait: Wait) -> io::Result<()>;

    /// Makes this reactor the current thread's one until the guard drops.
    fn enter(&self) -> Self::Guard;

    /// Submits operations queued since the last turn, without waiting; called every
    /// [`FLUSH_EVERY`](Reactor::FLUSH_EVERY) task polls. The default does nothing.
    fn flush(&mut self) {}
}
