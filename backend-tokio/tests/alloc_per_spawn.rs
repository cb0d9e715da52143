//! The pool's join handle wraps tokio's, which shares tokio's task allocation: a spawn
//! on a worker allocates once. Its own binary: the counting allocator counts every
//! thread, so no other test may run beside it.

use pool_core::conformance::alloc::{spawns_allocate_at_most, SpawnPath};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn allocations() -> usize {
    let stats = GLOBAL.stats();
    stats.allocations + stats.reallocations
}

#[test]
fn one_allocation_per_spawn() {
    use backend_tokio::{TokioMultiThread, TokioPool};
    spawns_allocate_at_most::<TokioPool>(allocations, SpawnPath::Child, 1);
    spawns_allocate_at_most::<TokioPool>(allocations, SpawnPath::Local, 1);
    spawns_allocate_at_most::<TokioMultiThread>(allocations, SpawnPath::Handle, 1);
    spawns_allocate_at_most::<TokioMultiThread>(allocations, SpawnPath::Child, 1);
    // A spawn onto a per-thread tokio worker from a task crosses a channel to it: the
    // boxed task, tokio's task and the join state (see REMOTE_SPAWN below).
    spawns_allocate_at_most::<TokioPool>(allocations, SpawnPath::Handle, REMOTE_SPAWN);
}

/// Allocations of `Handle::spawn` on the per-thread tokio pool.
const REMOTE_SPAWN: usize = 3;
