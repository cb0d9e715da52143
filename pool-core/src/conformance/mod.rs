//! The conformance kit: the one definition of the pool semantics, run by every backend.
//!
//! Each test is a plain generic function over [`Runtime`](crate::Runtime), so it can be
//! read, formatted and called on its own. The [`conformance_tests!`](crate::conformance_tests)
//! macro only stamps one `#[test]` wrapper per function:
//!
//! ```ignore
//! // backend-foo/tests/conformance.rs
//! pool_core::conformance_tests!(pool_core::Pool<backend_foo::FooBackend>);
//! ```
//!
//! A runtime whose tasks may move between workers (
//! [`CHILD_AFFINITY`](crate::backend::RuntimeImpl::CHILD_AFFINITY) `= false`) passes
//! `affinity = not_applicable`; the tests of child affinity, worker placement, the
//! placement policies and the stall detector are then marked `#[ignore]` with the
//! reason, and every other test runs (among them one that checks the runtime refuses
//! the policies and the detector it cannot honour with `BuildError::Unsupported`):
//!
//! ```ignore
//! pool_core::conformance_tests!(backend_tokio::TokioMultiThread, affinity = not_applicable);
//! ```
//!
//! A backend that supports other [`ParkPolicy`](crate::ParkPolicy)s runs the kit again
//! under one, with every pool the kit builds set to it:
//!
//! ```ignore
//! mod spinning {
//!     pool_core::conformance_tests!(
//!         backend_foo::FooPool,
//!         park = pool_core::ParkPolicy::Spin(std::time::Duration::from_micros(100))
//!     );
//! }
//! ```
//!
//! Enable with the `conformance` feature, usually as a dev-dependency.

pub mod alloc;
mod fairness;
mod join;
mod lifecycle;
mod metrics;
mod net;
mod original;
mod owned;
mod placement;
pub mod runner;
mod spawn;
mod stall;
pub mod support;
mod time;

pub use fairness::{
    BURST, ECHO_BOUND, Load, Probes, YIELD_POLLS_BOUND, burst_does_not_hold_back_io,
    hot_connection_does_not_delay_echo, hot_reader_does_not_delay_echo, probe_echo,
    timers_fire_next_to_a_hot_task, timers_fire_next_to_a_yield_loop,
    yield_loop_does_not_starve_io,
};
pub use join::{
    abort_after_completion, abort_before_first_poll, abort_while_pending, dropped_handle_detaches,
    join_from_another_pool_and_a_thread, join_handle_delivers_output, join_handle_of_local_task,
    join_handle_reports_panic, shutdown_now_cancels_tasks,
};
pub use lifecycle::{
    block_on_inside_worker_panics, block_on_returns_value, drop_on_own_worker_does_not_deadlock,
    failed_start_tears_down_started_workers, hooks_run_once_per_worker,
    pinning_to_missing_cpu_errors, pool_size_zero_errors, shutdown_now_drops_pending_tasks,
    shutdown_on_idle_inside_worker_panics, shutdown_on_idle_waits_for_tasks, thread_names,
};
pub use metrics::{
    from_config_rejects_invalid_config, metrics_count_tasks_per_worker,
    metrics_measure_busy_and_parks, metrics_show_queue_depth, shutdown_timeout_stops_stuck_tasks,
    shutdown_timeout_waits_for_idle,
};
pub use net::{
    tcp_connect_from_worker, tcp_echo_cross_worker_handoff, tcp_echo_not_send_stream,
    tcp_echo_reuseport,
};
pub use original::{
    cross_worker_wakeup, local_spawn_not_send, oneshot_round_trip, run_echo, run_waits_for_child,
    spawn_all_echo_one_worker,
};
pub use owned::{
    owned_dropped_futures, owned_eof, owned_large_messages, owned_lent_buffer_outlives_pool,
    owned_partial_reads, owned_reset_peer,
};
pub use placement::{
    least_loaded_avoids_loaded_worker, placement_and_stall_capability_is_consistent,
    placement_uses_every_worker_in_a_burst, power_of_two_choices_avoids_busy_worker,
    round_robin_placement_cycles,
};
pub use spawn::{
    affinity_capability_is_consistent, children_stay_on_parent_worker,
    handle_spawn_from_foreign_thread, local_spawn_off_pool_errors,
    panicking_task_leaves_worker_serving, spawn_after_shutdown_errors,
    spawn_all_stops_at_stream_error, spawn_is_round_robin, spawn_on_missing_worker_errors,
    spawn_on_places_on_worker, spawn_pinned_panic_is_a_task_panic, spawn_pinned_runs_not_send,
};
pub use stall::{
    no_stall_detector_counts_no_stalls, short_polls_are_not_stalls, stall_is_reported_and_counted,
};
pub use time::{
    dropped_sleep_is_cancelled, many_timers_on_one_worker,
    sleep_is_never_early_and_on_time_when_idle, sleep_outside_worker_panics,
    sleeps_wake_in_deadline_order, timeout_fires_and_does_not,
};

/// Compile-time check that a runtime's handle has the auto traits the API promises.
///
/// ```
/// pool_core::conformance::handle_auto_traits::<backend_tokio::TokioPool>();
/// ```
pub fn handle_auto_traits<R: crate::Runtime>() {
    fn assert<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    assert::<R::Handle>();
    fn assert_runtime<T: Send + Sync + std::fmt::Debug + 'static>() {}
    assert_runtime::<R>();
}

/// Stamps one `#[test]` per conformance-kit function for runtime type `$rt`.
///
/// See the [`conformance`](crate::conformance) module docs.
///
/// # Examples
///
/// In the module docs, and in each backend's `tests/conformance.rs`. They are not
/// doctests: a doctest would not run the `#[test]` functions the macro stamps.
#[macro_export]
macro_rules! conformance_tests {
    ($rt:ty) => {
        $crate::conformance_tests!(@all [@tests] $rt, [], $crate::ParkPolicy::Immediate);
    };
    ($rt:ty, park = $park:expr) => {
        $crate::conformance_tests!(@all [@tests] $rt, [], $park);
    };
    ($rt:ty, affinity = not_applicable) => {
        $crate::conformance_tests!(@all [@tests] $rt, [#[ignore = "not applicable: tasks are not bound to a worker on this runtime (CHILD_AFFINITY = false)"]], $crate::ParkPolicy::Immediate);
    };
    (@all [$($mode:tt)*] $rt:ty, [$($na:tt)*], $park:expr) => {
        $crate::conformance_tests!($($mode)* $rt, [], $park,
            // The six tests of the original tokio-io-pool crate.
            oneshot_round_trip,
            spawn_all_echo_one_worker,
            run_echo,
            cross_worker_wakeup,
            run_waits_for_child,
            // Spawning.
            handle_spawn_from_foreign_thread,
            spawn_pinned_runs_not_send,
            spawn_pinned_panic_is_a_task_panic,
            spawn_on_missing_worker_errors,
            spawn_after_shutdown_errors,
            spawn_all_stops_at_stream_error,
            local_spawn_off_pool_errors,
            affinity_capability_is_consistent,
            panicking_task_leaves_worker_serving,
            handle_auto_traits,
            // Lifecycle.
            thread_names,
            hooks_run_once_per_worker,
            pool_size_zero_errors,
            pinning_to_missing_cpu_errors,
            failed_start_tears_down_started_workers,
            block_on_returns_value,
            block_on_inside_worker_panics,
            shutdown_on_idle_waits_for_tasks,
            shutdown_on_idle_inside_worker_panics,
            shutdown_now_drops_pending_tasks,
            drop_on_own_worker_does_not_deadlock,
            from_config_rejects_invalid_config,
            shutdown_timeout_waits_for_idle,
            shutdown_timeout_stops_stuck_tasks,
            // Join handles.
            join_handle_delivers_output,
            join_handle_reports_panic,
            abort_before_first_poll,
            abort_while_pending,
            abort_after_completion,
            dropped_handle_detaches,
            shutdown_now_cancels_tasks,
            join_from_another_pool_and_a_thread,
            // Time.
            sleeps_wake_in_deadline_order,
            sleep_is_never_early_and_on_time_when_idle,
            timeout_fires_and_does_not,
            dropped_sleep_is_cancelled,
            many_timers_on_one_worker,
            sleep_outside_worker_panics,
            // Metrics.
            metrics_measure_busy_and_parks,
            // Placement and stall detection: what a runtime supports.
            placement_and_stall_capability_is_consistent,
            // Net.
            tcp_echo_cross_worker_handoff,
            tcp_echo_reuseport,
            tcp_connect_from_worker,
            tcp_echo_not_send_stream,
            // Owned-buffer I/O.
            owned_partial_reads,
            owned_large_messages,
            owned_dropped_futures,
            owned_eof,
            owned_reset_peer,
            owned_lent_buffer_outlives_pool,
            // Fairness on one worker.
            hot_connection_does_not_delay_echo,
            hot_reader_does_not_delay_echo,
            yield_loop_does_not_starve_io,
            burst_does_not_hold_back_io,
            timers_fire_next_to_a_hot_task,
            timers_fire_next_to_a_yield_loop,
        );
        $crate::conformance_tests!($($mode)* $rt, [$($na)*], $park,
            // Child affinity and worker placement.
            local_spawn_not_send,
            spawn_is_round_robin,
            spawn_on_places_on_worker,
            children_stay_on_parent_worker,
            join_handle_of_local_task,
            metrics_count_tasks_per_worker,
            metrics_show_queue_depth,
            // Placement policies and the stall detector (per-worker by nature).
            round_robin_placement_cycles,
            least_loaded_avoids_loaded_worker,
            power_of_two_choices_avoids_busy_worker,
            placement_uses_every_worker_in_a_burst,
            stall_is_reported_and_counted,
            short_polls_are_not_stalls,
            no_stall_detector_counts_no_stalls,
        );
    };
    (@tests $rt:ty, $attrs:tt, $park:expr, $($name:ident),* $(,)?) => {
        $( $crate::conformance_tests!(@one $rt, $attrs, $park, $name); )*
    };
    (@one $rt:ty, [$($attr:tt)*], $park:expr, $name:ident) => {
        #[test]
        $($attr)*
        fn $name() {
            $crate::conformance::support::run_test(stringify!($name), $park, $crate::conformance::$name::<$rt>);
        }
    };
    (@list $tests:ident $rt:ty, [], $park:expr, $($name:ident),* $(,)?) => {
        $tests.extend([$((
            stringify!($name),
            (|| $crate::conformance::support::run_test(stringify!($name), $park, $crate::conformance::$name::<$rt>)) as fn(),
        )),*]);
    };
}

/// The kit of [`conformance_tests!`] as a [`runner::Group`], for a test binary that
/// runs through [`runner::run`] because the runtime may be unavailable on a machine
/// (its tests are then reported as ignored, with the reason):
///
/// ```ignore
/// // backend-foo/tests/conformance.rs, a `harness = false` test
/// use pool_core::conformance::runner::run;
///
/// fn main() -> std::process::ExitCode {
///     run([pool_core::conformance_group!(backend_foo::FooPool).requires(backend_foo::probe())])
/// }
/// ```
///
/// `park = POLICY` runs the kit under another park policy, as for
/// [`conformance_tests!`]; `affinity = not_applicable` is not offered here.
#[macro_export]
macro_rules! conformance_group {
    ($rt:ty) => {
        $crate::conformance_group!($rt, park = $crate::ParkPolicy::Immediate)
    };
    ($rt:ty, park = $park:expr) => {{
        let mut tests: ::std::vec::Vec<$crate::conformance::runner::Test> = ::std::vec::Vec::new();
        $crate::conformance_tests!(@all [@list tests] $rt, [], $park);
        $crate::conformance::runner::Group::new(tests)
    }};
}
