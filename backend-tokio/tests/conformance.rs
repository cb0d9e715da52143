//! The pool-core conformance kit on both tokio runtimes.

mod tokio_pool {
    pool_core::conformance_tests!(backend_tokio::TokioPool);
}

mod tokio_multi_thread {
    pool_core::conformance_tests!(backend_tokio::TokioMultiThread, affinity = not_applicable);
}
