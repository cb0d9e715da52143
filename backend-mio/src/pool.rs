//! [`MioBackend`]: the per-thread backend built on this crate's executor and reactor.

use std::future::Future;
use std::io;
use std::time::Instant;

use pool_core::backend::{Backend, LiveTask, PoolConfig};
use pool_core::{JoinHandle, ParkPolicy, Pool};
use pool_exec::ExecRemote;

use crate::net::{TcpListener, TcpStream};
use crate::worker::{self, MioWorker};
use pool_exec::time::{sleep_until, Sleep};

/// The mio backend. Use it through [`MioPool`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MioBackend;

/// A pool of worker threads, each running this crate's executor on its own
/// `mio::Poll`.
///
/// ```
/// use backend_mio::MioPool;
/// use pool_core::{Builder, Runtime};
///
/// let pool: MioPool = Builder::new().pool_size(2).build()?;
/// assert_eq!(pool.block_on(async { MioPool::current_worker() }), Some(0));
/// pool.shutdown_on_idle();
/// # Ok::<(), pool_core::BuildError>(())
/// ```
pub type MioPool = Pool<MioBackend>;

impl Backend for MioBackend {
    type Worker = MioWorker;
    type Remote = ExecRemote;
    type TcpListener = TcpListener;
    type TcpStream = TcpStream;
    type Sleep = Sleep;

    const NAME: &'static str = "mio";

    fn new_worker(_index: usize, config: &PoolConfig) -> io::Result<MioWorker> {
        worker::new(config.park.clone())
    }

    /// Every policy: the worker spins by polling `epoll_wait` with a zero timeout.
    fn supports_park(_policy: &ParkPolicy) -> bool {
        true
    }

    #[track_caller]
    fn spawn_local<F: Future<Output = ()> + 'static>(fut: F) {
        assert!(
            pool_exec::current::spawn(fut),
            "MioBackend::spawn_local called outside a MioPool worker"
        );
    }

    #[track_caller]
    fn spawn_send_task<F>(task: LiveTask, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        pool_exec::current::spawn_send_task(task, fut)
            .expect("MioBackend::spawn_send_task called outside a MioPool worker")
    }

    fn sleep_until(deadline: Instant) -> Sleep {
        sleep_until(deadline)
    }
}
