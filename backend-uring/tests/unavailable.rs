//! Where io_uring cannot be used, `build()` returns `BuildError::Unavailable` with a
//! readable reason, and starts no thread. The unavailability is forced through the
//! backend's test switch (an environment variable), so this runs on any machine.
//!
//! This file holds one test: the variable is set for the whole process.

use backend_uring::{UringPool, FORCE_UNAVAILABLE_ENV};
use pool_core::{BuildError, Builder};

#[test]
fn build_reports_unavailable_io_uring() {
    std::env::set_var(FORCE_UNAVAILABLE_ENV, "1");
    let threads_before = std::fs::read_dir("/proc/self/task").unwrap().count();
    let err = Builder::new()
        .pool_size(2)
        .name_prefix("uring-unavailable-")
        .build::<UringPool>()
        .expect_err("io_uring was forced unavailable");
    match &err {
        BuildError::Unavailable { backend, reason } => {
            assert_eq!(*backend, "uring");
            assert!(reason.contains(FORCE_UNAVAILABLE_ENV), "{reason}");
        }
        other => panic!("expected BuildError::Unavailable, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with("the uring backend is unavailable here: io_uring disabled by"),
        "{message}"
    );
    assert!(backend_uring::features().is_err());
    let threads_after = std::fs::read_dir("/proc/self/task").unwrap().count();
    assert_eq!(
        threads_before, threads_after,
        "no worker thread was started"
    );
    // The switch is read at each build: without it the probe's own answer holds.
    std::env::remove_var(FORCE_UNAVAILABLE_ENV);
    if let Ok(features) = backend_uring::features() {
        let pool = Builder::new().pool_size(1).build::<UringPool>().unwrap();
        drop(pool);
        println!("io_uring here: {features}");
    }
}
