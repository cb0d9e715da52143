//! Spawn and complete: the cost of placing a batch of tasks on the pool with
//! `Handle::spawn` and learning that all of them ran.
//!
//! - `spawn/<backend>/<n>`: a task on a worker spawns `n` tasks (1 or 1,000) through the
//!   pool's handle, which places them round-robin on the per-thread pools (so about
//!   half land on the other worker), and awaits them.
//! - `spawn_remote/<backend>/<n>`: the same from a foreign thread (the bench thread,
//!   which is no worker), which then blocks until the last task has run. This adds the
//!   cross-thread hand-off into the pool and the wake-up of a parked thread.
//!
//! Each spawned task counts down a shared [`Countdown`]; the last one completes the
//! waiter's oneshot. The reported time is per batch; throughput is in tasks.

use std::time::Instant;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use pool_core::{Handle, Runtime};

use super::support::{compare, pool, Case, Countdown};

/// Batch sizes: one task alone, and a burst.
const TASKS: [usize; 2] = [1, 1000];

/// Adds the `spawn` and `spawn_remote` groups.
pub(crate) fn benches(c: &mut Criterion) {
    compare(c, "spawn", &SpawnFromWorker);
    compare(c, "spawn_remote", &SpawnRemote);
}

/// Spawns `tasks` tasks through `handle` and waits until all have run.
async fn spawn_and_wait<H: Handle>(handle: &H, tasks: usize) {
    let (countdown, done) = Countdown::new(tasks);
    for _ in 0..tasks {
        let countdown = countdown.clone();
        handle
            .spawn(async move { countdown.count_down() })
            .expect("spawn on a running pool");
    }
    done.await.expect("every spawned task counts down");
}

/// The batch is spawned and awaited by a task on a worker; the clock runs inside it, so
/// the `block_on` that starts it is not measured.
struct SpawnFromWorker;

impl Case for SpawnFromWorker {
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>) {
        let pool: R = pool();
        for tasks in TASKS {
            group.throughput(Throughput::Elements(tasks as u64));
            group.bench_function(BenchmarkId::new(R::NAME, tasks), |b| {
                b.iter_custom(|iters| {
                    let handle = pool.handle().clone();
                    pool.block_on(async move {
                        let start = Instant::now();
                        for _ in 0..iters {
                            spawn_and_wait(&handle, tasks).await;
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
struct SpawnRemote;

impl Case for SpawnRemote {
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>) {
        let pool: R = pool();
        let handle = pool.handle();
        for tasks in TASKS {
            group.throughput(Throughput::Elements(tasks as u64));
            group.bench_function(BenchmarkId::new(R::NAME, tasks), |b| {
                b.iter(|| futures::executor::block_on(spawn_and_wait(handle, tasks)));
            });
        }
        pool.shutdown_on_idle();
    }
}
