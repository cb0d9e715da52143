//! Spawning allocates once per task, join state included (pool-exec's task cell holds
//! the future, its output and the join waker). Its own binary: the counting allocator
//! counts every thread, so no other test may run beside it. A `harness = false` test:
//! where io_uring is refused, it is reported as ignored, with the reason.

use pool_core::conformance::alloc::{spawns_allocate_at_most, SpawnPath, SPAWNS};
use pool_core::conformance::runner::{run, Group};
use pool_core::test_list;
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

fn allocations() -> usize {
    let stats = GLOBAL.stats();
    stats.allocations + stats.reallocations
}

fn one_allocation_per_spawn() {
    type Pool = backend_uring::UringPool;
    for (path, per_spawn) in [
        (SpawnPath::Handle, 1),
        (SpawnPath::Child, 1),
        // A `!Send` output cannot live in a cell its `Send` wakers share: the join
        // state gets an allocation of its own.
        (SpawnPath::Local, 2),
    ] {
        let n = spawns_allocate_at_most::<Pool>(allocations, path, per_spawn);
        eprintln!("uring {path:?}: {n} allocations for {SPAWNS} spawns");
    }
}

fn main() -> std::process::ExitCode {
    run([Group::new(test_list![one_allocation_per_spawn])
        .requires(backend_uring::features().map(|_| ()))])
}
