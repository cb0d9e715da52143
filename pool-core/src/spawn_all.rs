//! [`SpawnAll`]: spawn every future a stream yields.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::error::StreamSpawnError;
use crate::runtime::Handle;

/// Items spawned per poll before yielding, so a stream that is always ready cannot
/// monopolise the task that drives it.
const BUDGET: usize = 128;

pin_project! {
    /// Spawns every future its stream yields, placed as `spawn` places them, until the stream ends or
    /// fails. Made by [`Handle::spawn_all`].
    #[must_use = "SpawnAll does nothing unless polled or awaited"]
    #[derive(Debug)]
    pub struct SpawnAll<H, S> {
        handle: H,
        #[pin]
        stream: S,
    }
}

impl<H, S> SpawnAll<H, S> {
    pub(crate) fn new(handle: H, stream: S) -> Self {
        SpawnAll { handle, stream }
    }
}

impl<H, S, F, E> Future for SpawnAll<H, S>
where
    H: Handle,
    S: Stream<Item = Result<F, E>>,
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    type Output = Result<(), StreamSpawnError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        for _ in 0..BUDGET {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(Ok(fut)) => drop(this.handle.spawn(fut)?),
                Some(Err(e)) => return Poll::Ready(Err(StreamSpawnError::Stream(e))),
                None => return Poll::Ready(Ok(())),
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
