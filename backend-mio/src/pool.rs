//! [`MioBackend`]: the per-thread backend built on this crate's executor and reactor.

use std::io;
use std::time::Instant;

use pool_core::backend::{Backend, PoolConfig};
use pool_core::{ParkPolicy, Pool};
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

    pool_exec::spawn_fns!("MioPool");

    fn sleep_until(deadline: Instant) -> Sleep {
        sleep_until(deadline)
    }
}
