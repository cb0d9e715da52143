//! The futures of [`OwnedIo`]'s provided methods.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::ReadBuf;

use super::owned::{BufResult, IoBuf, IoBufMut, OwnedIo, OwnedWrite};

/// The future of [`OwnedIo::recv`].
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Recv<'a, S> {
    stream: &'a mut S,
    max: usize,
}

impl<'a, S> Recv<'a, S> {
    pub(crate) fn new(stream: &'a mut S, max: usize) -> Self {
        Recv { stream, max }
    }
}

impl<S: OwnedIo> Future for Recv<'_, S> {
    type Output = io::Result<S::Buf>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let max = self.max;
        self.stream.poll_recv(cx, max)
    }
}

/// The future of [`OwnedIo::read_owned`].
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct ReadOwned<'a, S, B> {
    stream: &'a mut S,
    buf: Option<B>,
}

impl<'a, S, B> ReadOwned<'a, S, B> {
    pub(crate) fn new(stream: &'a mut S, buf: B) -> Self {
        ReadOwned {
            stream,
            buf: Some(buf),
        }
    }
}

impl<S: OwnedIo, B: IoBufMut> Future for ReadOwned<'_, S, B> {
    type Output = BufResult<usize, B>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let buf = this
            .buf
            .as_mut()
            .expect("ReadOwned polled after completion");
        let mut read = ReadBuf::new(buf.bytes_mut());
        let result = ready!(Pin::new(&mut *this.stream).poll_read(cx, &mut read));
        let n = read.filled().len();
        let buf = this.buf.take().expect("checked above");
        Poll::Ready((result.map(|()| n), buf))
    }
}

/// The future of [`OwnedIo::write_all_owned`].
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct WriteAllOwned<'a, S, B> {
    stream: &'a mut S,
    write: OwnedWrite<B>,
}

impl<'a, S, B> WriteAllOwned<'a, S, B> {
    pub(crate) fn new(stream: &'a mut S, buf: B) -> Self {
        WriteAllOwned {
            stream,
            write: OwnedWrite::new(buf, true),
        }
    }
}

impl<S: OwnedIo, B: IoBuf> Future for WriteAllOwned<'_, S, B> {
    type Output = BufResult<(), B>;

    /// # Panics
    ///
    /// If the backend breaks [`OwnedIo::poll_write_owned`]'s contract and does not
    /// give the buffer back, or if polled after completion.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let result = ready!(this.stream.poll_write_owned(cx, &mut this.write));
        let buf = this.write.buf.take().expect(
            "WriteAllOwned: the backend did not give the buffer back (or polled after completion)",
        );
        Poll::Ready((result, buf))
    }
}

/// The future of [`OwnedIo::send_owned`].
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct SendOwned<'a, S, B> {
    stream: &'a mut S,
    write: OwnedWrite<B>,
}

impl<'a, S, B> SendOwned<'a, S, B> {
    pub(crate) fn new(stream: &'a mut S, buf: B) -> Self {
        SendOwned {
            stream,
            write: OwnedWrite::new(buf, false),
        }
    }
}

impl<S: OwnedIo, B: IoBuf> Future for SendOwned<'_, S, B> {
    type Output = io::Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let result = ready!(this.stream.poll_write_owned(cx, &mut this.write));
        this.write.buf = None;
        Poll::Ready(result)
    }
}
