//! [`Pool`]: a [`Runtime`] made of per-thread [`Backend`] workers.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::thread::JoinHandle as ThreadHandle;
use std::time::{Duration, Instant};

use crate::backend::{Backend, Remote, RuntimeImpl};
use crate::config::{ParkPolicy, PoolConfig};
use crate::context::WorkerContext;
use crate::error::{BuildError, SpawnError};
use crate::handle::{PoolHandle, Shared};
use crate::join::JoinHandle;
use crate::lifecycle::Lifecycle;
use crate::placement::Placer;
use crate::runtime::{Handle, Runtime};
use crate::stall::Watchdog;
use crate::task::LiveTask;
use crate::workers::{Workers, join_all};

/// A pool of worker threads, each running its own single-threaded runtime of backend `B`
/// with its own I/O reactor.
///
/// Top-level tasks go to workers as the [`Placement`](crate::Placement) policy says
/// (round-robin by default); a task never moves; children spawned from a task with
/// [`Runtime::spawn_child`] or [`Runtime::spawn_local`] stay on its worker.
/// Dropping the pool stops the workers at their next yield and joins them (except the
/// calling thread, if the last owner drops it on one of its own workers).
///
/// ```
/// use backend_tokio::TokioPool;
/// use pool_core::{Builder, Runtime};
///
/// let pool: TokioPool = Builder::new().pool_size(2).build()?;
/// assert_eq!(pool.block_on(async { 6 * 7 }), 42);
/// pool.shutdown_on_idle();
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub struct Pool<B: Backend> {
    handle: PoolHandle<B>,
    threads: Vec<ThreadHandle<()>>,
    watchdog: Option<Watchdog>,
}

impl<B: Backend> Pool<B> {
    fn stop(&mut self) {
        self.lifecycle().close();
        for remote in &self.handle.shared.remotes {
            remote.stop();
        }
        join_all(self.threads.drain(..));
        if let Some(mut watchdog) = self.watchdog.take() {
            watchdog.stop();
        }
    }

    fn lifecycle(&self) -> &Lifecycle {
        &self.handle.shared.lifecycle
    }

    /// The checks shared by `spawn_local` and `spawn_child`, and the task to spawn.
    fn task_here() -> Result<LiveTask, SpawnError> {
        let context = WorkerContext::current_for::<Self>().ok_or(SpawnError::NotOnWorker)?;
        context.lifecycle.check_open()?;
        Ok(context.lifecycle.live_task(context.index))
    }
}

impl<B: Backend> RuntimeImpl for Pool<B> {
    const CHILD_AFFINITY: bool = true;

    fn supports_park(policy: &ParkPolicy) -> bool {
        B::supports_park(policy)
    }

    fn from_config(config: PoolConfig) -> Result<Self, BuildError> {
        config.validate()?;
        if !B::supports_park(&config.park) {
            return Err(BuildError::Unsupported {
                backend: B::NAME,
                feature: "this park policy (it parks at once only)",
            });
        }
        B::check_available()?;
        let lifecycle = Lifecycle::for_pool(&config);
        let workers = Workers::<B>::start(&config, &lifecycle)?;
        let mut pool = Pool {
            handle: PoolHandle {
                shared: Arc::new(Shared {
                    placement: Placer::new(config.placement, workers.remotes.len()),
                    remotes: workers.remotes,
                    lifecycle: Arc::clone(&lifecycle),
                }),
            },
            threads: workers.threads,
            watchdog: None,
        };
        // On error, dropping `pool` stops and joins the workers.
        pool.watchdog =
            Watchdog::start(&config, &lifecycle).map_err(|source| BuildError::SpawnThread {
                worker: config.pool_size,
                source,
            })?;
        Ok(pool)
    }
}

impl<B: Backend> Runtime for Pool<B> {
    type Handle = PoolHandle<B>;
    type TcpListener = B::TcpListener;
    type TcpStream = B::TcpStream;
    type Sleep = B::Sleep;

    const NAME: &'static str = B::NAME;

    fn handle(&self) -> &PoolHandle<B> {
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
        WorkerContext::current_for::<Self>().and_then(|c| c.index)
    }

    fn spawn_local<F>(fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + 'static,
    {
        Ok(B::spawn_task(Self::task_here()?, fut))
    }

    fn spawn_child<F>(fut: F) -> Result<JoinHandle<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Ok(B::spawn_send_task(Self::task_here()?, fut))
    }

    fn sleep_until(deadline: Instant) -> B::Sleep {
        B::sleep_until(deadline)
    }
}

impl<B: Backend> Drop for Pool<B> {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.stop();
        }
    }
}

impl<B: Backend> fmt::Debug for Pool<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("backend", &B::NAME)
            .field("pool_size", &self.handle.pool_size())
            .field("live_tasks", &self.lifecycle().live())
            .finish_non_exhaustive()
    }
}
