//! [`TokioMultiThread`]: tokio's multi-thread runtime behind the pool-core API, the
//! baseline of every comparison.

use std::any::TypeId;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pool_core::backend::{
    check_worker, join_tokio, Lifecycle, PoolConfig, RuntimeImpl, StartGate, WorkerContext,
};
use pool_core::{
    BuildError, Handle, JoinHandle, ParkPolicy, Placement, PoolMetrics, Runtime, SpawnError,
    WorkerMetrics,
};
use tokio::sync::watch;
use tokio::task::LocalSet;

use crate::mt_busy::ThreadBusy;
use crate::net::{TcpListener, TcpStream};
use crate::time::Sleep;

/// tokio's work-stealing multi-thread runtime with `pool_size` workers, behind the
/// pool-core API.
///
/// What differs from a per-thread pool, by the nature of work stealing:
///
/// - [`CHILD_AFFINITY`](RuntimeImpl::CHILD_AFFINITY) is `false`: any worker may run any
///   task, so [`current_worker`](Runtime::current_worker) is `None`,
///   [`spawn_child`](Runtime::spawn_child) is `tokio::spawn`,
///   [`Handle::spawn_on`] checks the index but does not place the task, and
///   [`spawn_local`](Runtime::spawn_local) returns [`SpawnError::Unsupported`].
/// - [`spawn`](Handle::spawn) leaves placement to tokio's scheduler: a
///   [`Placement`] other than `RoundRobin` (the default, which here means "tokio
///   decides") is refused with [`BuildError::Unsupported`], and so is the stall
///   detector ([`Builder::stall_detector`](pool_core::Builder::stall_detector)), whose
///   per-worker reports need tasks that stay on a known worker.
/// - [`spawn_pinned`](Handle::spawn_pinned) runs the `!Send` future on a thread of
///   tokio's blocking pool inside a [`LocalSet`], one thread per task (at most 512 at
///   once by tokio's default). It works, but it is not how to serve many connections on
///   this runtime: move `Send` work with [`spawn`](Handle::spawn).
/// - tokio runs the `after_start` / `before_stop` hooks, names threads and pins them on
///   its blocking-pool threads too, not only on the workers.
/// - [`Handle::metrics`] gives per worker `busy` (the thread's CPU time, measured by
///   its park hooks; worker `i` is the `i`-th thread to park, not tokio's index `i`)
///   and `parks`; pool-wide, the live tasks and panics. A task is not bound to a
///   worker, so the per-worker `live_tasks`, `spawned` and `polls` are `None`, and so is
///   `queue_depth` (tokio's per-worker queue depths need `tokio_unstable`).
///
/// ```
/// use backend_tokio::TokioMultiThread;
/// use pool_core::{Builder, Runtime};
///
/// let rt: TokioMultiThread = Builder::new().pool_size(2).build()?;
/// assert_eq!(rt.block_on(async { TokioMultiThread::current_worker() }), None);
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub struct TokioMultiThread {
    runtime: Option<tokio::runtime::Runtime>,
    handle: MultiThreadHandle,
}

/// The [`Handle`] of a [`TokioMultiThread`].
#[derive(Clone)]
pub struct MultiThreadHandle {
    inner: Arc<Inner>,
}

struct Inner {
    lifecycle: Arc<Lifecycle>,
    runtime: tokio::runtime::Handle,
    pool_size: usize,
    busy: Arc<ThreadBusy>,
    /// Set to `true` at shutdown, so that pinned tasks leave their blocking threads.
    stop: watch::Sender<bool>,
}

thread_local! {
    /// The start-up index of this thread, if its `after_start` hook ran successfully.
    static STARTED_AS: Cell<Option<usize>> = const { Cell::new(None) };
}

fn on_thread_start(
    config: &PoolConfig,
    index: usize,
    context: WorkerContext,
) -> Result<(), BuildError> {
    config.pin_current_thread(index)?;
    // The thread belongs to this runtime until it exits.
    std::mem::forget(context.enter());
    config.run_after_start(index)?;
    STARTED_AS.with(|s| s.set(Some(index)));
    Ok(())
}

impl TokioMultiThread {
    fn lifecycle(&self) -> &Lifecycle {
        &self.handle.inner.lifecycle
    }

    fn stop(&mut self) {
        self.lifecycle().close();
        self.handle.inner.stop.send_replace(true);
        if let Some(runtime) = self.runtime.take() {
            let in_async_context = WorkerContext::is_in(self.lifecycle().id())
                || tokio::runtime::Handle::try_current().is_ok();
            if in_async_context {
                // Joining from here would wait for ourselves or block a runtime thread.
                runtime.shutdown_background();
            } else {
                drop(runtime);
            }
        }
    }
}

impl RuntimeImpl for TokioMultiThread {
    const CHILD_AFFINITY: bool = false;

    fn from_config(config: PoolConfig) -> Result<Self, BuildError> {
        config.validate()?;
        if config.park != ParkPolicy::Immediate {
            return Err(BuildError::Unsupported {
                backend: "tokio-mt",
                feature: "a park policy other than Immediate (tokio has no setting for it)",
            });
        }
        if config.placement != Placement::RoundRobin {
            return Err(BuildError::Unsupported {
                backend: "tokio-mt",
                feature: "a placement policy other than RoundRobin (tokio's scheduler places \
                          tasks, and its workers steal them from each other)",
            });
        }
        if config.stall_threshold.is_some() {
            return Err(BuildError::Unsupported {
                backend: "tokio-mt",
                feature: "the stall detector (tasks move between worker threads whose \
                          indices pool-core does not know)",
            });
        }
        let lifecycle = Lifecycle::new(0);
        let config = Arc::new(config);
        let gate = StartGate::<()>::new(config.pool_size);
        let starts = AtomicUsize::new(0);
        let names = AtomicUsize::new(0);

        let busy = Arc::new(ThreadBusy::new(config.pool_size));
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(config.pool_size).enable_all();
        builder.on_thread_park({
            let busy = Arc::clone(&busy);
            move || busy.parking()
        });
        builder.on_thread_unpark({
            let busy = Arc::clone(&busy);
            move || busy.unparked()
        });
        builder.thread_name_fn({
            let config = Arc::clone(&config);
            move || config.thread_name(names.fetch_add(1, Ordering::Relaxed))
        });
        builder.on_thread_start({
            let (config, gate, lifecycle) = (
                Arc::clone(&config),
                Arc::clone(&gate),
                Arc::clone(&lifecycle),
            );
            move || {
                let index = starts.fetch_add(1, Ordering::SeqCst);
                let context = lifecycle.context(TypeId::of::<TokioMultiThread>(), None);
                // Blocking-pool threads start here too; the gate ignores their indices.
                gate.report(index, on_thread_start(&config, index, context));
            }
        });
        builder.on_thread_stop({
            let config = Arc::clone(&config);
            move || {
                if let Some(index) = STARTED_AS.with(Cell::take) {
                    if let Err(e) = config.run_before_stop(index) {
                        eprintln!("iopool: {e}");
                    }
                }
            }
        });
        if let Some(size) = config.stack_size {
            builder.thread_stack_size(size);
        }
        let runtime = builder
            .build()
            .map_err(|source| BuildError::Runtime { worker: 0, source })?;
        let (stop, _) = watch::channel(false);
        let rt = TokioMultiThread {
            handle: MultiThreadHandle {
                inner: Arc::new(Inner {
                    lifecycle,
                    runtime: runtime.handle().clone(),
                    pool_size: config.pool_size,
                    busy,
                    stop,
                }),
            },
            runtime: Some(runtime),
        };
        // On error, dropping `rt` shuts the runtime down and joins its threads.
        gate.wait().map_err(|(e, _)| e)?;
        Ok(rt)
    }
}

impl Runtime for TokioMultiThread {
    type Handle = MultiThreadHandle;
    type TcpListener = TcpListener;
    type TcpStream = TcpStream;
    type Sleep = Sleep;

    const NAME: &'static str = "tokio-mt";

    fn handle(&self) -> &MultiThreadHandle {
        &self.handle
    }

    #[track_caller]
    fn shutdown_on_idle(mut self) {
        self.lifecycle().wait_idle();
        self.stop();
    }

    #[track_caller]
    fn shutdown_timeout(mut self, timeout: Duration) -> usize {
        let live = self.lifecycle().wait_idle_for(timeout);
        self.stop();
        live
    }

    fn shutdown_now(mut self) {
        self.stop();
    }

    fn current_worker() -> Option<usize> {
        None
    }

    fn spawn_local<F>(_fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + 'static,
    {
        match WorkerContext::current_for::<Self>() {
            Some(_) => Err(SpawnError::Unsupported(
                "tokio's multi-thread runtime cannot keep a !Send task on a worker; \
                 use spawn_pinned, or a Send future with spawn_child",
            )),
            None => Err(SpawnError::NotOnWorker),
        }
    }

    fn spawn_child<F>(fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let context = WorkerContext::current_for::<Self>().ok_or(SpawnError::NotOnWorker)?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| SpawnError::NotOnWorker)?;
        context.lifecycle.check_open()?;
        let task = context.lifecycle.live_task(None);
        Ok(join_tokio(runtime.spawn(task.wrap(fut))))
    }

    fn sleep_until(deadline: Instant) -> Sleep {
        Sleep::until(deadline)
    }
}

impl Drop for TokioMultiThread {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for TokioMultiThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioMultiThread")
            .field("pool_size", &self.handle.inner.pool_size)
            .field("live_tasks", &self.lifecycle().live())
            .finish_non_exhaustive()
    }
}

impl Handle for MultiThreadHandle {
    fn pool_size(&self) -> usize {
        self.inner.pool_size
    }

    fn spawn<F>(&self, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.lifecycle.check_open()?;
        let task = self.inner.lifecycle.live_task(None);
        Ok(join_tokio(self.inner.runtime.spawn(task.wrap(fut))))
    }

    fn spawn_on<F>(&self, worker: usize, fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        check_worker(worker, self.pool_size())?;
        self.spawn(fut)
    }

    fn spawn_pinned<C, F>(&self, make: C) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        self.inner.lifecycle.check_open()?;
        let (parts, join) = self.inner.lifecycle.task();
        let mut stop = self.inner.stop.subscribe();
        let runtime = self.inner.runtime.clone();
        drop(self.inner.runtime.spawn_blocking(move || {
            let local = LocalSet::new();
            runtime.block_on(local.run_until(async move {
                // Built inside the tracked future, so a panic in `make` follows the
                // task panic policy.
                let task = parts.track(async move { make().await });
                tokio::select! {
                    () = task => {}
                    _ = stop.wait_for(|stopped| *stopped) => {}
                }
            }));
        }));
        Ok(join)
    }

    fn task_panics(&self) -> usize {
        self.inner.lifecycle.panics()
    }

    fn metrics(&self) -> PoolMetrics {
        let workers = (0..self.inner.pool_size)
            .map(|i| {
                let mut metrics = WorkerMetrics::new(i);
                self.inner.busy.fill(i, &mut metrics);
                metrics
            })
            .collect();
        self.inner.lifecycle.pool_metrics(workers)
    }
}

impl fmt::Debug for MultiThreadHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiThreadHandle")
            .field("pool_size", &self.inner.pool_size)
            .field("closed", &self.inner.lifecycle.is_closed())
            .finish_non_exhaustive()
    }
}
