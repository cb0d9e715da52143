//! The bytes of a request not yet complete, carried from one read to the next: what
//! every framed responder (HTTP, sockperf) needs between reads.

/// One connection's incomplete request.
#[derive(Debug, Default)]
pub(crate) struct Carry(Vec<u8>);

impl Carry {
    /// Runs `parse` over the carried bytes followed by `input` (without copying `input`
    /// when nothing is carried); `parse` returns how many bytes it consumed, and the
    /// rest is carried to the next call.
    pub(crate) fn parse<R>(&mut self, input: &[u8], parse: impl FnOnce(&[u8]) -> (usize, R)) -> R {
        let mut carried = std::mem::take(&mut self.0);
        let data: &[u8] = if carried.is_empty() {
            input
        } else {
            carried.extend_from_slice(input);
            &carried
        };
        let (used, out) = parse(data);
        self.0 = data[used.min(data.len())..].to_vec();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unconsumed_tail_comes_first_next_time() {
        let mut c = Carry::default();
        assert_eq!(c.parse(b"abc", |d| (1, d.to_vec())), b"abc");
        assert_eq!(c.parse(b"d", |d| (d.len(), d.to_vec())), b"bcd");
        assert_eq!(c.parse(b"e", |d| (0, d.to_vec())), b"e");
    }
}
