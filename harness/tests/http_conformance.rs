//! The HTTP workload on every server (the pools' hyper service and the references'
//! hand-rolled responder): keep-alive, 10,000 requests on one connection, 1,000
//! connections, a request in 1-byte writes, a malformed request, and a client that
//! closes mid-response.

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};

use harness::backend::ServerKind;
use harness::plan::Workload;
use support::http::{assert_plaintext, connect, get, on_every_server, read_answer, Body, GET};

#[derive(Clone, Copy)]
struct KeepAlive;
impl Body for KeepAlive {
    fn run(self, addr: SocketAddr, kind: ServerKind) {
        let mut s = connect(addr);
        let mut buf = Vec::new();
        for i in 0..10_000 {
            let answer =
                get(&mut s, &mut buf).unwrap_or_else(|e| panic!("{kind}: request {i}: {e}"));
            assert_plaintext(&answer);
        }
        assert!(buf.is_empty(), "{kind}: bytes after the last answer");
    }
}

#[test]
fn ten_thousand_requests_on_one_keep_alive_connection() {
    on_every_server(Workload::Http, KeepAlive);
}

#[derive(Clone, Copy)]
struct ManyConns;
impl Body for ManyConns {
    fn run(self, addr: SocketAddr, kind: ServerKind) {
        let mut conns: Vec<_> = (0..1_000).map(|_| connect(addr)).collect();
        for round in 0..2 {
            for s in &mut conns {
                s.write_all(GET).unwrap();
            }
            for (i, s) in conns.iter_mut().enumerate() {
                let answer = read_answer(s, &mut Vec::new())
                    .unwrap_or_else(|e| panic!("{kind}: conn {i}, round {round}: {e}"));
                assert_plaintext(&answer);
            }
        }
    }
}

#[test]
fn a_thousand_connections_each_kept_alive() {
    harness::os::raise_nofile();
    on_every_server(Workload::Http, ManyConns);
}

#[derive(Clone, Copy)]
struct OneByteWrites;
impl Body for OneByteWrites {
    fn run(self, addr: SocketAddr, kind: ServerKind) {
        let mut s = connect(addr);
        for b in GET {
            s.write_all(std::slice::from_ref(b)).unwrap();
        }
        let mut buf = Vec::new();
        assert_plaintext(&read_answer(&mut s, &mut buf).unwrap());
        // And the connection is still good for the next.
        assert_plaintext(&get(&mut s, &mut buf).unwrap_or_else(|e| panic!("{kind}: {e}")));
    }
}

#[test]
fn a_request_in_one_byte_writes_is_answered_once() {
    on_every_server(Workload::Http, OneByteWrites);
}

#[derive(Clone, Copy)]
struct Malformed;
impl Body for Malformed {
    fn run(self, addr: SocketAddr, kind: ServerKind) {
        let mut s = connect(addr);
        s.write_all(b"GET /plaintext HTTP/1.1\r\nBad Header\x01: x\r\n\r\n")
            .unwrap();
        let mut buf = Vec::new();
        let answer = read_answer(&mut s, &mut buf).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(answer.status, 400, "{kind}: {answer:?}");
        // Then the server closes the connection.
        let mut rest = Vec::new();
        let closed = s.read_to_end(&mut rest);
        assert!(
            closed.is_err() || rest.is_empty(),
            "{kind}: answered after a malformed request: {rest:?}"
        );
        // Other paths: hyper answers 404; the references answer only GET /plaintext.
        let mut s = connect(addr);
        s.write_all(b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let answer = read_answer(&mut s, &mut Vec::new()).unwrap();
        let expected = if kind.is_reference() { 400 } else { 404 };
        assert_eq!(answer.status, expected, "{kind}: {answer:?}");
        // The server still serves.
        assert_plaintext(&get(&mut connect(addr), &mut Vec::new()).unwrap());
    }
}

#[test]
fn a_malformed_request_gets_400_and_a_close() {
    on_every_server(Workload::Http, Malformed);
}

#[derive(Clone, Copy)]
struct ClosesMidResponse;
impl Body for ClosesMidResponse {
    fn run(self, addr: SocketAddr, kind: ServerKind) {
        // Many requests back to back, then a close (a reset, with answers unread)
        // while the server is still writing answers.
        for _ in 0..20 {
            let mut s = connect(addr);
            let burst = GET.repeat(2_000);
            s.write_all(&burst).unwrap();
            let mut first = [0_u8; 10];
            s.read_exact(&mut first).unwrap();
            let _ = s.shutdown(Shutdown::Both);
        }
        // Every worker still serves.
        let mut conns: Vec<_> = (0..8).map(|_| connect(addr)).collect();
        for s in &mut conns {
            let answer = get(s, &mut Vec::new()).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_plaintext(&answer);
        }
    }
}

#[test]
fn a_client_closing_mid_response_harms_no_one() {
    on_every_server(Workload::Http, ClosesMidResponse);
}
