//! Spawning allocates once per task, join state included (pool-exec's task cell holds
//! the future, its output and the join waker). Its own binary: the counting allocator
//! counts every thread, so no other test may run beside it.

use pool_core::conformance::alloc::{check_spawn_paths, SpawnPath};

pool_core::counting_allocator!();

#[test]
fn one_allocation_per_spawn() {
    check_spawn_paths::<backend_mio::MioPool>(
        allocations,
        &[
            (SpawnPath::Handle, 1),
            (SpawnPath::Child, 1),
            // A `!Send` output cannot live in a cell its `Send` wakers share: the join
            // state gets an allocation of its own.
            (SpawnPath::Local, 2),
        ],
    );
}
