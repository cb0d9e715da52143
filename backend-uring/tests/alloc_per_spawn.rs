//! Spawning allocates once per task, join state included (pool-exec's task cell holds
//! the future, its output and the join waker); `spawn_local` as on backend-mio (see
//! its `tests/alloc_per_spawn.rs`). Its own binary: the counting allocator counts every
//! thread, so no other test may run beside it. A `harness = false` test: where io_uring
//! is refused, it is reported as ignored, with the reason.

use pool_core::conformance::alloc::{check_spawn_paths, SpawnPath};
use pool_core::conformance::runner::{run, Group};
use pool_core::test_list;

pool_core::counting_allocator!();

fn one_allocation_per_spawn() {
    use SpawnPath::{Child, Handle, Local};
    check_spawn_paths::<backend_uring::UringPool>(
        allocations,
        &[(Handle, 1), (Child, 1), (Local, 2)],
    );
}

fn main() -> std::process::ExitCode {
    run([Group::new(test_list![one_allocation_per_spawn])
        .requires(backend_uring::features().map(|_| ()))])
}
