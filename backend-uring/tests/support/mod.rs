//! Helpers shared by backend-uring's integration tests.

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
