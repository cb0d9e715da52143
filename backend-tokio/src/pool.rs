//! [`TokioBackend`]: the per-thread backend, one tokio current-thread runtime per worker.

use std::future::Future;
use std::io;
use std::time::Instant;

use pool_core::backend::{join_tokio, Backend, LiveTask, PoolConfig};
use pool_core::{JoinHandle, Pool};

use crate::handle::TokioRemote;
use crate::net::{TcpListener, TcpStream};
use crate::time::Sleep;
use crate::worker::TokioWorker;

/// The per-thread tokio backend. Use it through [`TokioPool`].
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioBackend;

/// A pool of tokio current-thread runtimes, one per worker thread.
///
/// ```
/// use backend_tokio::TokioPool;
/// use pool_core::{Builder, Runtime};
///
/// let pool: TokioPool = Builder::new().pool_size(2).build()?;
/// assert_eq!(pool.block_on(async { TokioPool::current_worker() }), Some(0));
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub type TokioPool = Pool<TokioBackend>;

impl Backend for TokioBackend {
    type Worker = TokioWorker;
    type Remote = TokioRemote;
    type TcpListener = TcpListener;
    type TcpStream = TcpStream;
    type Sleep = Sleep;

    const NAME: &'static str = "tokio";

    fn new_worker(_index: usize, _config: &PoolConfig) -> io::Result<TokioWorker> {
        TokioWorker::new()
    }

    fn spawn_local<F: Future<Output = ()> + 'static>(fut: F) {
        // The pool only calls this on a worker, inside `LocalSet::block_on`.
        drop(tokio::task::spawn_local(fut));
    }

    /// tokio's task allocation holds the output and the join waker: the pool's handle
    /// wraps tokio's, so the spawn allocates once.
    fn spawn_task<F: Future + 'static>(task: LiveTask, fut: F) -> JoinHandle<F::Output> {
        join_tokio(tokio::task::spawn_local(task.wrap(fut)))
    }

    fn sleep_until(deadline: Instant) -> Sleep {
        Sleep::until(deadline)
    }
}
