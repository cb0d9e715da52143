//! The pool-core conformance kit on the io_uring backend, with no test marked not
//! applicable (fairness tests included): once with workers that park at once, and
//! once with workers that spin for 100 µs before they park.
//!
//! On a machine without io_uring every test fails at `build()` with
//! `BuildError::Unavailable`: this backend is not meant to run there.

pool_core::conformance_tests!(backend_uring::UringPool);

mod spinning {
    pool_core::conformance_tests!(
        backend_uring::UringPool,
        park = pool_core::ParkPolicy::Spin(std::time::Duration::from_micros(100))
    );
}
