//! Spawning allocates once per task, join state included (the task cell holds the
//! future, its output and the join waker). Its own binary: the counting allocator
//! counts every thread, so no other test may run beside it.

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
    type Pool = backend_mio::MioPool;
    spawns_allocate_at_most::<Pool>(allocations, SpawnPath::Handle, 1);
    spawns_allocate_at_most::<Pool>(allocations, SpawnPath::Child, 1);
    // A `!Send` output cannot live in a cell its `Send` wakers share: the join state
    // gets an allocation of its own.
    spawns_allocate_at_most::<Pool>(allocations, SpawnPath::Local, 2);
}
