//! The pool-core conformance kit on the mio backend, with no test marked not
//! applicable: once with workers that park at once, and once with workers that spin
//! for 100 µs before they park.

pool_core::conformance_tests!(backend_mio::MioPool);

mod spinning {
    pool_core::conformance_tests!(
        backend_mio::MioPool,
        park = pool_core::ParkPolicy::Spin(std::time::Duration::from_micros(100))
    );
}
