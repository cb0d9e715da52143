//! Multishot accept and receive: the entries that arm them, and what each of their
//! completions means ([`Received`], [`Accepted`], with [`Multishot::more`] telling
//! whether the operation stays armed).

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::rc::Rc;

use io_uring::types::Fd;
use io_uring::{cqueue, opcode, squeue};

use crate::bufring::{BufRing, RingBuf};

/// One completion of an operation, and whether the operation stays armed.
#[derive(Debug)]
pub struct Multishot<T> {
    /// What the completion carries.
    pub event: T,
    /// `IORING_CQE_F_MORE`: more completions will come. When `false` the operation
    /// has ended (a single-shot one always), and must be armed again if wanted.
    pub more: bool,
}

/// What a receive completion means.
#[derive(Debug)]
pub enum Received {
    /// Bytes, in a buffer of the ring (given back when the guard drops).
    Data(RingBuf),
    /// The peer closed its side (a zero-byte receive).
    Eof,
    /// `ENOBUFS`: the ring had no free buffer. The receive has ended; give buffers
    /// back, or receive into an owned buffer, then arm again.
    NoBuffers,
    /// `ECANCELED`: a cancel ended the receive.
    Cancelled,
    /// Any other error (a reset, or a completion that names no valid buffer).
    Failed(io::Error),
}

impl Received {
    /// What a receive result means when it carries no ring buffer: an owned-buffer
    /// receive, or an error. A positive `result` (bytes in an owned buffer) is the
    /// caller's to handle; here it is reported as `Failed`.
    ///
    /// ```
    /// use uring_core::Received;
    ///
    /// assert!(matches!(Received::without_buffer(0), Received::Eof));
    /// assert!(matches!(Received::without_buffer(-libc::ENOBUFS), Received::NoBuffers));
    /// assert!(matches!(Received::without_buffer(-libc::ECONNRESET), Received::Failed(_)));
    /// ```
    pub fn without_buffer(result: i32) -> Received {
        match result {
            0 => Received::Eof,
            r if r == -libc::ENOBUFS => Received::NoBuffers,
            r if r == -libc::ECANCELED => Received::Cancelled,
            r if r < 0 => Received::Failed(io::Error::from_raw_os_error(-r)),
            _ => Received::Failed(io::Error::new(
                io::ErrorKind::InvalidData,
                "a receive from a buffer ring completed without naming a buffer",
            )),
        }
    }
}

/// What an accept completion means.
#[derive(Debug)]
pub enum Accepted {
    /// A new connection's descriptor.
    Conn(OwnedFd),
    /// `ECANCELED`: a cancel ended the accept.
    Cancelled,
    /// An error (`EMFILE`, `ENFILE`...): the listener's backlog keeps the connection.
    Failed(io::Error),
}

/// The entry of a multishot receive on `fd` into `ring`'s buffers
/// (`IORING_RECV_MULTISHOT`, Linux 6.0). Pushing it is the caller's (unsafe) part.
pub fn recv_multi(fd: RawFd, ring: &BufRing) -> squeue::Entry {
    opcode::RecvMulti::new(Fd(fd), ring.group()).build()
}

/// The entry of a multishot accept on listener `fd` (`IORING_ACCEPT_MULTISHOT`,
/// Linux 5.19); `flags` are `accept4`'s (`SOCK_CLOEXEC`, `SOCK_NONBLOCK`).
///
/// ```
/// use std::os::fd::AsRawFd;
///
/// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
/// let entry = uring_core::accept_multi(listener.as_raw_fd(), libc::SOCK_CLOEXEC).user_data(7);
/// assert_eq!(entry.get_user_data(), 7);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn accept_multi(fd: RawFd, flags: i32) -> squeue::Entry {
    opcode::AcceptMulti::new(Fd(fd)).flags(flags).build()
}

/// What a completion (`result`, `flags`) of a receive selecting from `ring` means. A
/// buffer it names is always taken, so that it goes back to the ring even when the
/// result is not data.
///
/// # Safety
///
/// The completion was reaped (once) on `ring`'s io_uring, for an operation that
/// selects its buffers from `ring`'s group (see [`BufRing::take`]).
pub unsafe fn received(ring: &Rc<BufRing>, result: i32, flags: u32) -> Multishot<Received> {
    let more = cqueue::more(flags);
    let event = match cqueue::buffer_select(flags) {
        Some(bid) => {
            let len = u32::try_from(result).unwrap_or(0);
            // SAFETY: the caller's guarantee is `take`'s.
            match unsafe { ring.take(bid, len) } {
                Ok(buf) if result > 0 => Received::Data(buf),
                Ok(_) => Received::without_buffer(result),
                Err(e) => Received::Failed(e),
            }
        }
        None => Received::without_buffer(result),
    };
    Multishot { event, more }
}

/// What a completion (`result`, `flags`) of an accept, multishot or not, means.
///
/// # Safety
///
/// The completion was reaped (once) for an accept: a non-negative `result` is a new
/// descriptor that nothing else owns.
///
/// ```
/// use uring_core::{accepted, Accepted};
///
/// // SAFETY: a negative result names no descriptor.
/// let got = unsafe { accepted(-libc::EMFILE, 0) };
/// assert!(matches!(got.event, Accepted::Failed(_)) && !got.more);
/// ```
pub unsafe fn accepted(result: i32, flags: u32) -> Multishot<Accepted> {
    let event = match result {
        // SAFETY: fd lifetime: the kernel just created this descriptor for the caller
        // (its guarantee); the OwnedFd is its only owner.
        fd if fd >= 0 => Accepted::Conn(unsafe { OwnedFd::from_raw_fd(fd) }),
        r if r == -libc::ECANCELED => Accepted::Cancelled,
        r => Accepted::Failed(io::Error::from_raw_os_error(-r)),
    };
    Multishot {
        event,
        more: cqueue::more(flags),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `IORING_CQE_F_BUFFER`, `IORING_CQE_F_MORE` and `IORING_CQE_BUFFER_SHIFT`.
    const F_BUFFER: u32 = 1;
    const F_MORE: u32 = 2;
    const BUFFER_SHIFT: u32 = 16;

    fn with_buffer(bid: u16) -> u32 {
        F_BUFFER | (u32::from(bid) << BUFFER_SHIFT)
    }

    #[test]
    fn data_is_a_guard_and_more_says_whether_it_stays_armed() {
        let ring = BufRing::for_test(0, 4, 8, 0);
        // SAFETY: no kernel: buffer 2 is published and nothing writes it; the tests
        // play the completion of a receive that picked it.
        let got = unsafe { received(&ring, 5, with_buffer(2) | F_MORE) };
        assert!(got.more);
        let Received::Data(buf) = got.event else {
            panic!("{:?}", got.event)
        };
        assert_eq!((buf.bid(), buf.len(), ring.lent()), (2, 5, 1));
        drop(buf);
        assert_eq!(ring.lent(), 0);
    }

    #[test]
    fn a_buffer_named_without_data_goes_back_to_the_ring() {
        let ring = BufRing::for_test(0, 4, 8, 0);
        // SAFETY: as above, buffer 1.
        let got = unsafe { received(&ring, 0, with_buffer(1)) };
        assert!(matches!(got.event, Received::Eof) && !got.more);
        assert_eq!(ring.lent(), 0);
    }

    #[test]
    fn results_without_a_buffer() {
        let ring = BufRing::for_test(0, 4, 8, 0);
        for (result, want) in [
            (-libc::ENOBUFS, "NoBuffers"),
            (-libc::ECANCELED, "Cancelled"),
            (-libc::ECONNRESET, "Failed"),
            (7, "Failed"),
        ] {
            // SAFETY: the completion names no buffer.
            let got = unsafe { received(&ring, result, 0) };
            assert!(format!("{:?}", got.event).starts_with(want), "{result}");
        }
        // A bad buffer id is an error, not a slice.
        // SAFETY: buffer 9 does not exist: `take` refuses it.
        let got = unsafe { received(&ring, 3, with_buffer(9)) };
        assert!(matches!(got.event, Received::Failed(e) if e.kind() == io::ErrorKind::InvalidData));
    }

    #[test]
    fn accept_errors() {
        // SAFETY: negative results carry no descriptor.
        let (cancelled, failed) = unsafe {
            (
                accepted(-libc::ECANCELED, 0),
                accepted(-libc::EMFILE, F_MORE),
            )
        };
        assert!(matches!(cancelled.event, Accepted::Cancelled) && !cancelled.more);
        assert!(failed.more);
        let Accepted::Failed(e) = failed.event else {
            panic!("{:?}", failed.event)
        };
        assert_eq!(e.raw_os_error(), Some(libc::EMFILE));
    }
}
