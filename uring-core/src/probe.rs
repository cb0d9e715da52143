//! [`Features`]: what this kernel's io_uring offers, probed once per process, and the
//! paths a ring user takes because of it.

use std::fmt;
use std::sync::OnceLock;

use io_uring::{opcode, Probe};

use crate::setup::{build_best, forced_unavailable, SetupMode};

/// What the kernel's io_uring supports, and so which path each operation takes.
///
/// ```
/// match uring_core::features() {
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
    /// Whether multishot receives into a [`BufRing`](crate::BufRing) can be used:
    /// both a buffer ring and multishot receive.
    ///
    /// ```
    /// if let Ok(features) = uring_core::fallback_features() {
    ///     assert!(!features.ring_receive());
    /// }
    /// ```
    pub fn ring_receive(&self) -> bool {
        self.buf_ring && self.multishot_recv
    }

    /// One line for reports: the set-up mode and the path of each operation.
    ///
    /// ```
    /// if let Ok(features) = uring_core::features() {
    ///     assert!(features.describe().starts_with("setup="));
    /// }
    /// ```
    pub fn describe(&self) -> String {
        format!(
            "setup={} accept={} recv={} send=owned-buffer timers=IORING_OP_TIMEOUT wake=eventfd-read",
            self.setup.name(),
            if self.multishot_accept { "multishot" } else { "single-shot" },
            if self.ring_receive() {
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
/// `kernel.io_uring_disabled`, seccomp), or an operation iopool needs is missing.
/// The forced error of [`FORCE_UNAVAILABLE_ENV`](crate::FORCE_UNAVAILABLE_ENV) is not
/// cached: it is read each call.
pub fn features() -> Result<&'static Features, String> {
    if let Some(e) = forced_unavailable() {
        return Err(e.to_string());
    }
    static PROBED: OnceLock<Result<Features, String>> = OnceLock::new();
    PROBED.get_or_init(probe).as_ref().map_err(Clone::clone)
}

/// [`features`] with every multishot path turned off: single-shot accepts, and
/// receives into owned buffers with no buffer ring; what a 5.6–5.18 kernel gets. It
/// lets the fallback paths be tested (and measured) on a kernel that has the newer
/// ones.
///
/// # Errors
///
/// As [`features`].
///
/// ```
/// if let Ok(fallback) = uring_core::fallback_features() {
///     assert!(!fallback.multishot_accept && !fallback.buf_ring);
/// }
/// ```
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

fn probe() -> Result<Features, String> {
    let (ring, setup) = build_best(8).map_err(|e| e.to_string())?;
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
