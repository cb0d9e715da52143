//! A spawn allocates once, join state included, from a task on a worker, on both tokio
//! runtimes and on every spawn path (`Handle::spawn` on the per-thread pool: pool-exec's
//! task cell, queued on the worker's inbox; children: tokio's task, whose join handle
//! the pool's wraps). Its own
//! binary: the counting allocator counts every thread, so no other test may run beside
//! it.

use backend_tokio::{TokioMultiThread, TokioPool};
use pool_core::conformance::alloc::{check_spawn_paths, SpawnPath};

pool_core::counting_allocator!();

#[test]
fn one_allocation_per_spawn() {
    let all = [SpawnPath::Handle, SpawnPath::Child, SpawnPath::Local].map(|p| (p, 1));
    check_spawn_paths::<TokioPool>(allocations, &all);
    // tokio-mt has no `spawn_local` (it errors).
    check_spawn_paths::<TokioMultiThread>(allocations, &all[..2]);
}
