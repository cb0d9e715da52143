//! [`Builder`]: the one way to configure and start a pool on any backend.

use std::sync::Arc;
use std::time::Duration;

use crate::config::{ParkPolicy, Pinning, PoolConfig};
use crate::error::BuildError;
use crate::placement::Placement;
use crate::runtime::Runtime;
use crate::stall::StallReport;

/// Configures and starts a pool on any backend.
///
/// The setters are chainable and [`build`](Builder::build) borrows the builder, so one
/// builder can start several pools (on the same or different backends).
///
/// ```
/// use backend_tokio::TokioPool;
/// use pool_core::{Builder, Runtime};
///
/// let pool: TokioPool = Builder::new().pool_size(2).name_prefix("io-").build()?;
/// let (tx, rx) = std::sync::mpsc::channel();
/// pool.spawn(async move { tx.send(std::thread::current().name().map(String::from)).unwrap() })?;
/// assert_eq!(rx.recv().unwrap().as_deref(), Some("io-1"));
/// pool.shutdown_on_idle();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Builder {
    config: PoolConfig,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            config: PoolConfig {
                pool_size: num_cpus::get(),
                name_prefix: "iopool-worker-".to_owned(),
                stack_size: None,
                after_start: None,
                before_stop: None,
                pinning: Pinning::None,
                park: ParkPolicy::Immediate,
                placement: Placement::RoundRobin,
                stall_threshold: None,
                on_stall: None,
            },
        }
    }
}

impl Builder {
    /// A builder with the defaults listed on each setter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the number of worker threads.
    ///
    /// # Default
    ///
    /// The number of logical CPUs (`num_cpus::get()`). Zero is rejected by
    /// [`build`](Builder::build) with [`BuildError::ZeroPoolSize`].
    ///
    /// # Examples
    ///
    /// ```
    /// use backend_tokio::TokioPool;
    /// use pool_core::{BuildError, Builder, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(3).build()?;
    /// assert_eq!(pool.pool_size(), 3);
    /// let zero = Builder::new().pool_size(0).build::<TokioPool>();
    /// assert!(matches!(zero, Err(BuildError::ZeroPoolSize)));
    /// # Ok::<(), BuildError>(())
    /// ```
    pub fn pool_size(&mut self, n: usize) -> &mut Self {
        self.config.pool_size = n;
        self
    }

    /// Sets the worker thread name prefix: worker `i` is named `{prefix}{i}`, `i` from 1.
    ///
    /// # Default
    ///
    /// `"iopool-worker-"`.
    ///
    /// # Examples
    ///
    /// ```
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(1).name_prefix("net-").build()?;
    /// let name = pool.block_on(async { std::thread::current().name().map(String::from) });
    /// assert_eq!(name.as_deref(), Some("net-1"));
    /// # Ok::<(), pool_core::BuildError>(())
    /// ```
    pub fn name_prefix(&mut self, prefix: impl Into<String>) -> &mut Self {
        self.config.name_prefix = prefix.into();
        self
    }

    /// Sets the stack size of each worker thread, in bytes.
    ///
    /// # Default
    ///
    /// The std default for spawned threads (2 MiB unless `RUST_MIN_STACK` says otherwise).
    ///
    /// # Examples
    ///
    /// ```
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let pool: TokioPool = Builder::new().pool_size(1).stack_size(4 << 20).build()?;
    /// assert_eq!(pool.block_on(async { 1 + 1 }), 2);
    /// # Ok::<(), pool_core::BuildError>(())
    /// ```
    pub fn stack_size(&mut self, bytes: usize) -> &mut Self {
        self.config.stack_size = Some(bytes);
        self
    }

    /// Runs `f` on each worker thread after it starts and before it serves tasks.
    ///
    /// [`build`](Builder::build) returns after every worker has run it. A panic in the
    /// hook fails the build with [`BuildError::HookPanicked`].
    ///
    /// # Default
    ///
    /// No hook.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// use backend_tokio::TokioPool;
    /// use pool_core::Builder;
    ///
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let count = Arc::clone(&started);
    /// let _pool: TokioPool = Builder::new()
    ///     .pool_size(2)
    ///     .after_start(move || {
    ///         count.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()?;
    /// assert_eq!(started.load(Ordering::SeqCst), 2); // build() waited for both
    /// # Ok::<(), pool_core::BuildError>(())
    /// ```
    pub fn after_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.config.after_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on each worker thread after it stops serving tasks, before it exits.
    ///
    /// A panic in the hook is caught and reported on stderr; shutdown continues.
    ///
    /// # Default
    ///
    /// No hook.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let stopped = Arc::new(AtomicUsize::new(0));
    /// let count = Arc::clone(&stopped);
    /// let pool: TokioPool = Builder::new()
    ///     .pool_size(2)
    ///     .before_stop(move || {
    ///         count.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()?;
    /// pool.shutdown_on_idle(); // joins the workers, so both hooks have run
    /// assert_eq!(stopped.load(Ordering::SeqCst), 2);
    /// # Ok::<(), pool_core::BuildError>(())
    /// ```
    pub fn before_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.config.before_stop = Some(Arc::new(f));
        self
    }

    /// Pins worker threads to CPUs.
    ///
    /// # Default
    ///
    /// [`Pinning::None`].
    ///
    /// # Examples
    ///
    /// ```
    /// use backend_tokio::TokioPool;
    /// use pool_core::{BuildError, Builder, Pinning, Runtime};
    ///
    /// // Spread the workers over the CPUs this process may use.
    /// let pool: TokioPool = Builder::new().pool_size(2).pinning(Pinning::Spread).build()?;
    /// pool.shutdown_now();
    /// // A CPU the process may not use is an error, not a panic.
    /// let far = Builder::new().pinning(Pinning::Cpus(vec![100_000])).build::<TokioPool>();
    /// assert!(matches!(far, Err(BuildError::NoSuchCpu { .. })));
    /// # Ok::<(), BuildError>(())
    /// ```
    pub fn pinning(&mut self, pinning: Pinning) -> &mut Self {
        self.config.pinning = pinning;
        self
    }

    /// Sets what an idle worker does: park at once, spin for a while first, or never
    /// park. See [`ParkPolicy`] for the trade-off.
    ///
    /// Backends that cannot honour a policy refuse it: [`build`](Builder::build)
    /// returns [`BuildError::Unsupported`] (ask first with
    /// [`supports_park`](crate::backend::RuntimeImpl::supports_park)). `backend-mio`
    /// and `backend-uring` honour all three; tokio's runtimes (per-thread and
    /// multi-thread) park at once only, since tokio has no setting for it.
    ///
    /// # Default
    ///
    /// [`ParkPolicy::Immediate`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use backend_tokio::TokioPool;
    /// use pool_core::{BuildError, Builder, ParkPolicy};
    ///
    /// let spin = ParkPolicy::Spin(Duration::from_micros(50));
    /// let refused = Builder::new().park_policy(spin).build::<TokioPool>();
    /// assert!(matches!(refused, Err(BuildError::Unsupported { .. })));
    /// ```
    pub fn park_policy(&mut self, policy: ParkPolicy) -> &mut Self {
        self.config.park = policy;
        self
    }

    /// Sets how [`Handle::spawn`](crate::Handle::spawn) and
    /// [`Handle::spawn_pinned`](crate::Handle::spawn_pinned) pick a worker. See
    /// [`Placement`] for the policies and their cost; explicit placements
    /// (`spawn_on`, `spawn_child`, `spawn_local`) are not affected.
    ///
    /// Every per-thread pool ([`Pool`](crate::Pool)) honours all policies. tokio's
    /// multi-thread runtime places tasks itself (its workers steal work from each
    /// other), so it refuses any policy but `RoundRobin` with
    /// [`BuildError::Unsupported`] rather than ignore it.
    ///
    /// # Default
    ///
    /// [`Placement::RoundRobin`].
    ///
    /// # Examples
    ///
    /// ```
    /// use backend_tokio::{TokioMultiThread, TokioPool};
    /// use pool_core::{BuildError, Builder, Handle, Placement, Runtime};
    ///
    /// let pool: TokioPool = Builder::new()
    ///     .pool_size(2)
    ///     .placement(Placement::LeastLoaded)
    ///     .build()?;
    /// // Worker 0 holds a task that never ends...
    /// pool.handle().spawn_on(0, std::future::pending::<()>())?;
    /// // ...so the least loaded worker is worker 1.
    /// assert_eq!(pool.block_on(async { TokioPool::current_worker() }), Some(1));
    /// pool.shutdown_now();
    ///
    /// let refused = Builder::new()
    ///     .placement(Placement::PowerOfTwoChoices)
    ///     .build::<TokioMultiThread>();
    /// assert!(matches!(refused, Err(BuildError::Unsupported { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn placement(&mut self, placement: Placement) -> &mut Self {
        self.config.placement = placement;
        self
    }

    /// Turns on the stall detector: a task poll that runs for `threshold` or longer
    /// (a task that blocks its worker, or computes without yielding) is reported once,
    /// while it still runs, to the [`on_stall`](Builder::on_stall) hook, and counted in
    /// [`WorkerMetrics::stalls`](crate::WorkerMetrics::stalls).
    ///
    /// # How it works
    ///
    /// Around each poll of a task spawned through the pool, the worker counts the
    /// poll's start and end in an atomic of its own (two plain stores per poll, no
    /// clock read; without the detector, one untaken branch). One watchdog thread per
    /// pool, named `{name_prefix}watchdog`, looks four times per threshold, times each
    /// poll from when it first sees it running, and reports a poll it has seen running
    /// for the threshold. A stall is reported between `threshold` and
    /// `1.25 * threshold` after the poll started, give or take the watchdog's own
    /// scheduling delay; a stalled poll that ends before the watchdog has seen it
    /// running for the threshold is not reported. Time a worker spends outside task polls (its reactor,
    /// runtime-native tasks such as those of `tokio::spawn`) is not watched.
    ///
    /// Per-thread pools ([`Pool`](crate::Pool)) support it. tokio's multi-thread
    /// runtime refuses it with [`BuildError::Unsupported`]: its tasks move between
    /// worker threads whose indices pool-core does not know.
    ///
    /// # Default
    ///
    /// Off.
    ///
    /// # Errors
    ///
    /// [`build`](Builder::build) returns [`BuildError::ZeroStallThreshold`] for a zero
    /// threshold.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let (tx, rx) = mpsc::channel();
    /// let tx = std::sync::Mutex::new(tx);
    /// let pool: TokioPool = Builder::new()
    ///     .pool_size(1)
    ///     .stall_detector(Duration::from_millis(20))
    ///     .on_stall(move |report| tx.lock().unwrap().send(report.clone()).unwrap())
    ///     .build()?;
    /// // A task that blocks its worker (never do this in real code).
    /// pool.block_on(async { std::thread::sleep(Duration::from_millis(200)) });
    /// let report = rx.recv()?;
    /// assert_eq!(report.worker, 0);
    /// assert!(report.elapsed >= Duration::from_millis(20));
    /// assert_eq!(pool.metrics().workers[0].stalls, Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stall_detector(&mut self, threshold: Duration) -> &mut Self {
        self.config.stall_threshold = Some(threshold);
        self
    }

    /// Sets what the stall detector does with each stall (see
    /// [`stall_detector`](Builder::stall_detector), which turns it on). The hook runs
    /// on the pool's watchdog thread; a panic in it is caught and printed.
    ///
    /// # Default
    ///
    /// Writes the report's one-line [`Display`](std::fmt::Display) form to stderr.
    ///
    /// # Examples
    ///
    /// See [`stall_detector`](Builder::stall_detector).
    pub fn on_stall<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn(&StallReport) + Send + Sync + 'static,
    {
        self.config.on_stall = Some(Arc::new(f));
        self
    }

    /// The configuration as it stands, before validation (implementors reach it through
    /// [`PoolConfig::from_builder`]).
    pub(crate) fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// Starts a pool on backend `R`.
    ///
    /// Returns only when every worker is up (its `after_start` hook has run). If any
    /// worker fails to start, the workers already started are shut down and joined
    /// before the error is returned.
    ///
    /// # Errors
    ///
    /// - [`BuildError::ZeroPoolSize`] if the pool size is 0;
    /// - [`BuildError::NoCpus`] if [`Pinning::Cpus`] lists no CPU;
    /// - [`BuildError::NoSuchCpu`] if it names a CPU this process may not run on;
    /// - [`BuildError::ZeroStallThreshold`] if the stall threshold is zero;
    /// - [`BuildError::Unsupported`] for a setting the backend cannot honour;
    /// - the start-up failures listed on [`BuildError`].
    pub fn build<R: Runtime>(&self) -> Result<R, BuildError> {
        self.config.validate()?;
        R::from_config(self.config.clone())
    }
}
