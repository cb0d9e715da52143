//! The references' HTTP responder: hand-rolled, no runtime and no hyper, the
//! runtime-free limit of the HTTP workload. It answers only `GET /plaintext`: any
//! other request, one with a body, or a malformed one gets a `400 Bad Request` and the
//! connection closes after it.

use super::{date, plaintext};
use crate::serve::carry::Carry;

/// A request head larger than this, still incomplete, is refused.
const MAX_HEAD: usize = 8 * 1024;

/// What the bytes of one read asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Answered {
    /// Requests answered.
    pub requests: u64,
    /// The connection must close once the answers are written.
    pub close: bool,
}

/// One connection's HTTP/1.1 keep-alive state: the start of a request not yet
/// complete.
#[derive(Debug, Default)]
pub struct Minimal {
    partial: Carry,
    closed: bool,
}

impl Minimal {
    /// Appends to `out` the answers to the requests `input` completes (requests may
    /// arrive split, or several in one read), keeping an incomplete one for the next
    /// call.
    pub fn respond(&mut self, input: &[u8], out: &mut Vec<u8>) -> Answered {
        let mut answered = Answered::default();
        if self.closed {
            answered.close = true;
            return answered;
        }
        let answered = self.partial.parse(input, |data| {
            let mut at = 0;
            let mut date = None;
            while at < data.len() {
                match head(&data[at..]) {
                    Head::Plaintext(len) => {
                        let date = date.get_or_insert_with(date::now);
                        plaintext::write_ok(out, date);
                        answered.requests += 1;
                        at += len;
                    }
                    Head::Partial if data.len() - at <= MAX_HEAD => break,
                    Head::Partial | Head::Refused => {
                        out.extend_from_slice(plaintext::BAD_REQUEST);
                        answered.close = true;
                        return (data.len(), answered);
                    }
                }
            }
            (at, answered)
        });
        self.closed = answered.close;
        answered
    }
}

/// What the start of a buffer holds.
enum Head {
    /// A complete `GET /plaintext` without a body, this many bytes long.
    Plaintext(usize),
    /// The start of a request.
    Partial,
    /// Anything this responder does not answer.
    Refused,
}

fn head(data: &[u8]) -> Head {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(data) {
        Ok(httparse::Status::Complete(len)) => {
            let bodyless = request.headers.iter().all(|h| {
                !(h.name.eq_ignore_ascii_case("transfer-encoding")
                    || h.name.eq_ignore_ascii_case("content-length") && h.value != b"0")
            });
            if request.method == Some("GET") && request.path == Some(plaintext::PATH) && bodyless {
                Head::Plaintext(len)
            } else {
                Head::Refused
            }
        }
        Ok(httparse::Status::Partial) => Head::Partial,
        Err(_) => Head::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n";

    fn count_ok(out: &[u8]) -> usize {
        out.windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count()
    }

    #[test]
    fn split_and_batched_requests_are_each_answered_once() {
        let mut m = Minimal::default();
        let mut out = Vec::new();
        for b in GET {
            let a = m.respond(std::slice::from_ref(b), &mut out);
            assert!(!a.close);
        }
        assert_eq!(count_ok(&out), 1);
        let three = [GET, GET, GET].concat();
        let a = m.respond(&three, &mut out);
        assert_eq!(a.requests, 3);
        assert_eq!(count_ok(&out), 4);
        assert!(out.ends_with(plaintext::BODY));
    }

    #[test]
    fn anything_else_is_refused_and_closes() {
        for bad in [
            &b"GET /other HTTP/1.1\r\n\r\n"[..],
            b"POST /plaintext HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
            b"\x00\x01garbage\r\n\r\n",
        ] {
            let mut m = Minimal::default();
            let mut out = Vec::new();
            let a = m.respond(bad, &mut out);
            assert!(a.close, "{bad:?}");
            assert_eq!(out, plaintext::BAD_REQUEST);
            assert!(m.respond(GET, &mut out).close, "answers nothing after");
        }
        let mut m = Minimal::default();
        let a = m.respond(&vec![b'a'; MAX_HEAD + 1], &mut Vec::new());
        assert!(a.close);
    }
}
