//! The implementor's half of [`Runtime`](crate::Runtime): how a runtime starts from a
//! [`PoolConfig`] and what it can honour, kept out of the user's API at the crate root.

use crate::builder::Builder;
use crate::config::{ParkPolicy, PoolConfig};
use crate::error::{BuildError, SpawnError};

/// What every [`Runtime`](crate::Runtime) implements beyond the user's API: its start
/// from a validated configuration, and what it can honour. It is a supertrait of
/// `Runtime`, so generic code reads `R::CHILD_AFFINITY` or `R::supports_park(..)` with
/// only `R: Runtime` in scope.
///
/// # Implementing
///
/// A per-thread backend gets this through [`Pool`](crate::Pool), from its
/// [`Backend`](super::Backend). A direct `Runtime` implements it by hand (as tokio's
/// multi-thread adapter does) and runs the conformance kit (feature `conformance`).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use pool_core::{ParkPolicy, Runtime};
///
/// /// Spin if the backend can, else park at once.
/// pub fn spin_or_park<R: Runtime>() -> ParkPolicy {
///     let spin = ParkPolicy::Spin(Duration::from_micros(50));
///     if R::supports_park(&spin) { spin } else { ParkPolicy::Immediate }
/// }
/// assert_eq!(spin_or_park::<backend_tokio::TokioPool>(), ParkPolicy::Immediate);
///
/// /// Whether a child task stays on its parent's worker.
/// pub fn children_stay<R: Runtime>() -> bool {
///     R::CHILD_AFFINITY
/// }
/// assert!(children_stay::<backend_tokio::TokioPool>());
/// assert!(!children_stay::<backend_tokio::TokioMultiThread>());
/// ```
pub trait RuntimeImpl: Sized {
    /// Whether children stay on their parent's worker and
    /// [`current_worker`](crate::Runtime::current_worker) returns an index. `false` for
    /// a work-stealing runtime, where a task may run on any worker.
    const CHILD_AFFINITY: bool;

    /// Starts the pool from a validated configuration. Users call
    /// [`Builder::build`](crate::Builder::build), which calls this.
    ///
    /// # Errors
    ///
    /// See [`BuildError`]. On error no worker of this pool is left running.
    fn from_config(config: PoolConfig) -> Result<Self, BuildError>;

    /// Whether this runtime can run its workers under `policy`;
    /// [`build`](crate::Builder::build) refuses the policies it cannot with
    /// [`BuildError::Unsupported`]. The default honours [`ParkPolicy::Immediate`] only.
    fn supports_park(policy: &ParkPolicy) -> bool {
        matches!(policy, ParkPolicy::Immediate)
    }
}

impl PoolConfig {
    /// The configuration `builder` holds, as it stands: not validated (call
    /// [`validate`](PoolConfig::validate)). For backend tests and tools that need a
    /// configuration without starting a pool.
    ///
    /// ```
    /// use pool_core::backend::PoolConfig;
    /// use pool_core::Builder;
    ///
    /// let config = PoolConfig::from_builder(Builder::new().pool_size(3).name_prefix("io-"));
    /// assert_eq!(config.thread_name(2), "io-3");
    /// assert!(config.validate().is_ok());
    /// ```
    pub fn from_builder(builder: &Builder) -> PoolConfig {
        builder.config().clone()
    }
}

/// `Ok` if `worker` is an index of a pool of `pool_size` workers, else
/// [`SpawnError::NoSuchWorker`]. For [`Handle::spawn_on`](crate::Handle::spawn_on)
/// implementations.
///
/// ```
/// use pool_core::backend::check_worker;
/// use pool_core::SpawnError;
///
/// assert_eq!(check_worker(1, 2), Ok(()));
/// assert_eq!(
///     check_worker(2, 2),
///     Err(SpawnError::NoSuchWorker { worker: 2, pool_size: 2 })
/// );
/// ```
///
/// # Errors
///
/// [`SpawnError::NoSuchWorker`] if `worker >= pool_size`.
pub fn check_worker(worker: usize, pool_size: usize) -> Result<(), SpawnError> {
    if worker < pool_size {
        Ok(())
    } else {
        Err(SpawnError::NoSuchWorker { worker, pool_size })
    }
}
