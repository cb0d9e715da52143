//! A blocking HTTP/1.1 client for the HTTP workload's tests, on `httparse`, and a way
//! to run one test body on every server kind.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};

use harness::backend::{ServerKind, WithServer};
use harness::plan::{ServerPlan, Workload};
use harness::serve::EchoServer;
use pool_core::Pinning;

/// The request every HTTP test sends.
pub const GET: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n";

/// One answer: status, headers (lower-case names) and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The values of header `name`.
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Reads one answer from `stream`, keeping in `buf` the bytes after it.
pub fn read_answer(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Answer> {
    let mut chunk = [0_u8; 4096];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut response = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(head) = response
            .parse(buf)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?
        {
            let headers: Vec<(String, String)> = response
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_ascii_lowercase(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect();
            let status = response.code.unwrap_or(0);
            let length: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < head + length {
                let n = read_some(stream, &mut chunk)?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[head..head + length].to_vec();
            buf.drain(..head + length);
            return Ok(Answer {
                status,
                headers,
                body,
            });
        }
        let n = read_some(stream, &mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// One `read`, retried when a signal interrupts it (`EINTR`: seen once on a loaded
/// machine, with the servers running in this process), as `read_exact` does.
fn read_some(stream: &mut TcpStream, chunk: &mut [u8]) -> io::Result<usize> {
    loop {
        match stream.read(chunk) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Sends [`GET`] and reads its answer.
pub fn get(stream: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Answer> {
    stream.write_all(GET)?;
    read_answer(stream, buf)
}

/// Asserts that `answer` is the plaintext test's.
pub fn assert_plaintext(answer: &Answer) {
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, b"Hello, World!");
    assert_eq!(answer.header("content-length"), ["13"]);
    assert_eq!(answer.header("content-type"), ["text/plain"]);
    assert_eq!(answer.header("server").len(), 1, "{answer:?}");
    let date = answer.header("date");
    assert_eq!(date.len(), 1, "{answer:?}");
    httpdate::parse_http_date(date[0]).expect("an HTTP date");
}

/// A connected client with `TCP_NODELAY`.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_nodelay(true).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    s
}

/// A body run against one server: it gets the server's address and name.
pub trait Body: Copy {
    fn run(self, addr: SocketAddr, kind: ServerKind);
}

/// Runs `body` on every server kind that can run here (each skipped one is named on
/// stderr), each serving `workload` with 2 threads. Returns how many ran.
pub fn on_every_server<B: Body>(workload: Workload, body: B) -> usize {
    struct On<B>(B, ServerKind, Workload);
    impl<B: Body> WithServer for On<B> {
        type Output = ();
        fn run<S: EchoServer>(self) {
            let plan = ServerPlan {
                threads: 2,
                workload: self.2,
                ..ServerPlan::default()
            };
            let server = S::start(&plan.config(64, Pinning::None))
                .unwrap_or_else(|e| panic!("{}: cannot start: {e}", S::NAME));
            self.0.run(server.addr(), self.1);
            server.stop();
        }
    }
    let mut ran = 0;
    for &kind in ServerKind::all() {
        if let Err(why) = kind.available() {
            super::left_out(&kind, &why.to_string());
            continue;
        }
        kind.serve(On(body, kind, workload));
        ran += 1;
    }
    assert!(ran >= 4, "tokio-mt, tokio, mio and epoll-ref always run");
    ran
}
