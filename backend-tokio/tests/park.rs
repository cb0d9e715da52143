//! tokio's runtimes park at once only: any other park policy is refused at build time
//! with `BuildError::Unsupported`, never ignored.

use std::time::Duration;

use backend_tokio::{TokioMultiThread, TokioPool};
use pool_core::{BuildError, Builder, ParkPolicy, Runtime};

fn refused<R: Runtime>() {
    for policy in [
        ParkPolicy::Spin(Duration::from_micros(50)),
        ParkPolicy::Never,
    ] {
        let built = Builder::new()
            .pool_size(1)
            .park_policy(policy.clone())
            .build::<R>();
        match built {
            Err(BuildError::Unsupported { backend, .. }) => assert_eq!(backend, R::NAME),
            other => panic!("{}: {policy:?} gave {other:?}", R::NAME),
        }
    }
    let default: R = Builder::new().pool_size(1).build().unwrap();
    default.shutdown_now();
}

#[test]
fn tokio_pool_refuses_spinning() {
    refused::<TokioPool>();
}

#[test]
fn tokio_multi_thread_refuses_spinning() {
    refused::<TokioMultiThread>();
}
