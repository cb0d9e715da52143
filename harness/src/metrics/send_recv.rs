//! A kernel figure: the CPU cost of one blocking send plus one recv of a message over
//! loopback, measured by a tight loop on one thread.
//!
//! It is *not* a lower bound on a server's CPU per echo: a nonblocking server at many
//! connections batches wake-ups and beats it. It says what the kernel charges for the
//! simplest pair of syscalls on this machine, to compare machines; the limit a backend
//! is compared with is the reference server ([`crate::serve::ReferenceServer`]),
//! measured on the same load in the same run.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::cpu::thread_time;

/// The largest chunk sent before reading it back, so the loop never blocks on a full
/// socket buffer.
const CHUNK: usize = 64 * 1024;

/// One blocking send+recv pair, measured.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendRecv {
    /// Message size in bytes.
    pub msg_size: usize,
    /// Send+recv pairs measured.
    pub iterations: u64,
    /// CPU time of one send plus one recv of `msg_size` bytes, in microseconds.
    pub cpu_per_op_us: f64,
    /// Wall time of the same, in microseconds.
    pub wall_per_op_us: f64,
}

/// Measures the send+recv pair for `msg_size`-byte messages for about `budget`.
///
/// ```
/// use std::time::Duration;
/// let pair = harness::metrics::send_recv::measure(64, Duration::from_millis(20)).unwrap();
/// assert!(pair.iterations > 0 && pair.cpu_per_op_us > 0.0);
/// ```
///
/// # Errors
///
/// If the loopback connection cannot be set up or fails.
pub fn measure(msg_size: usize, budget: Duration) -> io::Result<SendRecv> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut tx = TcpStream::connect(listener.local_addr()?)?;
    let (mut rx, _) = listener.accept()?;
    tx.set_nodelay(true)?;
    rx.set_nodelay(true)?;
    let msg = vec![0x5a_u8; msg_size];
    let mut buf = vec![0_u8; msg_size.min(CHUNK)];

    let cpu0 = thread_time();
    let wall0 = Instant::now();
    let mut iterations = 0_u64;
    loop {
        for chunk in msg.chunks(CHUNK) {
            tx.write_all(chunk)?;
            rx.read_exact(&mut buf[..chunk.len()])?;
        }
        iterations += 1;
        if iterations.is_multiple_of(16) && wall0.elapsed() >= budget {
            break;
        }
    }
    let wall = wall0.elapsed();
    let cpu = thread_time().saturating_sub(cpu0);
    Ok(SendRecv {
        msg_size,
        iterations,
        cpu_per_op_us: cpu.as_secs_f64() * 1e6 / iterations as f64,
        wall_per_op_us: wall.as_secs_f64() * 1e6 / iterations as f64,
    })
}
