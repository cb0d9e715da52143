//! The provided buffer ring under pressure: a reader that falls behind until every
//! ring buffer holds unread bytes (the multishot receive ends with `ENOBUFS`, and the
//! socket falls back to owned-buffer receives) still gets every byte, in order, as it
//! does on the fallback pool, which has no ring.

use std::io::Write;

use backend_uring::{UringFallbackPool, UringPool};
use pool_core::conformance::runner::{run, Group};
use pool_core::net::TcpStream as _;
use pool_core::test_list;
use pool_core::{Builder, Runtime};
use tokio::io::AsyncReadExt;

mod support;
use support::ring_filled_to;

/// More than the ring holds (1024 buffers of 4 KiB), so that it runs dry.
const PAYLOAD: usize = 6 << 20;
/// The fallback pool has no ring to run dry, so the byte check needs no more than a
/// few hundred receives there. Its receives are slow in this debug build (3 MiB took
/// 13 s on a quiet machine, 37 s under a CPU hog), hence the smaller payload.
const FALLBACK_PAYLOAD: usize = 256 << 10;

fn byte(i: usize) -> u8 {
    (i % 251) as u8
}

/// A client writes `payload` patterned bytes; the server's task reads one, waits
/// until the ring is full, then reads the rest to EOF and checks every byte.
fn a_reader_that_falls_behind_loses_no_byte<P: Runtime>(pool: P, payload: usize) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let writer = std::thread::spawn(move || {
        let mut client = std::net::TcpStream::connect(addr).unwrap();
        let data: Vec<u8> = (0..payload).map(byte).collect();
        client.write_all(&data).unwrap();
    });
    let (socket, _) = listener.accept().unwrap();
    let task = pool
        .spawn(async move {
            let mut stream = backend_uring::TcpStream::from_std(socket).unwrap();
            let mut first = [0u8; 1];
            stream.read_exact(&mut first).await.unwrap();
            let ring = ring_filled_to(|count| count).await;
            let mut rest = Vec::with_capacity(payload);
            stream.read_to_end(&mut rest).await.unwrap();
            (first[0], rest, ring)
        })
        .unwrap();
    let (first, rest, ring) = futures::executor::block_on(task).unwrap();
    writer.join().unwrap();
    assert_eq!(rest.len() + 1, payload, "(ring of {ring} buffers)");
    assert_eq!(first, byte(0));
    let wrong = rest.iter().enumerate().position(|(i, &b)| b != byte(i + 1));
    assert_eq!(wrong, None, "first wrong byte (ring of {ring} buffers)");
}

fn a_reader_that_falls_behind_the_ring_loses_no_byte() {
    let pool: UringPool = Builder::new().pool_size(1).build().unwrap();
    a_reader_that_falls_behind_loses_no_byte(pool, PAYLOAD);
}

fn a_reader_that_falls_behind_loses_no_byte_without_a_ring() {
    let pool: UringFallbackPool = Builder::new().pool_size(1).build().unwrap();
    a_reader_that_falls_behind_loses_no_byte(pool, FALLBACK_PAYLOAD);
}

fn main() -> std::process::ExitCode {
    run([Group::new(test_list![
        a_reader_that_falls_behind_the_ring_loses_no_byte,
        a_reader_that_falls_behind_loses_no_byte_without_a_ring,
    ])
    .requires(backend_uring::features().map(|_| ()))])
}
