//! Spawn and complete: the cost of placing a batch of tasks on the pool and learning
//! that all of them ran.
//!
//! - `spawn/<backend>/<n>`: a task on a worker spawns `n` tasks (1 or 1,000) with
//!   `Handle::spawn`, which places them round-robin on the per-thread pools (so about
//!   half land on the other worker and need a cross-thread wake), and awaits them.
//! - `spawn_child/<backend>/<n>`: the same with `Runtime::spawn_child`, which keeps the
//!   children on the spawning worker of a per-thread pool (on tokio-mt it is
//!   `tokio::spawn`). Against `spawn` it separates the cost of a spawn from the cost of
//!   round-robin placement.
//! - `spawn_remote/<backend>/<n>`: `Handle::spawn` from a foreign thread (the bench
//!   thread, which is no worker), which then blocks until the last task has run. This
//!   adds the hand-off into the pool and the wake-up of a parked thread.
//!
//! Each spawned task counts down a shared [`Countdown`]; the last one completes the
//! waiter's oneshot. The reported time is per batch; throughput is in tasks.

use std::time::Instant;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use pool_core::{Handle, Runtime, SpawnError};

use super::support::{compare, compare_park_policies, Case, CountDownTask, Countdown, Target};

/// Batch sizes: one task alone, and a burst.
const TASKS: [usize; 2] = [1, 1000];

/// Adds the `spawn`, `spawn_child` and `spawn_remote` groups.
pub(crate) fn benches(c: &mut Criterion) {
    compare(c, "spawn", &FromWorker { child: false });
    compare(c, "spawn_child", &FromWorker { child: true });
    compare_park_policies(c, "spawn_remote", &Remote);
}

/// Spawns `tasks` tasks with `spawn` and waits until all have run.
async fn spawn_and_wait<S, J>(tasks: usize, spawn: S)
where
    S: Fn(CountDownTask) -> Result<J, SpawnError>,
{
    let (countdown, done) = Countdown::new(tasks);
    for _ in 0..tasks {
        spawn(countdown.task()).expect("spawn on a running pool");
    }
    done.await.expect("every spawned task counts down");
}

/// The batch is spawned and awaited by a task on a worker, with the pool's handle or
/// as children. The clock runs inside that task, so the `block_on` that starts it is
/// not measured.
struct FromWorker {
    child: bool,
}

impl Case for FromWorker {
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>, target: &Target) {
        let Some(pool) = target.pool::<R>() else {
            return;
        };
        let child = self.child;
        for tasks in TASKS {
            group.throughput(Throughput::Elements(tasks as u64));
            group.bench_function(target.id::<R>(tasks), |b| {
                b.iter_custom(|iters| {
                    let handle = pool.handle().clone();
                    pool.block_on(async move {
                        let start = Instant::now();
                        for _ in 0..iters {
                            if child {
                                spawn_and_wait(tasks, R::spawn_child).await;
                            } else {
                                spawn_and_wait(tasks, |task| handle.spawn(task)).await;
                            }
                        }
                        start.elapsed()
                    })
                });
            });
        }
        pool.shutdown_on_idle();
    }
}

/// The batch is spawned from the bench thread, which then parks until it has run.
struct Remote;

impl Case for Remote {
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>, target: &Target) {
        let Some(pool) = target.pool::<R>() else {
            return;
        };
        let handle = pool.handle();
        for tasks in TASKS {
            group.throughput(Throughput::Elements(tasks as u64));
            group.bench_function(target.id::<R>(tasks), |b| {
                b.iter(|| {
                    futures::executor::block_on(spawn_and_wait(tasks, |task| handle.spawn(task)))
                });
            });
        }
        pool.shutdown_on_idle();
    }
}
