//! A pool dropped while ring buffers are lent out (received bytes nobody read) and a
//! multishot receive is armed tears down without a crash or a leaked descriptor. Its
//! own test binary: it counts the process's descriptors.

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use backend_uring::UringPool;
use pool_core::conformance::runner::{run, Group};
use pool_core::net::TcpStream as _;
use pool_core::test_list;
use pool_core::{Builder, Runtime};
use tokio::io::AsyncReadExt;

mod support;
use support::ring_filled_to;

/// A hang guard, never a synchronisation point.
const PATIENCE: Duration = Duration::from_secs(60);

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn a_pool_dropped_with_ring_buffers_lent_out_tears_down_cleanly() {
    let fds_before = open_fds();
    let pool: UringPool = Builder::new().pool_size(1).build().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (socket, _) = listener.accept().unwrap();
    let (ready_tx, ready_rx) = mpsc::channel();
    let task = pool
        .spawn(async move {
            let mut stream = backend_uring::TcpStream::from_std(socket).unwrap();
            let mut first = [0u8; 1];
            stream.read_exact(&mut first).await.unwrap();
            // Half the ring holds unread bytes; the multishot receive stays armed.
            let count = ring_filled_to(|count| count / 2).await;
            ready_tx.send(count).unwrap();
            std::future::pending::<()>().await;
        })
        .unwrap();
    // 2 MiB: half of the 4 MiB ring, plus the byte read first.
    client.write_all(&vec![1u8; (2 << 20) + 1]).unwrap();
    let count = ready_rx.recv_timeout(PATIENCE).expect("the ring fills");
    assert!(count > 0, "UringPool has a buffer ring on the test machine");
    pool.shutdown_now();
    drop((task, client, listener));
    assert_eq!(open_fds(), fds_before, "descriptors leaked");
}

fn main() -> std::process::ExitCode {
    run([Group::new(test_list![
        a_pool_dropped_with_ring_buffers_lent_out_tears_down_cleanly,
    ])
    .requires(backend_uring::features().map(|_| ()))])
}
