//! [`TokioMultiThread`]: tokio's multi-thread runtime behind the pool-core API, the
//! baseline of every comparison.

use std::any::TypeId;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use pool_core::{
    BuildError, Handle, PoolConfig, PoolId, Runtime, SpawnError, TaskTracker, WorkerContext,
    SHUTDOWN_ON_IDLE_IN_WORKER,
};
use tokio::sync::watch;
use tokio::task::LocalSet;

use crate::net::{TcpListener, TcpStream};

/// tokio's work-stealing multi-thread runtime with `pool_size` workers, behind the
/// pool-core API.
///
/// What differs from a per-thread pool, by the nature of work stealing:
///
/// - [`CHILD_AFFINITY`](Runtime::CHILD_AFFINITY) is `false`: any worker may run any
///   task, so [`current_worker`](Runtime::current_worker) is `None`,
///   [`spawn_child`](Runtime::spawn_child) is `tokio::spawn`,
///   [`Handle::spawn_on`] checks the index but does not place the task, and
///   [`spawn_local`](Runtime::spawn_local) returns [`SpawnError::Unsupported`].
/// - [`spawn`](Handle::spawn) leaves placement to tokio's scheduler.
/// - [`spawn_pinned`](Handle::spawn_pinned) runs the `!Send` future on a thread of
///   tokio's blocking pool inside a [`LocalSet`], one thread per task (at most 512 at
///   once by tokio's default). It works, but it is not how to serve many connections on
///   this runtime: move `Send` work with [`spawn`](Handle::spawn).
/// - tokio runs the `after_start` / `before_stop` hooks, names threads and pins them on
///   its blocking-pool threads too, not only on the workers.
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
    id: PoolId,
    runtime: tokio::runtime::Handle,
    tracker: Arc<TaskTracker>,
    pool_size: usize,
    closed: AtomicBool,
    /// Set to `true` at shutdown, so that pinned tasks leave their blocking threads.
    stop: watch::Sender<bool>,
}

thread_local! {
    /// The start-up index of this thread, if its `after_start` hook ran successfully.
    static STARTED_AS: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Counts worker start-ups so that `from_config` returns only when all are up.
#[derive(Default)]
struct StartGate {
    state: Mutex<(usize, Option<BuildError>)>,
    changed: Condvar,
}

impl StartGate {
    fn report(&self, result: Result<(), BuildError>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 += 1;
        if let Err(e) = result {
            state.1.get_or_insert(e);
        }
        self.changed.notify_all();
    }

    fn wait(&self, workers: usize) -> Result<(), BuildError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while state.0 < workers && state.1.is_none() {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.1.take().map_or(Ok(()), Err)
    }
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
    fn stop(&mut self) {
        self.handle.inner.closed.store(true, Ordering::Release);
        self.handle.inner.stop.send_replace(true);
        if let Some(runtime) = self.runtime.take() {
            let in_async_context = WorkerContext::is_in(self.handle.inner.id)
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

impl Runtime for TokioMultiThread {
    type Handle = MultiThreadHandle;
    type TcpListener = TcpListener;
    type TcpStream = TcpStream;

    const NAME: &'static str = "tokio-mt";
    const CHILD_AFFINITY: bool = false;

    fn from_config(config: PoolConfig) -> Result<Self, BuildError> {
        let id = PoolId::next();
        let tracker = TaskTracker::new();
        let config = Arc::new(config);
        let gate = Arc::new(StartGate::default());
        let starts = Arc::new(AtomicUsize::new(0));
        let names = AtomicUsize::new(0);

        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(config.pool_size).enable_all();
        builder.thread_name_fn({
            let config = Arc::clone(&config);
            move || config.thread_name(names.fetch_add(1, Ordering::Relaxed))
        });
        builder.on_thread_start({
            let (config, gate, tracker) =
                (Arc::clone(&config), Arc::clone(&gate), Arc::clone(&tracker));
            move || {
                let index = starts.fetch_add(1, Ordering::SeqCst);
                let context = WorkerContext {
                    pool: id,
                    runtime: TypeId::of::<TokioMultiThread>(),
                    index: None,
                    tracker: Arc::clone(&tracker),
                };
                gate.report(on_thread_start(&config, index, context));
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
                    id,
                    runtime: runtime.handle().clone(),
                    tracker,
                    pool_size: config.pool_size,
                    closed: AtomicBool::new(false),
                    stop,
                }),
            },
            runtime: Some(runtime),
        };
        // On error, dropping `rt` shuts the runtime down and joins its threads.
        gate.wait(config.pool_size)?;
        Ok(rt)
    }

    fn handle(&self) -> &MultiThreadHandle {
        &self.handle
    }

    #[track_caller]
    fn shutdown_on_idle(mut self) {
        assert!(
            !WorkerContext::is_in(self.handle.inner.id),
            "{}",
            SHUTDOWN_ON_IDLE_IN_WORKER
        );
        self.handle.inner.tracker.wait_idle();
        self.stop();
    }

    fn shutdown_now(mut self) {
        self.stop();
    }

    fn current_worker() -> Option<usize> {
        None
    }

    fn spawn_local<F>(_fut: F) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + 'static,
    {
        match WorkerContext::current_for::<Self>() {
            Some(_) => Err(SpawnError::Unsupported(
                "tokio's multi-thread runtime cannot keep a !Send task on a worker; \
                 use spawn_pinned, or a Send future with spawn_child",
            )),
            None => Err(SpawnError::NotOnWorker),
        }
    }

    fn spawn_child<F>(fut: F) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let context = WorkerContext::current_for::<Self>().ok_or(SpawnError::NotOnWorker)?;
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| SpawnError::NotOnWorker)?;
        drop(runtime.spawn(context.tracker.track(fut)));
        Ok(())
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
            .field("live_tasks", &self.handle.inner.tracker.live())
            .finish_non_exhaustive()
    }
}

impl MultiThreadHandle {
    fn check_open(&self) -> Result<(), SpawnError> {
        if self.inner.closed.load(Ordering::Acquire) {
            Err(SpawnError::Shutdown)
        } else {
            Ok(())
        }
    }
}

impl Handle for MultiThreadHandle {
    fn pool_size(&self) -> usize {
        self.inner.pool_size
    }

    fn spawn<F>(&self, fut: F) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.check_open()?;
        drop(self.inner.runtime.spawn(self.inner.tracker.track(fut)));
        Ok(())
    }

    fn spawn_on<F>(&self, worker: usize, fut: F) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        SpawnError::check_worker(worker, self.pool_size())?;
        self.spawn(fut)
    }

    fn spawn_pinned<C, F>(&self, make: C) -> Result<(), SpawnError>
    where
        C: FnOnce() -> F + Send + 'static,
        F: Future<Output = ()> + 'static,
    {
        self.check_open()?;
        let guard = self.inner.tracker.guard();
        let mut stop = self.inner.stop.subscribe();
        let runtime = self.inner.runtime.clone();
        drop(self.inner.runtime.spawn_blocking(move || {
            let local = LocalSet::new();
            runtime.block_on(local.run_until(async move {
                // Built inside the tracked future, so a panic in `make` follows the
                // task panic policy.
                let task = guard.track(async move { make().await });
                tokio::select! {
                    () = task => {}
                    _ = stop.wait_for(|stopped| *stopped) => {}
                }
            }));
        }));
        Ok(())
    }

    fn task_panics(&self) -> usize {
        self.inner.tracker.panics()
    }
}

impl fmt::Debug for MultiThreadHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiThreadHandle")
            .field("pool_size", &self.inner.pool_size)
            .field("closed", &self.inner.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}
