//! What this kernel's io_uring offers ([`Features`], probed once per process by
//! `uring-core`), and the error `build()` reports when it offers nothing.

pub use uring_core::{fallback_features, features, Features, SetupMode, FORCE_UNAVAILABLE_ENV};

/// `features()`, as the error [`Pool`](pool_core::Pool) reports from `build()`.
pub(crate) fn check() -> Result<&'static Features, pool_core::BuildError> {
    features().map_err(|reason| pool_core::BuildError::Unavailable {
        backend: crate::UringBackend::NAME_STR,
        reason,
    })
}
