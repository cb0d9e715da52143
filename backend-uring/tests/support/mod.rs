//! Helpers shared by backend-uring's integration tests.

// Each test binary uses only some of them.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use backend_uring::diagnostics;
use pool_core::conformance::support::yield_now;

/// Run on a worker: yields to it (each yield lets it enter its ring and reap) until
/// its driver holds no socket, or `patience` has passed. Returns how many sockets are
/// left: 0 unless it gave up.
pub(crate) async fn sockets_drained(patience: Duration) -> usize {
    let give_up = Instant::now() + patience;
    loop {
        let left = diagnostics::sockets().unwrap();
        if left == 0 || Instant::now() > give_up {
            return left;
        }
        yield_now().await;
    }
}

/// Run on a worker: yields to it (it receives meanwhile) until `lent` of its ring buffers
/// hold unread bytes; returns the ring's size (0: no ring, nothing to wait for).
pub(crate) async fn ring_filled_to(lent: impl Fn(usize) -> usize) -> usize {
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        let (now, count) = diagnostics::ring_buffers().unwrap();
        if count == 0 || now >= lent(count) {
            return count;
        }
        assert!(Instant::now() < give_up, "{now} of {count} buffers filled");
        yield_now().await;
    }
}
