//! [`Pool`]: a [`Runtime`] made of per-thread [`Backend`] workers.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::backend::{Backend, Remote};
use crate::config::PoolConfig;
use crate::context::{self, PoolId, WorkerContext};
use crate::error::{BuildError, SpawnError};
use crate::handle::{PoolHandle, Shared};
use crate::placement::RoundRobin;
use crate::runtime::{Handle, Runtime};
use crate::task::TaskTracker;
use crate::workers::{join_all, Workers};

/// A pool of worker threads, each running its own single-threaded runtime of backend `B`
/// with its own I/O reactor.
///
/// Top-level tasks go to workers round-robin; a task never moves; children spawned from
/// a task with [`Runtime::spawn_child`] or [`Runtime::spawn_local`] stay on its worker.
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
    threads: Vec<JoinHandle<()>>,
}

impl<B: Backend> Pool<B> {
    fn stop(&mut self) {
        self.handle.shared.closed.store(true, Ordering::Release);
        for remote in &self.handle.shared.remotes {
            remote.stop();
        }
        join_all(self.threads.drain(..));
    }

    fn id(&self) -> PoolId {
        self.handle.shared.id
    }
}

impl<B: Backend> Runtime for Pool<B> {
    type Handle = PoolHandle<B>;
    type TcpListener = B::TcpListener;
    type TcpStream = B::TcpStream;

    const NAME: &'static str = B::NAME;
    const CHILD_AFFINITY: bool = true;

    fn from_config(config: PoolConfig) -> Result<Self, BuildError> {
        let id = PoolId::next();
        let tracker = TaskTracker::new();
        let (remotes, threads) = Workers::<B>::start(&config, id, &tracker)?.into_parts();
        let shared = Shared {
            id,
            placement: RoundRobin::new(remotes.len()),
            remotes,
            tracker,
            closed: AtomicBool::new(false),
        };
        Ok(Pool {
            handle: PoolHandle {
                shared: Arc::new(shared),
            },
            threads,
        })
    }

    fn handle(&self) -> &PoolHandle<B> {
        &self.handle
    }

    #[track_caller]
    fn shutdown_on_idle(mut self) {
        assert!(
            !WorkerContext::is_in(self.id()),
            "{}",
            context::SHUTDOWN_ON_IDLE_IN_WORKER
        );
        self.handle.shared.tracker.wait_idle();
        self.stop();
    }

    fn shutdown_now(mut self) {
        self.stop();
    }

    fn current_worker() -> Option<usize> {
        WorkerContext::current_for::<Self>().and_then(|c| c.index)
    }

    fn spawn_local<F>(fut: F) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + 'static,
    {
        let context = WorkerContext::current_for::<Self>().ok_or(SpawnError::NotOnWorker)?;
        B::spawn_local(context.tracker.track(fut));
        Ok(())
    }

    fn spawn_child<F>(fut: F) -> Result<(), SpawnError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Self::spawn_local(fut)
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
            .field("live_tasks", &self.handle.shared.tracker.live())
            .finish_non_exhaustive()
    }
}
