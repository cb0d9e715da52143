//! No busy spin: an idle pool of 2 workers uses under 20 ms of CPU in 1 s.
//!
//! This file holds one test so that no other test's threads share the process while
//! its CPU time is measured. The one-second wait is the measurement window of a
//! resource assertion, not a synchronisation.

mod support;

use std::time::Duration;

use pool_core::Runtime;
use support::{pool, process_cpu};

#[test]
fn idle_pool_does_not_spin() {
    let pool = pool(2);
    // Let both workers reach their idle poll; a task through each proves they are up.
    for worker in 0..2 {
        pool.block_on(async move {
            let _ = worker;
        });
    }
    // A pending timer far away must not make the workers spin either.
    pool.spawn(backend_mio::sleep(Duration::from_secs(3600)))
        .unwrap();
    let before = process_cpu();
    std::thread::sleep(Duration::from_secs(1));
    let used = process_cpu() - before;
    assert!(
        used < Duration::from_millis(20),
        "an idle pool of 2 workers used {used:?} of CPU in 1 s"
    );
    pool.shutdown_now();
}
