//! The plain data a [`Builder`](crate::Builder) produces and a backend consumes.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use crate::error::BuildError;
use crate::placement::Placement;
use crate::stall::StallReport;

/// A hook run on a worker thread: [`Builder::after_start`](crate::Builder::after_start)
/// or [`Builder::before_stop`](crate::Builder::before_stop).
pub type Hook = Arc<dyn Fn() + Send + Sync + 'static>;

/// What the stall detector calls for each stall: see
/// [`Builder::on_stall`](crate::Builder::on_stall).
pub type StallHook = Arc<dyn Fn(&StallReport) + Send + Sync + 'static>;

/// Where worker threads run. See [`Builder::pinning`](crate::Builder::pinning).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Pinning {
    /// Workers are not pinned; the OS scheduler places them.
    #[default]
    None,
    /// Worker `i` is pinned to the `i % n`-th of the `n` CPUs this process may run on.
    Spread,
    /// Worker `i` is pinned to CPU `cpus[i % cpus.len()]` (CPU ids as the OS numbers them).
    Cpus(Vec<usize>),
}

/// What a worker does when it runs out of work. See
/// [`Builder::park_policy`](crate::Builder::park_policy).
///
/// Parking (blocking in the reactor's poll) frees the CPU, but waking a parked thread
/// costs a system call and, when its CPU has gone idle, that CPU's wake-up: tens of
/// microseconds on a virtual machine. Spinning keeps polling without blocking, so a
/// wake-up from another thread or the network is seen at once, at the price of the CPU
/// time spent spinning.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParkPolicy {
    /// Park as soon as there is nothing to do.
    #[default]
    Immediate,
    /// After the last event, keep polling the reactor and the remote queue without
    /// blocking for up to this long, then park.
    Spin(Duration),
    /// Never park: poll without blocking forever. For workers on dedicated cores.
    Never,
}

/// A validated pool configuration.
///
/// Made by [`Builder`](crate::Builder), which owns the defaults and validation; a backend
/// receives it in [`RuntimeImpl::from_config`](crate::backend::RuntimeImpl::from_config) and uses the
/// helpers here for the mechanics every backend shares (thread names, pinning, hooks).
/// It is `#[non_exhaustive]`: only a [`Builder`](crate::Builder) makes one, and
/// `from_config` checks it again with [`validate`](PoolConfig::validate), since its
/// fields are public.
#[derive(Clone)]
#[non_exhaustive]
pub struct PoolConfig {
    /// Number of worker threads, at least 1.
    pub pool_size: usize,
    /// Worker `i` (0-based) is named `{name_prefix}{i + 1}`.
    pub name_prefix: String,
    /// Stack size of each worker thread in bytes; `None` keeps the std default.
    pub stack_size: Option<usize>,
    /// Run on each worker after it starts, before its event loop.
    pub after_start: Option<Hook>,
    /// Run on each worker after its event loop ends.
    pub before_stop: Option<Hook>,
    /// CPU placement of the workers.
    pub pinning: Pinning,
    /// What a worker does when idle.
    pub park: ParkPolicy,
    /// How top-level spawns pick a worker.
    pub placement: Placement,
    /// Report task polls that run this long or longer; `None`: no stall detector.
    pub stall_threshold: Option<Duration>,
    /// Called for each stall; `None`: one line on stderr.
    pub on_stall: Option<StallHook>,
}

impl PoolConfig {
    /// Checks the configuration.
    ///
    /// ```
    /// use pool_core::BuildError;
    ///
    /// let mut config = pool_core::backend::PoolConfig::from_builder(&pool_core::Builder::new());
    /// config.pool_size = 0;
    /// assert!(matches!(config.validate(), Err(BuildError::ZeroPoolSize)));
    /// ```
    ///
    /// # Errors
    ///
    /// - [`BuildError::ZeroPoolSize`] if the pool size is 0;
    /// - [`BuildError::NoCpus`] if [`Pinning::Cpus`] lists no CPU;
    /// - [`BuildError::NoSuchCpu`] if it names a CPU this process may not run on;
    /// - [`BuildError::ZeroStallThreshold`] if the stall threshold is zero.
    pub fn validate(&self) -> Result<(), BuildError> {
        if self.pool_size == 0 {
            return Err(BuildError::ZeroPoolSize);
        }
        if self.stall_threshold == Some(Duration::ZERO) {
            return Err(BuildError::ZeroStallThreshold);
        }
        if let Pinning::Cpus(cpus) = &self.pinning {
            if cpus.is_empty() {
                return Err(BuildError::NoCpus);
            }
            let available = available_cpus();
            if let Some(&cpu) = cpus.iter().find(|c| !available.contains(c)) {
                return Err(BuildError::NoSuchCpu { cpu, available });
            }
        }
        Ok(())
    }

    /// The name of worker `index` (0-based): `{name_prefix}{index + 1}`.
    ///
    /// ```
    /// use pool_core::backend::PoolConfig;
    /// use pool_core::Builder;
    ///
    /// let config = PoolConfig::from_builder(Builder::new().name_prefix("io-"));
    /// assert_eq!(config.thread_name(0), "io-1");
    /// ```
    pub fn thread_name(&self, index: usize) -> String {
        format!("{}{}", self.name_prefix, index + 1)
    }

    /// The CPU worker `index` should be pinned to, if any.
    ///
    /// ```
    /// use pool_core::backend::PoolConfig;
    /// use pool_core::{Builder, Pinning};
    ///
    /// let config = PoolConfig::from_builder(Builder::new().pinning(Pinning::Cpus(vec![0])));
    /// assert_eq!(config.cpu_for(3), Some(0));
    /// ```
    pub fn cpu_for(&self, index: usize) -> Option<usize> {
        match &self.pinning {
            Pinning::None => None,
            Pinning::Spread => {
                let cpus = available_cpus();
                (!cpus.is_empty()).then(|| cpus[index % cpus.len()])
            }
            Pinning::Cpus(cpus) => (!cpus.is_empty()).then(|| cpus[index % cpus.len()]),
        }
    }

    /// Pins the calling thread as worker `index` according to [`pinning`](Self::pinning).
    ///
    /// # Errors
    ///
    /// [`BuildError::PinFailed`] if the OS refused the affinity change.
    pub fn pin_current_thread(&self, index: usize) -> Result<(), BuildError> {
        let Some(cpu) = self.cpu_for(index) else {
            return Ok(());
        };
        if core_affinity::set_for_current(core_affinity::CoreId { id: cpu }) {
            Ok(())
        } else {
            Err(BuildError::PinFailed { worker: index, cpu })
        }
    }

    /// Runs the `after_start` hook, if any, catching a panic.
    ///
    /// # Errors
    ///
    /// [`BuildError::HookPanicked`] if the hook panicked.
    pub fn run_after_start(&self, index: usize) -> Result<(), BuildError> {
        run_hook(self.after_start.as_ref(), index, "after_start")
    }

    /// Runs the `before_stop` hook, if any, catching a panic.
    ///
    /// # Errors
    ///
    /// [`BuildError::HookPanicked`] if the hook panicked.
    pub fn run_before_stop(&self, index: usize) -> Result<(), BuildError> {
        run_hook(self.before_stop.as_ref(), index, "before_stop")
    }
}

fn run_hook(hook: Option<&Hook>, index: usize, name: &'static str) -> Result<(), BuildError> {
    match hook {
        None => Ok(()),
        Some(hook) => {
            catch_unwind(AssertUnwindSafe(|| hook())).map_err(|_| BuildError::HookPanicked {
                worker: index,
                hook: name,
            })
        }
    }
}

/// The CPU ids this process may run on, ascending.
fn available_cpus() -> Vec<usize> {
    let mut ids: Vec<usize> = core_affinity::get_core_ids()
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.id)
        .collect();
    ids.sort_unstable();
    ids
}

impl fmt::Debug for PoolConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hook = |h: &Option<Hook>| if h.is_some() { "Some(...)" } else { "None" };
        f.debug_struct("PoolConfig")
            .field("pool_size", &self.pool_size)
            .field("name_prefix", &self.name_prefix)
            .field("stack_size", &self.stack_size)
            .field("after_start", &hook(&self.after_start))
            .field("before_stop", &hook(&self.before_stop))
            .field("pinning", &self.pinning)
            .field("park", &self.park)
            .field("placement", &self.placement)
            .field("stall_threshold", &self.stall_threshold)
            .field("on_stall", &self.on_stall.as_ref().map(|_| "..."))
            .finish()
    }
}
