//! The user-facing traits: [`Runtime`] (an owned pool) and [`Handle`] (a spawner).

use std::fmt;
use std::future::Future;
use std::panic::resume_unwind;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use futures_core::Stream;

use crate::backend::RuntimeImpl;
use crate::context::{BLOCK_ON_IN_WORKER, WorkerContext};
use crate::error::SpawnError;
use crate::join::JoinHandle;
use crate::metrics::PoolMetrics;
use crate::net::{OwnedIo, TcpListener, TcpStream};
use crate::spawn_all::SpawnAll;
use crate::task::CatchUnwind;
use crate::time::Timeout;

/// A running pool of workers: the type code written against pool-core is generic over.
///
/// Build one with [`Builder::build`](crate::Builder::build). Every per-thread backend
/// gets this trait through [`Pool`](crate::Pool); the tokio multi-thread baseline
/// implements it directly.
///
/// # Semantics
///
/// - Every spawn returns a [`JoinHandle`] for the task's output; dropping it detaches
///   the task.
/// - [`spawn`](Runtime::spawn) places `Send` tasks on workers by the pool's
///   [`Placement`](crate::Placement) policy: round-robin unless the builder chose another.
/// - [`spawn_pinned`](Runtime::spawn_pinned) builds a possibly `!Send` task on a worker.
/// - From inside a task, [`spawn_child`](Runtime::spawn_child) and
///   [`spawn_local`](Runtime::spawn_local) keep the child on the parent's worker when
///   [`CHILD_AFFINITY`](RuntimeImpl::CHILD_AFFINITY) holds.
/// - A task that panics is dropped at the panic; the panic goes to the panic hook (stderr
///   by default), is counted in [`Handle::task_panics`], its [`JoinHandle`] gives the
///   payload, and the worker keeps serving its other tasks.
/// - [`sleep`](Runtime::sleep), [`sleep_until`](Runtime::sleep_until) and
///   [`timeout`](Runtime::timeout) run on the timers of the worker that polls them.
/// - Dropping the runtime is [`shutdown_now`](Runtime::shutdown_now).
///
/// # Implementing
///
/// A per-thread backend should implement [`Backend`](crate::backend::Backend) and use
/// [`Pool`](crate::Pool), which writes all of the above once. Implement `Runtime`
/// directly only for a runtime that is not a set of independent per-thread loops, with
/// its supertrait [`RuntimeImpl`] (how it starts from a configuration), and run the
/// conformance kit on it ([`conformance_tests!`](crate::conformance_tests),
/// feature `conformance`).
pub trait Runtime: RuntimeImpl + Send + Sync + fmt::Debug + 'static {
    /// The spawner this runtime hands out.
    type Handle: Handle;
    /// The TCP listener type of this backend. `Send + Sync`, so that generic code can
    /// hold a listener in a `Send` task; the [`TcpListener`] trait alone does not ask
    /// for it.
    type TcpListener: TcpListener<Stream = Self::TcpStream> + Send + Sync;
    /// The TCP stream type of this backend (`Send`, with a `Send` connect future), with
    /// owned-buffer I/O whose lent buffers are `Send`.
    type TcpStream: TcpStream<Connect: Send> + OwnedIo<Buf: Send> + Send;
    /// The future of [`sleep`](Runtime::sleep) and [`sleep_until`](Runtime::sleep_until).
    type Sleep: Future<Output = ()> + Send + 'static;

    /// A short name for reports: `"tokio"`, `"tokio-mt"`, `"mio"`.
    const NAME: &'static str;

    /// The pool's handle; clone it to spawn from other threads.
    fn handle(&self) -> &Self::Handle;

    /// Runs `fut` on a worker and blocks the calling thread until it returns its output.
    ///
    /// Pool spawns made inside `fut` are placed by the placement policy as usual. A panic in `fut`
    /// is resumed on the caller.
    ///
    /// # Panics
    ///
    /// If called from inside a worker of any pool (it would block that worker), if the
    /// pool is shut down, or if `fut` panics.
    #[track_caller]
    fn block_on<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        assert!(!WorkerContext::is_worker(), "{}", BLOCK_ON_IN_WORKER);
        let (tx, rx) = mpsc::sync_channel(1);
        let spawned = self.spawn(async move {
            let _ = tx.send(CatchUnwind::new(fut).await);
        });
        if let Err(e) = spawned {
            panic!("block_on: {e}");
        }
        match rx.recv() {
            Ok(Ok(output)) => output,
            Ok(Err(payload)) => resume_unwind(payload),
            Err(_) => panic!("block_on: the pool shut down before the future completed"),
        }
    }

    /// Waits until every task spawned through the pool has finished, then stops the
    /// workers and joins them.
    ///
    /// It waits forever for a task that never finishes (a server's accept loop, say):
    /// use [`shutdown_timeout`](Runtime::shutdown_timeout) to bound the wait.
    ///
    /// # Panics
    ///
    /// If called from inside one of this pool's workers (it would wait for itself).
    #[track_caller]
    fn shutdown_on_idle(self);

    /// Waits until every task has finished or `timeout` has passed, then stops the
    /// workers as [`shutdown_now`](Runtime::shutdown_now) does, dropping the tasks
    /// still unfinished (their [`JoinHandle`]s report them cancelled), and joins them.
    ///
    /// Returns the number of tasks still live at the deadline: 0 if the pool went idle
    /// in time.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(1).build()?;
    /// let stuck = pool.spawn(std::future::pending::<()>())?;
    /// assert_eq!(pool.shutdown_timeout(Duration::from_millis(10)), 1);
    /// assert!(futures::executor::block_on(stuck).unwrap_err().is_cancelled());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Panics
    ///
    /// If called from inside one of this pool's workers (it would wait for itself).
    #[track_caller]
    fn shutdown_timeout(self, timeout: Duration) -> usize;

    /// Stops the workers at their next yield, dropping unfinished tasks (their
    /// [`JoinHandle`]s report them cancelled), and joins them.
    fn shutdown_now(self);

    /// The index (0-based) of the worker the calling thread is, or `None` off the pool or
    /// when [`CHILD_AFFINITY`](RuntimeImpl::CHILD_AFFINITY) is `false`.
    fn current_worker() -> Option<usize>;

    /// Spawns a possibly `!Send` task on the calling worker. Its output may be `!Send`
    /// too; so is then the [`JoinHandle`], which stays on this worker.
    ///
    /// # Errors
    ///
    /// [`SpawnError::NotOnWorker`] off the pool; [`SpawnError::Unsupported`] on a runtime
    /// without [`CHILD_AFFINITY`](RuntimeImpl::CHILD_AFFINITY).
    fn spawn_local<F>(fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + 'static;

    /// Spawns a `Send` child task from inside a worker: on the calling worker where
    /// [`CHILD_AFFINITY`](RuntimeImpl::CHILD_AFFINITY) holds, wherever the scheduler likes
    /// otherwise.
    ///
    /// # Errors
    ///
    /// [`SpawnError::NotOnWorker`] off the pool.
    fn spawn_child<F>(fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// A future that completes at `deadline`, on the timers of the worker that polls
    /// it.
    ///
    /// # Panics
    ///
    /// The future panics with [`TIME_OUTSIDE_WORKER`](crate::time::TIME_OUTSIDE_WORKER)
    /// if polled anywhere but inside a task of a pool of this runtime.
    fn sleep_until(deadline: Instant) -> Self::Sleep;

    /// A future that completes `duration` after this call, on the timers of the worker
    /// that polls it. It never completes early.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(1).build()?;
    /// let start = Instant::now();
    /// pool.block_on(TokioPool::sleep(Duration::from_millis(3)));
    /// assert!(start.elapsed() >= Duration::from_millis(3));
    /// # Ok::<(), pool_core::BuildError>(())
    /// ```
    ///
    /// # Panics
    ///
    /// As [`sleep_until`](Runtime::sleep_until).
    fn sleep(duration: Duration) -> Self::Sleep {
        Self::sleep_until(deadline_after(duration))
    }

    /// Runs `fut` until it completes or `duration` passes, whichever comes first;
    /// [`Elapsed`](crate::time::Elapsed) in the second case (and `fut` is dropped with
    /// the `Timeout`).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(1).build()?;
    /// let quick = pool.block_on(TokioPool::timeout(Duration::from_secs(5), async { 7 }));
    /// assert_eq!(quick, Ok(7));
    /// # Ok::<(), pool_core::BuildError>(())
    /// ```
    ///
    /// # Panics
    ///
    /// As [`sleep_until`](Runtime::sleep_until).
    fn timeout<F: Future>(duration: Duration, fut: F) -> Timeout<F, Self::Sleep> {
        Timeout::new(fut, Self::sleep(duration))
    }

    /// The number of workers.
    fn pool_size(&self) -> usize {
        self.handle().pool_size()
    }

    /// Same as [`Handle::spawn`] on [`handle`](Runtime::handle).
    ///
    /// # Errors
    ///
    /// [`SpawnError::Shutdown`] after shutdown.
    fn spawn<F>(&self, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle().spawn(fut)
    }

    /// Same as [`Handle::spawn_pinned`] on [`handle`](Runtime::handle).
    ///
    /// # Errors
    ///
    /// [`SpawnError::Shutdown`] after shutdown.
    fn spawn_pinned<C, F>(&self, make: C) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        self.handle().spawn_pinned(make)
    }

    /// Same as [`Handle::spawn_all`] on [`handle`](Runtime::handle).
    fn spawn_all<S, F, E>(&self, stream: S) -> SpawnAll<Self::Handle, S>
    where
        S: Stream<Item = Result<F, E>>,
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle().spawn_all(stream)
    }

    /// Same as [`Handle::metrics`] on [`handle`](Runtime::handle).
    fn metrics(&self) -> PoolMetrics {
        self.handle().metrics()
    }
}

/// `now + duration`, or a deadline so far off it never comes if that overflows.
fn deadline_after(duration: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(duration)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365 * 30))
}

/// A cheap, cloneable spawner for a pool, usable from any thread.
///
/// ```
/// use backend_tokio::TokioPool;
/// use pool_core::{Builder, Handle, Runtime};
///
/// let pool: TokioPool = Builder::new().pool_size(2).build()?;
/// let handle = pool.handle().clone();
/// let task = std::thread::spawn(move || handle.spawn(async { 7 }).unwrap())
///     .join()
///     .unwrap();
/// assert_eq!(futures::executor::block_on(task)?, 7);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Implementing
///
/// Per-thread backends get this from [`PoolHandle`](crate::PoolHandle). A direct
/// implementation must place [`spawn`](Handle::spawn) round-robin where it controls
/// placement (and refuse other [`Placement`](crate::Placement)s it cannot honour with
/// [`BuildError::Unsupported`](crate::BuildError::Unsupported)), return [`SpawnError::Shutdown`] after shutdown rather than panic, and pass
/// the conformance kit.
pub trait Handle: Clone + Send + Sync + fmt::Debug + 'static {
    /// The number of workers.
    fn pool_size(&self) -> usize;

    /// Spawns a `Send` task on the worker the pool's [`Placement`](crate::Placement)
    /// policy picks (the next in round-robin order by default), and returns the
    /// handle of its output (drop it to detach the task).
    ///
    /// A spawn that races with a concurrent shutdown may be accepted and then dropped
    /// unrun, like any task still pending when the pool stops; its handle then reports
    /// it cancelled.
    ///
    /// # Errors
    ///
    /// [`SpawnError::Shutdown`] after shutdown.
    fn spawn<F>(&self, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns a `Send` task on worker `worker` (0-based).
    ///
    /// On a runtime without [`CHILD_AFFINITY`](RuntimeImpl::CHILD_AFFINITY) the index is
    /// checked but the scheduler decides where the task runs.
    ///
    /// # Errors
    ///
    /// [`SpawnError::NoSuchWorker`] if `worker >= pool_size()`; [`SpawnError::Shutdown`]
    /// after shutdown.
    fn spawn_on<F>(&self, worker: usize, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Sends `make` to the worker the pool's [`Placement`](crate::Placement) policy
    /// picks (the next in round-robin order by default), which calls it and runs the
    /// (possibly `!Send`) future it returns there. This is how a connection crosses
    /// threads: move a `std::net::TcpStream` in, and create the backend stream inside.
    ///
    /// # Errors
    ///
    /// [`SpawnError::Shutdown`] after shutdown.
    fn spawn_pinned<C, F>(&self, make: C) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static;

    /// A future that spawns every future `stream` yields, placed as
    /// [`spawn`](Handle::spawn) places them, detached (their
    /// outputs are dropped), and stops at the first error.
    ///
    /// ```
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Handle, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(2).build()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let jobs = (0..4).map(move |i| {
    ///     let tx = tx.clone();
    ///     Ok::<_, std::io::Error>(async move { tx.send(i).unwrap() })
    /// });
    /// let handle = pool.handle().clone();
    /// pool.block_on(async move { handle.spawn_all(futures::stream::iter(jobs)).await })?;
    /// pool.shutdown_on_idle();
    /// let mut got: Vec<i32> = rx.iter().collect();
    /// got.sort();
    /// assert_eq!(got, [0, 1, 2, 3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn spawn_all<S, F, E>(&self, stream: S) -> SpawnAll<Self, S>
    where
        S: Stream<Item = Result<F, E>>,
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        SpawnAll::new(self.clone(), stream)
    }

    /// How many tasks of this pool have panicked so far.
    fn task_panics(&self) -> usize;

    /// A snapshot of the pool's metrics: live tasks, panics, and per worker the tasks
    /// spawned, polls, busy time, parks and queue depth (see [`WorkerMetrics`] for
    /// what each backend can measure).
    ///
    /// [`WorkerMetrics`]: crate::WorkerMetrics
    fn metrics(&self) -> PoolMetrics;
}
