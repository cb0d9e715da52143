//! The HTTP workload's client: one `GET /plaintext` at a time per keep-alive
//! connection (no pipelining), every answer checked: status, `Content-Length` and body.
//! A hand-rolled client on `httparse`, sharing no code with the server it checks.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::errors::ConnError;
use crate::serve::http::plaintext;

/// A response head larger than this is refused.
const MAX_HEAD: usize = 8 * 1024;

/// One connection's request, and the last answer as it arrived.
#[derive(Debug)]
pub(super) struct HttpClient {
    request: Vec<u8>,
    answer: Vec<u8>,
    /// The answer's status, head length and `Content-Length`.
    parsed: Option<(u16, usize, usize)>,
}

impl HttpClient {
    /// The client of a connection to `target`.
    pub(super) fn new(target: SocketAddr) -> HttpClient {
        let request = format!("GET {} HTTP/1.1\r\nHost: {target}\r\n\r\n", plaintext::PATH);
        HttpClient {
            request: request.into_bytes(),
            answer: Vec::with_capacity(256),
            parsed: None,
        }
    }

    /// Sends the request and reads one whole answer.
    pub(super) async fn round_trip(
        &mut self,
        stream: &mut TcpStream,
        seq: u64,
    ) -> Result<(), ConnError> {
        stream.write_all(&self.request).await?;
        self.answer.clear();
        self.parsed = None;
        let mut chunk = [0_u8; 1024];
        loop {
            if let Some((_, head, length)) = self.parsed {
                if self.answer.len() >= head + length {
                    return Ok(());
                }
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
            }
            self.answer.extend_from_slice(&chunk[..n]);
            if self.parsed.is_none() {
                self.parsed =
                    parse(&self.answer).map_err(|why| ConnError::Response { seq, why })?;
            }
        }
    }

    /// Checks the last answer: `200`, a `Content-Length` of the body's, the body, and
    /// nothing after it.
    pub(super) fn check(&self, seq: u64) -> Result<(), ConnError> {
        let bad = |why: String| Err(ConnError::Response { seq, why });
        let Some((status, head, length)) = self.parsed else {
            return bad("no answer".into());
        };
        if status != 200 {
            return bad(format!("status {status}"));
        }
        let body = &self.answer[head..];
        if length != plaintext::BODY.len() || body != plaintext::BODY {
            return bad(format!(
                "body of {} bytes (Content-Length {length}) differs from {:?}",
                body.len(),
                String::from_utf8_lossy(plaintext::BODY)
            ));
        }
        Ok(())
    }
}

/// The status, head length and `Content-Length` of the answer at the start of
/// `bytes`, or `None` while its head is incomplete.
fn parse(bytes: &[u8]) -> Result<Option<(u16, usize, usize)>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(head)) => {
            let length = response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
                .ok_or("an answer without a valid Content-Length")?;
            Ok(Some((response.code.unwrap_or(0), head, length)))
        }
        Ok(httparse::Status::Partial) if bytes.len() <= MAX_HEAD => Ok(None),
        Ok(httparse::Status::Partial) => Err(format!("an answer head over {MAX_HEAD} bytes")),
        Err(e) => Err(format!("a malformed answer: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_and_judged() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";
        let (status, head, length) = parse(ok).unwrap().unwrap();
        assert_eq!(
            (status, length, &ok[head..]),
            (200, 13, &b"Hello, World!"[..])
        );
        assert_eq!(parse(b"HTTP/1.1 200 OK\r\n").unwrap(), None);
        assert!(parse(b"HTTP/1.1 200 OK\r\n\r\n").is_err(), "no length");
        assert!(parse(b"garbage\r\n\r\n").is_err());
        let mut c = HttpClient::new("127.0.0.1:1".parse().unwrap());
        c.answer = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec();
        c.parsed = parse(&c.answer).unwrap();
        assert!(c.check(7).unwrap_err().to_string().contains("status 404"));
        c.answer = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World?".to_vec();
        c.parsed = parse(&c.answer).unwrap();
        assert!(c.check(7).is_err());
    }
}
