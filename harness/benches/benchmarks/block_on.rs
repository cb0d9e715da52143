//! A `block_on` round trip: the bench thread hands a trivial future to a worker and
//! blocks until its output comes back.
//!
//! This is the fixed cost of entering the pool from outside and leaving it again: a
//! spawn, a cross-thread wake of an idle worker, and the wake of the parked caller.

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use pool_core::Runtime;

use super::support::{compare, Case, Target};

/// Adds the `block_on` group.
pub(crate) fn benches(c: &mut Criterion) {
    compare(c, "block_on", &BlockOn);
}

/// `block_on(async { 7 })`, once per iteration.
struct BlockOn;

impl Case for BlockOn {
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>, target: &Target) {
        let Some(pool) = target.pool::<R>() else {
            return;
        };
        group.bench_function(target.id::<R>("round-trip"), |b| {
            b.iter(|| pool.block_on(async { black_box(7_u64) }));
        });
        pool.shutdown_on_idle();
    }
}
