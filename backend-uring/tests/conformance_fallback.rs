//! The conformance kit on the fallback paths (single-shot accepts, receives into owned
//! buffers, no buffer ring), which kernels before 5.19 take: `UringFallbackPool`
//! forces them on any kernel.
//!
//! A `harness = false` test: where io_uring is refused, every test is reported as
//! ignored, with the reason.

fn main() -> std::process::ExitCode {
    pool_core::conformance::runner::run([pool_core::conformance_group!(
        backend_uring::UringFallbackPool
    )
    .requires(backend_uring::fallback_features().map(|_| ()))])
}
