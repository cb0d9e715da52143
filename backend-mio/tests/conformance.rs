//! The pool-core conformance kit on the mio backend, with no test marked not
//! applicable.

pool_core::conformance_tests!(backend_mio::MioPool);
