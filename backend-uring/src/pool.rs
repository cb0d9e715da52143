//! [`UringBackend`]: the per-thread backend built on the shared executor and an
//! io_uring per worker.

use std::io;
use std::time::Instant;

use pool_core::backend::{Backend, PoolConfig};
use pool_core::{BuildError, ParkPolicy, Pool};
use pool_exec::time::{sleep_until, Sleep};
use pool_exec::ExecRemote;

use crate::net::{TcpListener, TcpStream};
use crate::probe;
use crate::worker::{self, UringWorker};

/// The io_uring backend. Use it through [`UringPool`].
#[derive(Debug, Clone, Copy, Default)]
pub struct UringBackend;

impl UringBackend {
    pub(crate) const NAME_STR: &'static str = "uring";
}

/// The io_uring backend with every multishot path turned off (see
/// [`fallback_features`](crate::fallback_features)). Use it through
/// [`UringFallbackPool`].
#[derive(Debug, Clone, Copy, Default)]
pub struct UringFallbackBackend;

/// A [`UringPool`] that takes the paths of kernels before 5.19 (single-shot accepts,
/// owned-buffer receives) whatever this kernel offers: to test and measure them.
///
/// ```
/// use backend_uring::UringFallbackPool;
/// use pool_core::{Builder, Runtime};
///
/// if let Ok(pool) = Builder::new().pool_size(1).build::<UringFallbackPool>() {
///     assert_eq!(pool.block_on(async { 6 * 7 }), 42);
/// }
/// ```
pub type UringFallbackPool = Pool<UringFallbackBackend>;

/// A pool of worker threads, each running the shared executor on its own io_uring.
///
/// `build()` fails with [`BuildError::Unavailable`] where io_uring cannot be used.
///
/// ```
/// use backend_uring::UringPool;
/// use pool_core::{BuildError, Builder, Runtime};
///
/// match Builder::new().pool_size(2).build::<UringPool>() {
///     Ok(pool) => {
///         assert_eq!(pool.block_on(async { UringPool::current_worker() }), Some(0));
///         pool.shutdown_on_idle();
///     }
///     Err(BuildError::Unavailable { reason, .. }) => println!("no io_uring: {reason}"),
///     Err(e) => panic!("{e}"),
/// }
/// ```
pub type UringPool = Pool<UringBackend>;

/// The `Backend` impl of a uring backend type: its name, and the features it runs on.
macro_rules! uring_backend {
    ($backend:ty, $name:expr, $features:path) => {
        impl Backend for $backend {
            type Worker = UringWorker;
            type Remote = ExecRemote;
            type TcpListener = TcpListener;
            type TcpStream = TcpStream;
            type Sleep = Sleep;

            const NAME: &'static str = $name;

            fn new_worker(_index: usize, config: &PoolConfig) -> io::Result<UringWorker> {
                let features = $features().map_err(io::Error::other)?;
                worker::new(features, config.park.clone())
            }

            /// Every policy: the worker spins by entering its ring without waiting.
            fn supports_park(_policy: &ParkPolicy) -> bool {
                true
            }

            /// Probes the kernel (once per process): io_uring must set up, with the
            /// operations the backend uses.
            fn check_available() -> Result<(), BuildError> {
                probe::check().map(drop)
            }

            pool_exec::spawn_fns!("UringPool");

            fn sleep_until(deadline: Instant) -> Sleep {
                sleep_until(deadline)
            }
        }
    };
}

uring_backend!(UringBackend, UringBackend::NAME_STR, probe::features);
uring_backend!(
    UringFallbackBackend,
    "uring-fallback",
    probe::fallback_features
);
