//! sockperf's framing on every server: a reply, with the client flag cleared, only to
//! the messages that ask for one; messages split or batched; a bad length closes the
//! connection.

mod support;

use std::io::{Read, Write};
use std::net::SocketAddr;

use harness::backend::ServerKind;
use harness::plan::Workload;
use harness::serve::sockperf::{Header, CLIENT, HEADER, PONG_REQUEST, WARMUP};
use support::http::{connect, on_every_server, Body};

fn message(seq: u64, flags: u16, payload: &[u8]) -> Vec<u8> {
    let len = (HEADER + payload.len()) as u32;
    [&Header { seq, flags, len }.bytes()[..], payload].concat()
}

#[derive(Clone, Copy)]
struct ReplyFlag;
impl Body for ReplyFlag {
    fn run(self, addr: SocketAddr, kind: ServerKind) {
        let mut s = connect(addr);
        // In one write: no reply asked, a reply asked, a warm-up, a server's message,
        // then a reply asked again (its reply proves none came for those between).
        let batch = [
            message(1, CLIENT, b"none"),
            message(2, CLIENT | PONG_REQUEST, b"two"),
            message(3, CLIENT | PONG_REQUEST | WARMUP, b""),
            message(4, PONG_REQUEST, b""),
            message(5, CLIENT | PONG_REQUEST, &[7; 300]),
        ]
        .concat();
        s.write_all(&batch).unwrap();
        let expected = [
            message(2, PONG_REQUEST, b"two"),
            message(5, PONG_REQUEST, &[7; 300]),
        ]
        .concat();
        let mut got = vec![0; expected.len()];
        s.read_exact(&mut got).unwrap();
        assert_eq!(got, expected, "{kind}");
        // A message in 1-byte writes, answered once.
        let m = message(6, CLIENT | PONG_REQUEST, b"split");
        for b in &m {
            s.write_all(std::slice::from_ref(b)).unwrap();
        }
        let mut got = vec![0; m.len()];
        s.read_exact(&mut got).unwrap();
        assert_eq!(got, message(6, PONG_REQUEST, b"split"), "{kind}");
        // A length shorter than the header: the server closes the connection.
        let mut bad = message(7, CLIENT | PONG_REQUEST, b"");
        bad[13] = 2;
        s.write_all(&bad).unwrap();
        let mut rest = Vec::new();
        let closed = s.read_to_end(&mut rest);
        assert!(closed.is_err() || rest.is_empty(), "{kind}: {rest:?}");
    }
}

#[test]
fn only_messages_asking_for_a_reply_get_one() {
    on_every_server(Workload::Sockperf, ReplyFlag);
}
