//! What a per-thread backend supplies to [`Pool`](crate::Pool): one single-threaded
//! runtime on the current thread, and a way to reach it from other threads.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Instant;

use crate::config::{ParkPolicy, PoolConfig};
use crate::error::SpawnError;
use crate::join::JoinHandle;
use crate::metrics::WorkerMetrics;
use crate::net::{OwnedIo, TcpListener, TcpStream};
use crate::task::LiveTask;

/// A boxed `Send` future.
pub type SendFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
/// A boxed future that may be `!Send`.
pub type LocalFuture = Pin<Box<dyn Future<Output = ()> + 'static>>;

/// A unit of work sent to a worker from any thread.
pub enum Task {
    /// A `Send` future, ready to run.
    Ready(SendFuture),
    /// A closure to call on the worker; it builds a possibly `!Send` future.
    Build(Box<dyn FnOnce() -> LocalFuture + Send + 'static>),
}

impl Task {
    /// Turns the task into the future to run. Call on the worker that will run it.
    pub fn into_future(self) -> LocalFuture {
        match self {
            Task::Ready(fut) => fut,
            Task::Build(make) => make(),
        }
    }
}

impl fmt::Debug for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Task::Ready(_) => f.write_str("Task::Ready(...)"),
            Task::Build(_) => f.write_str("Task::Build(...)"),
        }
    }
}

/// A per-thread runtime: a set of identical, independent workers, each running its own
/// single-threaded event loop. [`Pool`](crate::Pool) turns a `Backend` into a
/// [`Runtime`](crate::Runtime).
///
/// # Implementing
///
/// Provide [`Worker`] (the event loop, built on its own thread), its [`Remote`], a local
/// spawn, a timer, and the net types. Everything else (threads, names, hooks, pinning,
/// start-up, placement, join handles, shutdown, panics, `block_on`, task metrics) is
/// `Pool`'s job. Call [`WorkerCounters::parking`](crate::backend::WorkerCounters::parking)
/// and [`unparked`](crate::backend::WorkerCounters::unparked) around each blocking
/// wait of the event loop, so that
/// [`Placement::PowerOfTwoChoices`](crate::Placement::PowerOfTwoChoices) sees which
/// workers are busy. Then run the kit:
/// `pool_core::conformance_tests!(pool_core::Pool<MyBackend>);`.
pub trait Backend: Send + Sync + 'static {
    /// The event loop of one worker.
    type Worker: Worker<Remote = Self::Remote>;
    /// A `Send + Sync` way into one worker.
    type Remote: Remote;
    /// The TCP listener type. `Send + Sync` because generic code holds listeners in
    /// `Send` tasks (the net traits themselves do not require it).
    type TcpListener: TcpListener<Stream = Self::TcpStream> + Send + Sync;
    /// The TCP stream type (`Send`, and so is its connect future, for the same reason).
    type TcpStream: TcpStream<Connect: Send> + OwnedIo<Buf: Send> + Send;
    /// The future of [`sleep_until`](Backend::sleep_until).
    type Sleep: Future<Output = ()> + Send + 'static;

    /// A short name for reports.
    const NAME: &'static str;

    /// Creates worker `index`'s runtime on the calling thread, which will then run it,
    /// as `config` says (its [`ParkPolicy`](crate::ParkPolicy), among others).
    ///
    /// # Errors
    ///
    /// Whatever the runtime's creation reports (a reactor needs file descriptors).
    fn new_worker(index: usize, config: &PoolConfig) -> io::Result<Self::Worker>;

    /// Whether the workers can follow `policy`. [`Pool`](crate::Pool) refuses any other
    /// with [`BuildError::Unsupported`](crate::BuildError::Unsupported) before it
    /// starts a thread. The default supports only
    /// [`ParkPolicy::Immediate`](crate::ParkPolicy::Immediate).
    fn supports_park(policy: &ParkPolicy) -> bool {
        matches!(policy, ParkPolicy::Immediate)
    }

    /// Whether this backend can run on this machine at all (its kernel interface may be
    /// missing, disabled by sysctl or refused by seccomp). [`Pool`](crate::Pool) calls
    /// it once per build, before it starts a thread. The default says yes.
    ///
    /// # Errors
    ///
    /// [`BuildError::Unavailable`](crate::BuildError::Unavailable), saying why.
    fn check_available() -> Result<(), crate::BuildError> {
        Ok(())
    }

    /// Spawns `fut` on the worker running on the calling thread. [`Pool`](crate::Pool)
    /// only calls this on a worker thread, from inside [`Worker::run`].
    fn spawn_local<F: Future<Output = ()> + 'static>(fut: F);

    /// Spawns `fut` as `task` on the worker running on the calling thread, and returns
    /// its join handle: [`Runtime::spawn_local`](crate::Runtime::spawn_local)'s path.
    /// Called only where [`spawn_local`](Backend::spawn_local) may be.
    ///
    /// The default gives the task a join state of its own
    /// ([`LiveTask::with_join_state`]) and spawns it with `spawn_local`: one
    /// allocation more than the backend's task. Override it where the backend's task
    /// can hold the join state (wrap `fut` with [`LiveTask::wrap`]).
    fn spawn_task<F: Future + 'static>(task: LiveTask, fut: F) -> JoinHandle<F::Output> {
        let (parts, join) = task.with_join_state();
        Self::spawn_local(parts.track(fut));
        join
    }

    /// [`spawn_task`](Backend::spawn_task) for a `Send` task with a `Send` output:
    /// [`Runtime::spawn_child`](crate::Runtime::spawn_child)'s path. The default is
    /// `spawn_task`.
    fn spawn_send_task<F>(task: LiveTask, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Self::spawn_task(task, fut)
    }

    /// A future that completes at `deadline` on the timers of the worker that polls
    /// it. Creating it anywhere is fine; polling it off a worker of this backend panics
    /// with [`TIME_OUTSIDE_WORKER`](crate::time::TIME_OUTSIDE_WORKER).
    fn sleep_until(deadline: Instant) -> Self::Sleep;
}

/// The event loop of one worker, owned by its thread.
pub trait Worker: Sized + 'static {
    /// The remote for this worker.
    type Remote: Remote;

    /// A remote that other threads use to reach this worker.
    fn remote(&self) -> Self::Remote;

    /// Runs tasks until [`Remote::stop`] is called, then drops every task still
    /// unfinished (on this thread) and returns.
    fn run(self);
}

/// Reaches one worker from any thread.
pub trait Remote: Send + Sync + 'static {
    /// Queues `task` for the worker, waking it if it is idle.
    ///
    /// # Errors
    ///
    /// Gives the task back if the worker has stopped.
    fn submit(&self, task: Task) -> Result<(), Task>;

    /// Spawns `fut` as `task` on this worker and returns its join handle:
    /// [`Handle::spawn`](crate::Handle::spawn)'s path.
    ///
    /// The default gives the task a join state of its own
    /// ([`LiveTask::with_join_state`]) and [`submit`](Remote::submit)s it boxed. Override
    /// it where the backend can allocate its task here, holding the join state.
    ///
    /// # Errors
    ///
    /// [`SpawnError::Shutdown`] if the worker has stopped.
    fn spawn<F>(&self, task: LiveTask, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (parts, join) = task.with_join_state();
        self.submit(Task::Ready(Box::pin(parts.track(fut))))
            .map_err(|_| SpawnError::Shutdown)?;
        Ok(join)
    }

    /// Tells the worker to stop at its next yield. Idempotent.
    fn stop(&self);

    /// Fills what the backend measures of its worker into `metrics`: `busy`, `parks`
    /// and `queue_depth` (pool-core fills the task counts). Reading must take no lock
    /// the worker takes on its hot path. The default fills nothing.
    fn fill_metrics(&self, metrics: &mut WorkerMetrics) {
        let _ = metrics;
    }
}
