//! The payload pattern: every message carries its sequence number and bytes derived
//! from it, so a lost, reordered, stale or corrupted echo is caught.

/// Fills `buf` with the pattern for request `seq`: the sequence number in the first 8
/// bytes (little-endian, truncated for shorter messages), then bytes derived from the
/// sequence number and position.
///
/// ```
/// let mut a = [0u8; 16];
/// let mut b = [0u8; 16];
/// harness::load::fill(&mut a, 1);
/// harness::load::fill(&mut b, 2);
/// assert_ne!(a, b);
/// assert_eq!(harness::load::first_mismatch(&a, &a), None);
/// assert_eq!(harness::load::first_mismatch(&a, &b), Some(0));
/// ```
pub fn fill(buf: &mut [u8], seq: u64) {
    let header = seq.to_le_bytes();
    let n = buf.len().min(8);
    buf[..n].copy_from_slice(&header[..n]);
    let salt = seq.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for (i, b) in buf.iter_mut().enumerate().skip(8) {
        *b = ((i as u64).wrapping_add(salt) >> 3) as u8 ^ (i as u8);
    }
    if buf.len() < 8 && !buf.is_empty() {
        // Short messages: make the last byte depend on the whole number too.
        let last = buf.len() - 1;
        buf[last] ^= (salt >> 56) as u8;
    }
}

/// The offset of the first byte where `got` differs from `expected`.
pub fn first_mismatch(expected: &[u8], got: &[u8]) -> Option<usize> {
    if expected == got {
        return None;
    }
    Some(
        expected
            .iter()
            .zip(got)
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(got.len())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_messages_differ_at_every_size() {
        for size in [1, 2, 7, 8, 9, 64, 4096] {
            let mut a = vec![0; size];
            let mut b = vec![0; size];
            fill(&mut a, 41);
            fill(&mut b, 42);
            assert_ne!(a, b, "size {size}");
        }
    }
}
