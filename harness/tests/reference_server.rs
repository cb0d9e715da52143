//! The reference servers (`epoll-ref`, and `uring-ref` where io_uring is available)
//! echo correctly: every byte, on many connections at once, with both accept
//! strategies and more than one thread.
//!
//! A `harness = false` test: where io_uring is refused, the `uring::` tests are
//! reported as ignored, with the reason.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

use harness::plan::ServerPlan;
use harness::serve::{AcceptStrategy, EchoServer, ReferenceServer, UringReferenceServer};
use pool_core::conformance::runner::{run, Group, Test};
use pool_core::Pinning;

/// Sends `rounds` messages of varying sizes on each of `conns` connections, all open at
/// once, and checks every echoed byte.
fn echo_many<S: EchoServer>(accept: AcceptStrategy, threads: usize, conns: usize, rounds: usize) {
    let plan = ServerPlan {
        threads,
        accept,
        ..ServerPlan::default()
    };
    let server = S::start(&plan.config(64, Pinning::None)).unwrap();
    let addr = server.addr();
    let mut streams: Vec<TcpStream> = (0..conns)
        .map(|_| {
            let s = TcpStream::connect(addr).unwrap();
            s.set_nodelay(true).unwrap();
            s
        })
        .collect();
    for round in 0..rounds {
        for (i, s) in streams.iter_mut().enumerate() {
            // 1 B to 20 KiB: short reads, reads that fill the buffer, and several reads
            // per message.
            let len = 1 + (i * 7919 + round * 104_729) % (20 * 1024);
            let msg: Vec<u8> = (0..len).map(|b| (b * 31 + i + round) as u8).collect();
            s.write_all(&msg).unwrap();
            let mut back = vec![0_u8; len];
            s.read_exact(&mut back).unwrap();
            assert!(back == msg, "connection {i}, round {round}: echo differs");
        }
    }
    drop(streams);
    // Read the counters once the workers are joined: a worker counts an echo after its
    // last write, which the client may already have read.
    let stats = server.stop();
    let sent: u64 = (0..rounds)
        .flat_map(|round| (0..conns).map(move |i| 1 + (i * 7919 + round * 104_729) % (20 * 1024)))
        .map(|l| l as u64)
        .sum();
    assert_eq!(
        stats.total_bytes(),
        sent,
        "the server counts every echoed byte"
    );
    let accepted: u64 = stats.workers.iter().map(|w| w.accepted).sum();
    assert_eq!(accepted, conns as u64);
}

fn single_acceptor_hands_connections_to_every_thread<S: EchoServer>() {
    let plan = ServerPlan {
        threads: 2,
        accept: AcceptStrategy::Single,
        ..ServerPlan::default()
    };
    let server = S::start(&plan.config(64, Pinning::None)).unwrap();
    let mut streams: Vec<TcpStream> = (0..8)
        .map(|_| TcpStream::connect(server.addr()).unwrap())
        .collect();
    // One echo per connection: each is registered once it answers.
    for s in &mut streams {
        s.write_all(b"x").unwrap();
        let mut b = [0_u8; 1];
        s.read_exact(&mut b).unwrap();
    }
    let snapshot = server.stats().snapshot();
    let per_worker: Vec<u64> = snapshot.workers.iter().map(|w| w.accepted).collect();
    assert_eq!(per_worker, vec![4, 4], "round-robin over the threads");
    server.stop();
}

/// Data and the FIN arriving together raise one edge: the reference still sees the end
/// after a short read, echoes everything and closes (it once waited forever here).
fn data_then_fin_is_echoed_and_closed<S: EchoServer>() {
    let plan = ServerPlan {
        threads: 1,
        ..ServerPlan::default()
    };
    let server = S::start(&plan.config(64, Pinning::None)).unwrap();
    for round in 0..50 {
        let mut s = TcpStream::connect(server.addr()).unwrap();
        let msg: Vec<u8> = (0..100 + round).map(|b| b as u8).collect();
        s.write_all(&msg).unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        let mut back = Vec::new();
        s.read_to_end(&mut back).unwrap();
        assert_eq!(back, msg, "round {round}");
    }
    server.stop();
}

/// The tests of one reference server, named as its `mod` would name them.
fn tests<S: EchoServer>() -> Vec<Test> {
    vec![
        (
            "echoes_every_byte_on_many_connections_single_acceptor",
            || echo_many::<S>(AcceptStrategy::Single, 2, 64, 4),
        ),
        ("echoes_every_byte_on_many_connections_reuseport", || {
            echo_many::<S>(AcceptStrategy::Reuseport, 2, 64, 4)
        }),
        (
            "single_acceptor_hands_connections_to_every_thread",
            single_acceptor_hands_connections_to_every_thread::<S>,
        ),
        (
            "data_then_fin_is_echoed_and_closed",
            data_then_fin_is_echoed_and_closed::<S>,
        ),
    ]
}

fn main() -> std::process::ExitCode {
    run([
        Group::new(tests::<ReferenceServer>()).prefix("epoll"),
        Group::new(tests::<UringReferenceServer>())
            .prefix("uring")
            .requires(support::io_uring()),
    ])
}
