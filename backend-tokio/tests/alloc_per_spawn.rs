//! The pool's join handle wraps tokio's, which shares tokio's task allocation: a spawn
//! allocates once, from a task on a worker, on both tokio runtimes and on every spawn
//! path. Its own binary: the counting allocator counts every thread, so no other test
//! may run beside it.

use pool_core::conformance::alloc::{spawns_allocate_at_most, SpawnPath, SPAWNS};
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
    for path in [SpawnPath::Handle, SpawnPath::Child, SpawnPath::Local] {
        // `Handle::spawn` goes straight to the worker's runtime (its
        // `tokio::runtime::Handle`), not through the worker's channel.
        let n = spawns_allocate_at_most::<TokioPool>(allocations, path, 1);
        eprintln!("tokio {path:?}: {n} allocations for {SPAWNS} spawns");
    }
    for path in [SpawnPath::Handle, SpawnPath::Child] {
        let n = spawns_allocate_at_most::<TokioMultiThread>(allocations, path, 1);
        eprintln!("tokio-mt {path:?}: {n} allocations for {SPAWNS} spawns");
    }
}
