//! [`SetupMode`]: the flags a ring is set up with, and [`build_best`], which finds the
//! best mode this kernel accepts.

use std::fmt;
use std::io;

use io_uring::IoUring;

/// Set this environment variable (to anything) to make [`features`](crate::features),
/// [`build_best`] and so every ring built through this crate report io_uring as
/// unavailable, as a kernel without it would: how tests and the harness exercise the
/// fallback path on a machine that has io_uring.
pub const FORCE_UNAVAILABLE_ENV: &str = "IOPOOL_URING_FORCE_UNAVAILABLE";

/// How a ring is set up: the first of these the kernel accepts.
///
/// ```
/// let mode = uring_core::SetupMode::DeferTaskrun;
/// assert_eq!(mode.to_string(), "SINGLE_ISSUER|DEFER_TASKRUN");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetupMode {
    /// `IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN` (Linux 6.1): completions
    /// are posted only when the thread enters the ring to wait for them, with no
    /// interrupting task work.
    DeferTaskrun,
    /// `IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN` (Linux 6.0).
    SingleIssuer,
    /// `IORING_SETUP_COOP_TASKRUN` (Linux 5.19).
    CoopTaskrun,
    /// No setup flags.
    Plain,
}

impl SetupMode {
    /// Every mode, best first: the order [`build_best`] tries them in.
    pub const ALL: [SetupMode; 4] = [
        SetupMode::DeferTaskrun,
        SetupMode::SingleIssuer,
        SetupMode::CoopTaskrun,
        SetupMode::Plain,
    ];

    /// The mode's flags, as the report line names them.
    pub fn name(self) -> &'static str {
        match self {
            SetupMode::DeferTaskrun => "SINGLE_ISSUER|DEFER_TASKRUN",
            SetupMode::SingleIssuer => "SINGLE_ISSUER|COOP_TASKRUN",
            SetupMode::CoopTaskrun => "COOP_TASKRUN",
            SetupMode::Plain => "plain",
        }
    }

    /// A ring builder with this mode's flags set; add sizes, then `build`.
    ///
    /// ```
    /// let builder = uring_core::SetupMode::Plain.builder();
    /// match builder.build(8) {
    ///     Ok(_ring) => println!("io_uring available"),
    ///     Err(e) => println!("no io_uring here: {e}"),
    /// }
    /// ```
    pub fn builder(self) -> io_uring::Builder {
        let mut builder = IoUring::builder();
        match self {
            SetupMode::DeferTaskrun => {
                builder.setup_single_issuer().setup_defer_taskrun();
            }
            SetupMode::SingleIssuer => {
                builder.setup_single_issuer().setup_coop_taskrun();
            }
            SetupMode::CoopTaskrun => {
                builder.setup_coop_taskrun();
            }
            SetupMode::Plain => {}
        }
        builder
    }
}

impl fmt::Display for SetupMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of [`FORCE_UNAVAILABLE_ENV`], if it is set (read at each call).
pub fn forced_unavailable() -> Option<io::Error> {
    std::env::var_os(FORCE_UNAVAILABLE_ENV).map(|_| {
        io::Error::new(
            io::ErrorKind::Unsupported,
            format!("io_uring disabled by the {FORCE_UNAVAILABLE_ENV} environment variable"),
        )
    })
}

/// A ring of `entries` submission entries with the best [`SetupMode`] this kernel
/// accepts (a mode it does not know fails with `EINVAL`, and the next is tried).
///
/// Call it on the thread that will use the ring: the `SINGLE_ISSUER` modes bind the
/// ring to its first submitter.
///
/// # Errors
///
/// [`FORCE_UNAVAILABLE_ENV`] is set, or `io_uring_setup` failed for a reason other
/// than unknown flags; the message says why (no io_uring in the kernel,
/// `kernel.io_uring_disabled`, seccomp, out of memory).
///
/// ```
/// match uring_core::build_best(8) {
///     Ok((_ring, mode)) => println!("io_uring set up as {mode}"),
///     Err(e) => println!("no io_uring here: {e}"),
/// }
/// ```
pub fn build_best(entries: u32) -> io::Result<(IoUring, SetupMode)> {
    if let Some(e) = forced_unavailable() {
        return Err(e);
    }
    let mut last = None;
    for mode in SetupMode::ALL {
        match mode.builder().build(entries) {
            Ok(ring) => return Ok((ring, mode)),
            // EINVAL: this kernel does not know these flags; try the next mode.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => last = Some(e),
            Err(e) => return Err(explain(e)),
        }
    }
    Err(explain(last.unwrap_or_else(|| {
        io::Error::other("no set-up mode worked")
    })))
}

/// `e`, an `io_uring_setup` error, with its likely cause in front.
fn explain(e: io::Error) -> io::Error {
    let why = match e.raw_os_error() {
        Some(libc::ENOSYS) => "the kernel has no io_uring (too old, or compiled out)",
        Some(libc::EPERM) => {
            "io_uring is not permitted (the kernel.io_uring_disabled sysctl, or seccomp)"
        }
        Some(libc::EACCES) => "io_uring is not permitted (a security policy)",
        _ => "io_uring_setup failed",
    };
    io::Error::new(e.kind(), format!("{why}: {e}"))
}
