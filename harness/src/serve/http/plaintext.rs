//! The one request of the HTTP workload and its answer, as the TechEmpower plaintext
//! test defines them: `GET /plaintext` answers `Hello, World!` as `text/plain`, with
//! `Content-Length`, `Server` and `Date` headers.

/// The path the server answers.
pub const PATH: &str = "/plaintext";
/// The body of the answer.
pub const BODY: &[u8] = b"Hello, World!";
/// The `Server` header's value.
pub const SERVER: &str = "iopool";
/// The `Content-Type` header's value.
pub const CONTENT_TYPE: &str = "text/plain";

/// The answer's bytes, as the hand-rolled responders write them, with `date` (from
/// the per-second cache) as its `Date` header.
pub(crate) fn write_ok(out: &mut Vec<u8>, date: &[u8]) {
    out.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Type: ");
    out.extend_from_slice(CONTENT_TYPE.as_bytes());
    out.extend_from_slice(b"\r\nContent-Length: 13\r\nServer: ");
    out.extend_from_slice(SERVER.as_bytes());
    out.extend_from_slice(b"\r\nDate: ");
    out.extend_from_slice(date);
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(BODY);
}

/// A `400 Bad Request` that closes the connection.
pub(crate) const BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_length_header_is_the_bodys() {
        assert_eq!(BODY.len(), 13);
        let mut out = Vec::new();
        write_ok(&mut out, b"Thu, 03 Dec 2026 09:00:00 GMT");
        let mut headers = [httparse::EMPTY_HEADER; 8];
        let mut res = httparse::Response::new(&mut headers);
        let httparse::Status::Complete(len) = res.parse(&out).unwrap() else {
            panic!("incomplete");
        };
        assert_eq!(res.code, Some(200));
        assert_eq!(&out[len..], BODY);
        assert_eq!(res.headers.len(), 4);
    }
}
