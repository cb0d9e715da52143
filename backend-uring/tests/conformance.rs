//! The pool-core conformance kit on the io_uring backend, with no test marked not
//! applicable (fairness tests included).
//!
//! On a machine without io_uring every test fails at `build()` with
//! `BuildError::Unavailable`: this backend is not meant to run there.

pool_core::conformance_tests!(backend_uring::UringPool);
