//! The conformance kit on the fallback paths (single-shot accepts, receives into owned
//! buffers, no buffer ring), which kernels before 5.19 take: `UringFallbackPool`
//! forces them on any kernel.

pool_core::conformance_tests!(backend_uring::UringFallbackPool);
