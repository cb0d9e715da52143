//! [`Queued`]: a task spawned straight onto a worker's runtime, counted in the worker's
//! queue depth until its first poll.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

pin_project! {
    /// `fut`, counted in `queued` from its spawn until its first poll (or its drop, if
    /// it never runs). It lives inline in tokio's task: no allocation of its own.
    pub(crate) struct Queued<F> {
        #[pin]
        fut: F,
        queued: Option<Arc<AtomicU64>>,
    }

    impl<F> PinnedDrop for Queued<F> {
        fn drop(this: Pin<&mut Self>) {
            dequeue(this.project().queued);
        }
    }
}

impl<F> Queued<F> {
    /// Counts one more task in `queued`, until `fut` is first polled.
    pub(crate) fn new(fut: F, queued: &Arc<AtomicU64>) -> Self {
        queued.fetch_add(1, Ordering::Relaxed);
        Queued {
            fut,
            queued: Some(Arc::clone(queued)),
        }
    }
}

fn dequeue(queued: &mut Option<Arc<AtomicU64>>) {
    if let Some(queued) = queued.take() {
        queued.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<F: Future> Future for Queued<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        dequeue(this.queued);
        this.fut.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_until_first_poll_or_drop() {
        let queued = Arc::new(AtomicU64::new(0));
        let polled = Queued::new(async { 1 }, &queued);
        let dropped = Queued::new(async { 2 }, &queued);
        assert_eq!(queued.load(Ordering::Relaxed), 2);
        assert_eq!(futures::executor::block_on(polled), 1);
        assert_eq!(queued.load(Ordering::Relaxed), 1);
        drop(dropped);
        assert_eq!(queued.load(Ordering::Relaxed), 0);
    }
}
