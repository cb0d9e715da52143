//! Spawning allocates once per task, join state included (pool-exec's task cell holds
//! the future, its output and the join waker). Its own binary: the counting allocator
//! counts every thread, so no other test may run beside it.

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
    type Pool = backend_mio::MioPool;
    for (path, per_spawn) in [
        (SpawnPath::Handle, 1),
        (SpawnPath::Child, 1),
        // A `!Send` output cannot live in a cell its `Send` wakers share: the join
        // state gets an allocation of its own.
        (SpawnPath::Local, 2),
    ] {
        let n = spawns_allocate_at_most::<Pool>(allocations, path, per_spawn);
        eprintln!("mio {path:?}: {n} allocations for {SPAWNS} spawns");
    }
}
