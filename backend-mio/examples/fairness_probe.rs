//! Fairness next to a hot connection, as issue 9 measured it: on a one-worker pool, one
//! task writes single bytes to its connection without pause while a client thread
//! times a one-byte echo served by another task of the same worker.
//!
//! Run with `cargo run --release -p backend-mio --example fairness_probe`.
//!
//! For `MioPool` and `TokioPool` it prints the hot task's writes per probe (how many
//! writes run between the probe's send and its echo: the writes per I/O poll, give or
//! take one budget) and the echo's median and 90th percentile round trip.

use backend_mio::MioPool;
use backend_tokio::TokioPool;
use pool_core::conformance::{probe_echo, Load, Probes};
use pool_core::Runtime;

const PROBES: usize = 1000;

fn show<R: Runtime>(load: Load) {
    let probes: Probes = probe_echo::<R>(load, PROBES);
    println!(
        "{:>6} {:<10} {:>7} ops/probe  echo median {:>7.3} ms  p90 {:>7.3} ms",
        R::NAME,
        format!("{load:?}"),
        probes.median_ops(),
        probes.median().as_secs_f64() * 1e3,
        probes.p90().as_secs_f64() * 1e3,
    );
}

fn main() {
    for load in [Load::HotWriter, Load::HotReader] {
        show::<MioPool>(load);
        show::<TokioPool>(load);
    }
}
