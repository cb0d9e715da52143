//! [`spawn_fns!`](crate::spawn_fns): the spawn functions of a `Backend` whose workers run
//! this crate's executor, written once for every such backend.

/// Expands, inside an `impl pool_core::backend::Backend for ...` block, to the
/// backend's `spawn_local` and `spawn_send_task` on this crate's executor (see
/// [`current::spawn`](crate::current::spawn) and
/// [`current::spawn_send_task`](crate::current::spawn_send_task): a `Send` task is one
/// allocation, its join state included). `$pool` names the pool type in the panic
/// message of a call off its workers.
///
/// ```ignore
/// impl Backend for FooBackend {
///     // ...
///     pool_exec::spawn_fns!("FooPool");
/// }
/// ```
#[macro_export]
macro_rules! spawn_fns {
    ($pool:literal) => {
        #[track_caller]
        fn spawn_local<F: ::std::future::Future<Output = ()> + 'static>(fut: F) {
            assert!(
                $crate::current::spawn(fut),
                concat!("spawn_local called outside a ", $pool, " worker")
            );
        }

        #[track_caller]
        fn spawn_send_task<F>(
            task: $crate::__pool_core::backend::LiveTask,
            fut: F,
        ) -> $crate::__pool_core::JoinHandle<F::Output>
        where
            F: ::std::future::Future + Send + 'static,
            F::Output: Send + 'static,
        {
            $crate::current::spawn_send_task(task, fut).expect(concat!(
                "spawn_send_task called outside a ",
                $pool,
                " worker"
            ))
        }
    };
}
