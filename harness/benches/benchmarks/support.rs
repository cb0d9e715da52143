//! What every case shares: the loop over the backends, the pool they run on, and a
//! countdown that tells a waiter when a batch of tasks has finished.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use futures::channel::oneshot;
use harness::backend::{BackendKind, WithBackend};
use pool_core::{BuildError, Builder, ParkPolicy, Runtime};

/// Workers per pool: the benchmark machine has 2 cores.
pub(super) const POOL_SIZE: usize = 2;

/// One benchmark case: a body written once, generic over the backend.
pub(super) trait Case {
    /// Adds this case's benchmarks for backend `R`, on pools that `target` builds, to
    /// `group`, each named [`Target::id`].
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>, target: &Target);
}

/// How a case's pools are built: the park policy, and the label that names it.
pub(super) struct Target {
    park: ParkPolicy,
    /// `""` for the default policy, so that the default benchmarks keep their names.
    label: &'static str,
}

impl Target {
    /// Pools with the default park policy.
    fn default_policy() -> Target {
        Target {
            park: ParkPolicy::Immediate,
            label: "",
        }
    }

    /// A pool of [`POOL_SIZE`] workers of backend `R`, or `None` (and a note) if `R`
    /// refuses this target's park policy or cannot run here (`uring` without io_uring).
    ///
    /// # Panics
    ///
    /// If the pool does not start for any other reason.
    pub(super) fn pool<R: Runtime>(&self) -> Option<R> {
        let mut builder = Builder::new();
        builder
            .pool_size(POOL_SIZE)
            .name_prefix("bench-")
            .park_policy(self.park.clone());
        if let Some(threshold) = stall_threshold() {
            builder.stall_detector(threshold);
        }
        let built = builder.build();
        match built {
            Ok(pool) => Some(pool),
            Err(BuildError::Unsupported { .. }) => {
                eprintln!(
                    "{}{}: skipped, the backend refuses this park policy or the stall detector",
                    R::NAME,
                    self.label
                );
                None
            }
            Err(BuildError::Unavailable { reason, .. }) => {
                eprintln!("{}{}: skipped, {reason}", R::NAME, self.label);
                None
            }
            Err(e) => panic!("cannot start a {} pool: {e}", R::NAME),
        }
    }

    /// The benchmark's id: the backend (and the park policy, if not the default),
    /// then `parameter`.
    pub(super) fn id<R: Runtime>(&self, parameter: impl std::fmt::Display) -> BenchmarkId {
        BenchmarkId::new(format!("{}{}", R::NAME, self.label), parameter)
    }
}

/// The stall detector's threshold if the environment asks for one: set
/// `IOPOOL_BENCH_STALL_MS` to run every pool with a stall detector of that many
/// milliseconds, to measure what the detector costs (an A/B against a run without it).
fn stall_threshold() -> Option<Duration> {
    let ms: u64 = std::env::var("IOPOOL_BENCH_STALL_MS").ok()?.parse().ok()?;
    Some(Duration::from_millis(ms))
}

/// The park policies [`compare_park_policies`] measures, with their labels.
fn park_targets() -> [Target; 3] {
    [
        Target::default_policy(),
        Target {
            park: ParkPolicy::Spin(Duration::from_micros(100)),
            label: "-spin100us",
        },
        Target {
            park: ParkPolicy::Never,
            label: "-never-park",
        },
    ]
}

/// Runs `case` on every backend the harness knows (baseline first) in one criterion
/// group called `name`, so that the report compares the backends side by side.
///
/// The list of backends is the harness's ([`BackendKind::all`]): a backend added there
/// is benchmarked here with no change.
pub(super) fn compare<C: Case>(c: &mut Criterion, name: &str, case: &C) {
    run_group(c, name, case, &[Target::default_policy()]);
}

/// As [`compare`], once per park policy (park at once, spin 100 µs, never park) on
/// every backend that supports it; the others are skipped with a note.
pub(super) fn compare_park_policies<C: Case>(c: &mut Criterion, name: &str, case: &C) {
    run_group(c, name, case, &park_targets());
}

fn run_group<C: Case>(c: &mut Criterion, name: &str, case: &C, targets: &[Target]) {
    let mut group = c.benchmark_group(name);
    for target in targets {
        for kind in BackendKind::all() {
            kind.with(OnBackend {
                case,
                group: &mut group,
                target,
            });
        }
    }
    group.finish();
}

/// Carries a case to [`BackendKind::with`], which picks the runtime type.
struct OnBackend<'a, 'g, C> {
    case: &'a C,
    group: &'a mut BenchmarkGroup<'g, WallTime>,
    target: &'a Target,
}

impl<C: Case> WithBackend for OnBackend<'_, '_, C> {
    type Output = ();

    fn run<R: Runtime>(self) {
        self.case.bench::<R>(self.group, self.target);
    }
}

/// Counts finished tasks down from `n`; the last one completes the receiver that
/// [`Countdown::new`] returns (a runtime-neutral `futures` oneshot, so the waiter may
/// be a task on any backend or a thread blocking in `futures::executor::block_on`).
pub(super) struct Countdown {
    left: AtomicUsize,
    done: Mutex<Option<oneshot::Sender<()>>>,
}

impl Countdown {
    /// A countdown from `n` (at least 1), and the receiver its last count completes.
    pub(super) fn new(n: usize) -> (Arc<Countdown>, oneshot::Receiver<()>) {
        assert!(n > 0, "a countdown from 0 would never fire");
        let (tx, rx) = oneshot::channel();
        let countdown = Countdown {
            left: AtomicUsize::new(n),
            done: Mutex::new(Some(tx)),
        };
        (Arc::new(countdown), rx)
    }

    /// A task that counts one down when it runs. It is a named type, rather than an
    /// `async` block, so that one closure can spawn it through any spawn function.
    pub(super) fn task(self: &Arc<Self>) -> CountDownTask {
        CountDownTask(Arc::clone(self))
    }

    /// Counts one task as finished.
    fn count_down(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Some(tx) = self.done.lock().expect("countdown lock").take() {
                let _ = tx.send(());
            }
        }
    }
}

/// The task [`Countdown::task`] makes: it counts down on its first poll.
#[must_use = "a task does nothing until it is spawned"]
pub(super) struct CountDownTask(Arc<Countdown>);

impl Future for CountDownTask {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        self.0.count_down();
        Poll::Ready(())
    }
}
