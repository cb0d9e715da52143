//! A pool whose workers spin for 50 µs before they park uses under 5% of a CPU over
//! 1 s with nothing to do: it parks once the window has passed.
//!
//! This file holds one test so that no other test's threads share the process while
//! its CPU time is measured. The one-second wait is the measurement window of a
//! resource assertion, not a synchronisation.

mod support;

use std::time::Duration;

use backend_mio::MioPool;
use pool_core::{Builder, ParkPolicy, Runtime};
use support::process_cpu;

#[test]
fn idle_spinning_pool_parks_after_its_window() {
    let pool: MioPool = Builder::new()
        .pool_size(1)
        .park_policy(ParkPolicy::Spin(Duration::from_micros(50)))
        .build()
        .unwrap();
    pool.block_on(async {});
    let parks_before = pool.metrics().workers[0].parks.unwrap();
    let before = process_cpu();
    std::thread::sleep(Duration::from_secs(1));
    let used = process_cpu() - before;
    // A park is counted when it ends: wake the worker.
    pool.block_on(async {});
    let parks = pool.metrics().workers[0].parks.unwrap() - parks_before;
    pool.shutdown_now();
    assert!(
        used < Duration::from_millis(50),
        "an idle pool spinning 50 µs before it parks used {used:?} of CPU in 1 s"
    );
    assert!(parks >= 1, "the worker never parked");
}
