//! [`Features`]: what this kernel's io_uring offers, probed once per process, and the
//! paths the backend takes because of it.

use std::fmt;
use std::io;
use std::sync::OnceLock;

use io_uring::{opcode, IoUring, Probe};

/// Set this environment variable (to anything) to make [`features`] (and so `build()`) report io_uring as
/// unavailable, as a kernel without it would: how tests and the harness exercise the
/// fallback path on a machine that has io_uring.
pub const FORCE_UNAVAILABLE_ENV: &str = "IOPOOL_URING_FORCE_UNAVAILABLE";

/// How each worker's ring is set up: the first of these the kernel accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetupMode {
    /// `IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN` (Linux 6.1): completions
    /// are posted only when the worker enters the ring to wait for them, with no
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
    fn name(self) -> &'static str {
        match self {
            SetupMode::DeferTaskrun => "SINGLE_ISSUER|DEFER_TASKRUN",
            SetupMode::SingleIssuer => "SINGLE_ISSUER|COOP_TASKRUN",
            SetupMode::CoopTaskrun => "COOP_TASKRUN",
            SetupMode::Plain => "plain",
        }
    }

    /// Applies this mode's flags to a ring builder.
    pub(crate) fn apply(self, builder: &mut io_uring::Builder) {
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
    }

    const ALL: [SetupMode; 4] = [
        SetupMode::DeferTaskrun,
        SetupMode::SingleIssuer,
        SetupMode::CoopTaskrun,
        SetupMode::Plain,
    ];
}

/// What the kernel's io_uring supports, and so which path each operation takes.
///
/// ```
/// match backend_uring::features() {
///     Ok(features) => println!("io_uring: {}", features.describe()),
///     Err(why) => println!("no io_uring here: {why}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Features {
    /// The ring set-up flags in use.
    pub setup: SetupMode,
    /// Multishot accept (`IORING_ACCEPT_MULTISHOT`, Linux 5.19): one SQE accepts every
    /// connection of a listener. Else one `IORING_OP_ACCEPT` per connection.
    pub multishot_accept: bool,
    /// A provided buffer ring (`IORING_REGISTER_PBUF_RING`, Linux 5.19).
    pub buf_ring: bool,
    /// Multishot receive into the buffer ring (`IORING_RECV_MULTISHOT`, Linux 6.0).
    /// Else one `IORING_OP_RECV` into an owned buffer per read.
    pub multishot_recv: bool,
}

impl Features {
    /// One line for reports: the set-up mode and the path of each operation.
    ///
    /// ```
    /// if let Ok(features) = backend_uring::features() {
    ///     assert!(features.describe().starts_with("setup="));
    /// }
    /// ```
    pub fn describe(&self) -> String {
        format!(
            "setup={} accept={} recv={} send=owned-buffer timers=IORING_OP_TIMEOUT wake=eventfd-read",
            self.setup.name(),
            if self.multishot_accept { "multishot" } else { "single-shot" },
            if self.multishot_recv && self.buf_ring {
                "multishot+buf-ring"
            } else {
                "single-shot+owned-buffer"
            },
        )
    }
}

impl fmt::Display for Features {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Probes the kernel once per process (a small ring is set up and torn down) and
/// returns what it found.
///
/// # Errors
///
/// Why io_uring cannot be used here: `io_uring_setup` failed (too old a kernel,
/// `kernel.io_uring_disabled`, seccomp), or an operation the backend needs is missing.
/// The forced error of [`FORCE_UNAVAILABLE_ENV`] is not cached: it is read each call.
pub fn features() -> Result<&'static Features, String> {
    if std::env::var_os(FORCE_UNAVAILABLE_ENV).is_some() {
        return Err(format!(
            "io_uring disabled by the {FORCE_UNAVAILABLE_ENV} environment variable"
        ));
    }
    static PROBED: OnceLock<Result<Features, String>> = OnceLock::new();
    PROBED.get_or_init(probe).as_ref().map_err(Clone::clone)
}

/// [`features`] with every multishot path turned off: single-shot accepts, and
/// receives into owned buffers with no buffer ring; what a 5.6–5.18 kernel gets.
/// [`UringFallbackPool`](crate::UringFallbackPool) runs on it, so that the fallback
/// paths are tested (and can be measured) on a kernel that has the newer ones.
///
/// # Errors
///
/// As [`features`].
pub fn fallback_features() -> Result<&'static Features, String> {
    let probed = features()?;
    static FALLBACK: OnceLock<Features> = OnceLock::new();
    Ok(FALLBACK.get_or_init(|| Features {
        setup: probed.setup,
        multishot_accept: false,
        buf_ring: false,
        multishot_recv: false,
    }))
}

/// `features()`, as the error [`Pool`](pool_core::Pool) reports from `build()`.
pub(crate) fn check() -> Result<&'static Features, pool_core::BuildError> {
    features().map_err(|reason| pool_core::BuildError::Unavailable {
        backend: crate::UringBackend::NAME_STR,
        reason,
    })
}

fn setup_error(e: &io::Error) -> String {
    let why = match e.raw_os_error() {
        Some(libc::ENOSYS) => "the kernel has no io_uring (too old, or compiled out)",
        Some(libc::EPERM) => {
            "io_uring is not permitted (the kernel.io_uring_disabled sysctl, or seccomp)"
        }
        Some(libc::EACCES) => "io_uring is not permitted (a security policy)",
        _ => "io_uring_setup failed",
    };
    format!("{why}: {e}")
}

fn probe() -> Result<Features, String> {
    let mut last = None;
    let mut found = None;
    for mode in SetupMode::ALL {
        let mut builder = IoUring::builder();
        mode.apply(&mut builder);
        match builder.build(8) {
            Ok(ring) => {
                found = Some((mode, ring));
                break;
            }
            // EINVAL: this kernel does not know these flags; try the next mode.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => last = Some(e),
            Err(e) => return Err(setup_error(&e)),
        }
    }
    let Some((setup, ring)) = found else {
        let e = last.unwrap_or_else(|| io::Error::other("no set-up mode worked"));
        return Err(setup_error(&e));
    };
    let mut probe = Probe::new();
    ring.submitter()
        .register_probe(&mut probe)
        .map_err(|e| format!("io_uring has no opcode probe (Linux 5.6 or later needed): {e}"))?;
    let needed = [
        ("IORING_OP_ACCEPT", opcode::Accept::CODE),
        ("IORING_OP_CONNECT", opcode::Connect::CODE),
        ("IORING_OP_RECV", opcode::Recv::CODE),
        ("IORING_OP_SEND", opcode::Send::CODE),
        ("IORING_OP_READ", opcode::Read::CODE),
        ("IORING_OP_TIMEOUT", opcode::Timeout::CODE),
        ("IORING_OP_ASYNC_CANCEL", opcode::AsyncCancel::CODE),
    ];
    for (name, code) in needed {
        if !probe.is_supported(code) {
            return Err(format!("this kernel's io_uring lacks {name}"));
        }
    }
    // Multishot flags cannot be probed directly: infer them from opcodes of the same
    // release (IORING_OP_SOCKET: 5.19, with buffer rings and multishot accept;
    // IORING_OP_SEND_ZC: 6.0, with multishot receive).
    let v5_19 = probe.is_supported(opcode::Socket::CODE);
    let v6_0 = probe.is_supported(opcode::SendZc::CODE);
    Ok(Features {
        setup,
        multishot_accept: v5_19,
        buf_ring: v5_19,
        multishot_recv: v6_0,
    })
}
