//! Builder defaults, setters and validation (no backend needed).

use pool_core::backend::PoolConfig;
use pool_core::{BuildError, Builder, Pinning};

/// The builder's configuration, validated.
fn validated(builder: &Builder) -> Result<PoolConfig, BuildError> {
    let config = PoolConfig::from_builder(builder);
    config.validate().map(|()| config)
}

#[test]
fn defaults() {
    let config = PoolConfig::from_builder(&Builder::new());
    assert_eq!(config.pool_size, num_cpus::get());
    assert_eq!(config.thread_name(0), "iopool-worker-1");
    assert_eq!(config.stack_size, None);
    assert!(config.after_start.is_none() && config.before_stop.is_none());
    assert_eq!(config.pinning, Pinning::None);
}

#[test]
fn setters_chain_and_validate() {
    let mut builder = Builder::new();
    builder
        .pool_size(3)
        .name_prefix("io-")
        .stack_size(1 << 20)
        .after_start(|| {});
    let config = validated(&builder).unwrap();
    assert_eq!(config.pool_size, 3);
    assert_eq!(config.thread_name(2), "io-3");
    assert_eq!(config.stack_size, Some(1 << 20));
    assert!(config.after_start.is_some());
}

#[test]
fn zero_pool_size_is_an_error() {
    let err = validated(Builder::new().pool_size(0)).unwrap_err();
    assert!(matches!(err, BuildError::ZeroPoolSize));
}

#[test]
fn empty_cpu_list_is_an_error() {
    let err = validated(Builder::new().pinning(Pinning::Cpus(vec![]))).unwrap_err();
    assert!(matches!(err, BuildError::NoCpus), "{err:?}");
}

#[test]
fn missing_cpu_is_an_error_naming_the_available_ones() {
    let err = validated(Builder::new().pinning(Pinning::Cpus(vec![0, 100_000]))).unwrap_err();
    match &err {
        BuildError::NoSuchCpu { cpu, available } => {
            assert_eq!(*cpu, 100_000);
            assert!(!available.is_empty());
        }
        other => panic!("expected NoSuchCpu, got {other:?}"),
    }
    assert!(err.to_string().contains("cannot pin to CPU 100000"));
}

#[test]
fn pinning_cycles_over_the_cpu_list() {
    let config = PoolConfig::from_builder(Builder::new().pinning(Pinning::Cpus(vec![0, 1])));
    let cpus: Vec<_> = (0..4).map(|i| config.cpu_for(i)).collect();
    assert_eq!(cpus, [Some(0), Some(1), Some(0), Some(1)]);
    let spread = PoolConfig::from_builder(Builder::new().pinning(Pinning::Spread));
    assert!(spread.cpu_for(0).is_some());
    assert_eq!(PoolConfig::from_builder(&Builder::new()).cpu_for(0), None);
}

#[test]
fn config_debug_hides_closures() {
    let mut builder = Builder::new();
    builder.before_stop(|| {});
    let debug = format!("{:?}", PoolConfig::from_builder(&builder));
    assert!(debug.contains("before_stop: \"Some(...)\""), "{debug}");
    assert!(debug.contains("after_start: \"None\""), "{debug}");
}
