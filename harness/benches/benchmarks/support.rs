//! What every case shares: the loop over the backends, the pool they run on, and a
//! countdown that tells a waiter when a batch of tasks has finished.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use futures::channel::oneshot;
use harness::backend::{BackendKind, WithBackend};
use pool_core::{Builder, Runtime};

/// Workers per pool: the benchmark machine has 2 cores.
pub(super) const POOL_SIZE: usize = 2;

/// One benchmark case: a body written once, generic over the backend.
pub(super) trait Case {
    /// Adds this case's benchmarks for backend `R` to `group`, each named
    /// `BenchmarkId::new(R::NAME, parameter)`.
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>);
}

/// Runs `case` on every backend the harness knows (baseline first) in one criterion
/// group called `name`, so that the report compares the backends side by side.
///
/// The list of backends is the harness's ([`BackendKind::all`]): a backend added there
/// is benchmarked here with no change.
pub(super) fn compare<C: Case>(c: &mut Criterion, name: &str, case: &C) {
    let mut group = c.benchmark_group(name);
    for kind in BackendKind::all() {
        kind.with(OnBackend {
            case,
            group: &mut group,
        });
    }
    group.finish();
}

/// Carries a case to [`BackendKind::with`], which picks the runtime type.
struct OnBackend<'a, 'g, C> {
    case: &'a C,
    group: &'a mut BenchmarkGroup<'g, WallTime>,
}

impl<C: Case> WithBackend for OnBackend<'_, '_, C> {
    type Output = ();

    fn run<R: Runtime>(self) {
        self.case.bench::<R>(self.group);
    }
}

/// Builds a pool of [`POOL_SIZE`] workers of backend `R`.
///
/// # Panics
///
/// If the pool does not start.
pub(super) fn pool<R: Runtime>() -> R {
    Builder::new()
        .pool_size(POOL_SIZE)
        .name_prefix("bench-")
        .build()
        .unwrap_or_else(|e| panic!("cannot start a {} pool: {e}", R::NAME))
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
