//! Error types, one per failing operation.

use std::error::Error;
use std::fmt;
use std::io;

/// Why a pool could not be built. Returned by [`Builder::build`](crate::Builder::build).
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// `pool_size(0)`: a pool needs at least one worker. Pass 1 or more, or leave the
    /// default (the number of logical CPUs).
    ZeroPoolSize,
    /// `Pinning::Cpus` with an empty list. Name at least one CPU, or use `Pinning::None`.
    NoCpus,
    /// `Pinning::Cpus` names a CPU this process may not run on. Pick one of `available`.
    NoSuchCpu {
        /// The CPU asked for.
        cpu: usize,
        /// The CPUs this process may run on.
        available: Vec<usize>,
    },
    /// The OS refused to pin a worker to its CPU.
    PinFailed {
        /// The worker index (0-based).
        worker: usize,
        /// The CPU it was to run on.
        cpu: usize,
    },
    /// A worker thread could not be spawned (usually a thread or memory limit).
    SpawnThread {
        /// The worker index (0-based).
        worker: usize,
        /// The OS error.
        source: io::Error,
    },
    /// A worker's runtime could not be created (for example, out of file descriptors
    /// for its reactor).
    Runtime {
        /// The worker index (0-based).
        worker: usize,
        /// The error the backend reported.
        source: io::Error,
    },
    /// A hook panicked on a worker. Fix the hook.
    HookPanicked {
        /// The worker index (0-based).
        worker: usize,
        /// `"after_start"` or `"before_stop"`.
        hook: &'static str,
    },
    /// A worker thread exited before reporting that it started (a backend bug).
    WorkerExited {
        /// The worker index (0-based).
        worker: usize,
    },
    /// `stall_detector(Duration::ZERO)`: every poll would be a stall. Pass a threshold
    /// above the longest poll you consider healthy (tens of milliseconds, say).
    ZeroStallThreshold,
    /// The backend cannot do what the configuration asks (for example a
    /// [`ParkPolicy`](crate::ParkPolicy) other than `Immediate` on tokio, or a
    /// [`Placement`](crate::Placement) other than `RoundRobin` on tokio's multi-thread
    /// runtime). Use the default for that setting, or a backend that supports it.
    Unsupported {
        /// The backend's name.
        backend: &'static str,
        /// What it cannot do.
        feature: &'static str,
    },
    /// The backend cannot run on this machine: the kernel interface it is built on is
    /// missing (too old a kernel), disabled (a sysctl) or refused (seccomp, a
    /// container's policy). `reason` says which. Use another backend.
    Unavailable {
        /// The backend's name.
        backend: &'static str,
        /// Why it is unavailable, as the backend's probe found it.
        reason: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::ZeroPoolSize => f.write_str("pool size must be at least 1"),
            BuildError::NoCpus => f.write_str("CPU pinning was asked for with an empty CPU list"),
            BuildError::ZeroStallThreshold => {
                f.write_str("the stall detector's threshold must be above zero")
            }
            BuildError::NoSuchCpu { cpu, available } => {
                write!(
                    f,
                    "cannot pin to CPU {cpu}: this process may run on CPUs {available:?}"
                )
            }
            BuildError::PinFailed { worker, cpu } => {
                write!(f, "the OS refused to pin worker {worker} to CPU {cpu}")
            }
            BuildError::SpawnThread { worker, source } => {
                write!(f, "failed to spawn the thread of worker {worker}: {source}")
            }
            BuildError::Runtime { worker, source } => {
                write!(
                    f,
                    "failed to create the runtime of worker {worker}: {source}"
                )
            }
            BuildError::HookPanicked { worker, hook } => {
                write!(f, "the {hook} hook panicked on worker {worker}")
            }
            BuildError::WorkerExited { worker } => {
                write!(f, "worker {worker} exited before it finished starting")
            }
            BuildError::Unsupported { backend, feature } => {
                write!(f, "the {backend} backend does not support {feature}")
            }
            BuildError::Unavailable { backend, reason } => {
                write!(f, "the {backend} backend is unavailable here: {reason}")
            }
        }
    }
}

impl Error for BuildError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            BuildError::SpawnThread { source, .. } | BuildError::Runtime { source, .. } => {
                Some(source)
            }
            _ => None,
        }
    }
}

/// Why a task could not be spawned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpawnError {
    /// The pool has been shut down (or is shutting down); it accepts no new tasks.
    Shutdown,
    /// A local spawn ([`Runtime::spawn_local`](crate::Runtime::spawn_local),
    /// [`Runtime::spawn_child`](crate::Runtime::spawn_child)) was called on a thread that
    /// is not a worker of this kind of pool. Use a [`Handle`](crate::Handle) instead.
    NotOnWorker,
    /// [`Handle::spawn_on`](crate::Handle::spawn_on) named a worker the pool does not have.
    NoSuchWorker {
        /// The index asked for.
        worker: usize,
        /// The pool size.
        pool_size: usize,
    },
    /// The backend cannot do this; the message says why and what to use instead.
    Unsupported(&'static str),
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::Shutdown => f.write_str("the pool is shut down"),
            SpawnError::NotOnWorker => {
                f.write_str("local spawn called outside a worker of this pool; use a Handle")
            }
            SpawnError::NoSuchWorker { worker, pool_size } => {
                write!(f, "no worker {worker} in a pool of {pool_size}")
            }
            SpawnError::Unsupported(why) => write!(f, "unsupported by this backend: {why}"),
        }
    }
}

impl Error for SpawnError {}

/// Why a [`SpawnAll`](crate::SpawnAll) future stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamSpawnError<E> {
    /// Spawning an item failed (the pool shut down); the stream was not polled further.
    Spawn(SpawnError),
    /// The stream yielded an error; items after it were not spawned.
    Stream(E),
}

impl<E> From<SpawnError> for StreamSpawnError<E> {
    fn from(e: SpawnError) -> Self {
        StreamSpawnError::Spawn(e)
    }
}

impl<E: fmt::Display> fmt::Display for StreamSpawnError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamSpawnError::Spawn(e) => write!(f, "failed to spawn a stream item: {e}"),
            StreamSpawnError::Stream(e) => write!(f, "the stream failed: {e}"),
        }
    }
}

impl<E: Error + 'static> Error for StreamSpawnError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            StreamSpawnError::Spawn(e) => Some(e),
            StreamSpawnError::Stream(e) => Some(e),
        }
    }
}
