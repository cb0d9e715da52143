//! Heap allocations per spawn, counted by a global allocator in the test binary.
//!
//! pool-core has no unsafe code, so the counting allocator comes from the test binary
//! (the `stats_alloc` crate, say). It calls [`spawns_allocate_at_most`] once per
//! spawn path, from one `#[test]`: other tests in the same binary would allocate
//! concurrently and be counted.
//!
//! ```ignore
//! // backend-foo/tests/alloc_per_spawn.rs
//! use pool_core::conformance::alloc::{spawns_allocate_at_most, SpawnPath};
//! use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
//!
//! #[global_allocator]
//! static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;
//!
//! fn allocations() -> usize {
//!     let stats = GLOBAL.stats();
//!     stats.allocations + stats.reallocations
//! }
//!
//! #[test]
//! fn one_allocation_per_spawn() {
//!     spawns_allocate_at_most::<backend_foo::FooPool>(allocations, SpawnPath::Handle, 1);
//! }
//! ```

use crate::conformance::support::pool;
use crate::{Handle, Runtime};

/// Which spawn function [`spawns_allocate_at_most`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpawnPath {
    /// [`Handle::spawn`] from a task on a worker (round-robin over two workers, so
    /// half the tasks cross to the other one).
    Handle,
    /// [`Runtime::spawn_child`].
    Child,
    /// [`Runtime::spawn_local`].
    Local,
}

/// The batch measured; big enough that the allocations of queue growth (the kit first
/// runs a warm-up batch) and of the pool's other threads vanish next to it.
pub const SPAWNS: usize = 1000;

/// What the allocations may exceed `per_spawn × SPAWNS` by: the `Vec` of join handles,
/// the odd queue growth.
pub const SLACK: usize = 32;

/// Spawns [`SPAWNS`] empty tasks through `path` from a task on a 2-worker pool, awaits
/// them all, and asserts that the whole batch allocated at most
/// `per_spawn × SPAWNS + SLACK` times, on every thread, as `allocations` (a counter
/// of every allocation and reallocation so far) tells. A first, identical batch warms
/// the queues up and is not counted. Returns the count.
///
/// # Panics
///
/// If the batch allocated more, or a spawn fails.
#[track_caller]
pub fn spawns_allocate_at_most<R: Runtime>(
    allocations: fn() -> usize,
    path: SpawnPath,
    per_spawn: usize,
) -> usize {
    let pool: R = pool(2);
    let handle = pool.handle().clone();
    let counted = pool.block_on(async move {
        batch::<R>(&handle, path).await;
        let before = allocations();
        batch::<R>(&handle, path).await;
        allocations() - before
    });
    pool.shutdown_on_idle();
    let bound = per_spawn * SPAWNS + SLACK;
    assert!(
        counted <= bound,
        "{} {path:?}: {SPAWNS} spawns allocated {counted} times, more than {bound} \
         ({per_spawn} per spawn + {SLACK})",
        R::NAME
    );
    counted
}

async fn batch<R: Runtime>(handle: &R::Handle, path: SpawnPath) {
    let mut tasks = Vec::with_capacity(SPAWNS);
    for i in 0..SPAWNS {
        let task = async move { i };
        tasks.push(match path {
            SpawnPath::Handle => handle.spawn(task),
            SpawnPath::Child => R::spawn_child(task),
            SpawnPath::Local => R::spawn_local(task),
        });
    }
    for (i, task) in tasks.into_iter().enumerate() {
        assert_eq!(task.expect("spawn on a running pool").await.unwrap(), i);
    }
}
