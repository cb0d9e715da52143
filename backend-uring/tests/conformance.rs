//! The pool-core conformance kit on the io_uring backend, with no test marked not
//! applicable (fairness tests included): once with workers that park at once, and
//! once with workers that spin for 100 µs before they park.
//!
//! A `harness = false` test: where io_uring is refused (`kernel.io_uring_disabled`, a
//! seccomp profile such as Docker's), every test is reported as ignored, with the
//! reason.

use pool_core::conformance::runner::run;
use pool_core::conformance_group;

fn main() -> std::process::ExitCode {
    let io_uring = || backend_uring::features().map(|_| ());
    run([
        conformance_group!(backend_uring::UringPool).requires(io_uring()),
        conformance_group!(
            backend_uring::UringPool,
            park = pool_core::ParkPolicy::Spin(std::time::Duration::from_micros(100))
        )
        .prefix("spinning")
        .requires(io_uring()),
    ])
}
