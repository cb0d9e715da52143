//! [`eventfd`] and [`signal`]: how another thread wakes a thread waiting on its ring
//! (the ring keeps an `IORING_OP_READ` of the eventfd in flight).

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{FromRawFd, OwnedFd};

/// A new eventfd (counter 0, close-on-exec, non-blocking if `nonblocking`), as a
/// `File`: a ring's 8-byte read of it completes once its counter is non-zero.
///
/// # Errors
///
/// `eventfd(2)`'s: out of descriptors or memory.
///
/// ```
/// let fd = uring_core::eventfd(true)?;
/// uring_core::signal(&fd);
/// let mut counter = [0u8; 8];
/// std::io::Read::read_exact(&mut &fd, &mut counter)?;
/// assert_eq!(u64::from_ne_bytes(counter), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn eventfd(nonblocking: bool) -> io::Result<File> {
    let flags = libc::EFD_CLOEXEC | if nonblocking { libc::EFD_NONBLOCK } else { 0 };
    // SAFETY: eventfd(2) takes no pointers; the result is checked before use.
    let fd = unsafe { libc::eventfd(0, flags) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fd lifetime: `fd` is a fresh descriptor that nothing else owns.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// Adds 1 to `eventfd`'s counter, which wakes the ring that reads it.
///
/// It cannot fail in a way that matters: on an eventfd the only error of an 8-byte
/// write of 1 is `EAGAIN` (non-blocking, the counter saturated), and a saturated
/// counter is non-zero, so the read completes anyway.
pub fn signal(eventfd: &File) {
    let _ = (&*eventfd).write(&1_u64.to_ne_bytes());
}
