//! [`Sleep`]: tokio's timer behind the pool-core time API, for both runtimes.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use pin_project_lite::pin_project;
use pool_core::time::TIME_OUTSIDE_WORKER;

pin_project! {
    /// The sleep of [`TokioPool`](crate::TokioPool) and
    /// [`TokioMultiThread`](crate::TokioMultiThread): a `tokio::time::Sleep`, armed at
    /// its first poll, so that it can be created anywhere.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// use backend_tokio::TokioPool;
    /// use pool_core::{Builder, Runtime};
    ///
    /// let start = Instant::now();
    /// let sleep = TokioPool::sleep(Duration::from_millis(2)); // made off the pool
    /// let pool: TokioPool = Builder::new().pool_size(1).build()?;
    /// pool.block_on(sleep);
    /// assert!(start.elapsed() >= Duration::from_millis(2));
    /// # Ok::<(), pool_core::BuildError>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Polled outside a tokio runtime, with
    /// [`TIME_OUTSIDE_WORKER`](pool_core::time::TIME_OUTSIDE_WORKER).
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct Sleep {
        #[pin]
        state: State,
    }
}

pin_project! {
    #[project = StateProj]
    #[derive(Debug)]
    enum State {
        Unarmed { deadline: Instant },
        Armed { #[pin] sleep: tokio::time::Sleep },
    }
}

impl Sleep {
    pub(crate) fn until(deadline: Instant) -> Self {
        Sleep {
            state: State::Unarmed { deadline },
        }
    }
}

impl Future for Sleep {
    type Output = ();

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.project().state;
        if let StateProj::Unarmed { deadline } = state.as_mut().project() {
            assert!(
                tokio::runtime::Handle::try_current().is_ok(),
                "{TIME_OUTSIDE_WORKER}"
            );
            let sleep = tokio::time::sleep_until((*deadline).into());
            state.set(State::Armed { sleep });
        }
        match state.project() {
            StateProj::Armed { sleep } => sleep.poll(cx),
            StateProj::Unarmed { .. } => unreachable!("armed above"),
        }
    }
}
