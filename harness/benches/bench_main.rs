//! Criterion micro-benchmarks of every backend, side by side.
//!
//! Run with `cargo bench -p harness` (all cases, a few minutes on 2 cores), or
//! `cargo bench -p harness -- --test` to run each case once as a smoke test. Filter by
//! case or backend with criterion's usual argument, e.g. `cargo bench -p harness -- echo`.
//!
//! Each case is one generic body run once per backend the harness knows
//! ([`harness::backend::BackendKind::all`]: tokio-mt, the baseline, then tokio, mio and uring),
//! inside one criterion group per case, so the report
//! (`target/criterion/<case>/report/index.html`) puts the backends side by side. The
//! cases are in `benchmarks/`, one file per concept.
//!
//! `IOPOOL_BENCH_STALL_MS=100` runs every pool with a stall detector of 100 ms (the
//! backends that refuse it are skipped), to measure the detector's cost against a run
//! without it.

use std::time::Duration;

use criterion::Criterion;

mod benchmarks;

/// Modest times, so that the whole suite takes a few minutes on a 2-core machine.
/// Criterion's command-line flags (`--measurement-time`, `--sample-size`...) override them.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

/// What `criterion_group!` and `criterion_main!` would generate, written out because
/// the macros' `pub fn` has no doc comment and the workspace denies `missing_docs`.
fn main() {
    let mut criterion = config().configure_from_args();
    benchmarks::spawn::benches(&mut criterion);
    benchmarks::block_on::benches(&mut criterion);
    benchmarks::ping_pong::benches(&mut criterion);
    benchmarks::echo::benches(&mut criterion);
    criterion.final_summary();
}
