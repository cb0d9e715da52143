//! The io_uring reference under churn: connections opened and dropped by the thousand,
//! many with data in flight, and no descriptor leaked. In its own test binary, so that
//! no other test opens descriptors in this process meanwhile.
//!
//! A `harness = false` test: where io_uring is refused, it is reported as ignored,
//! with the reason.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use harness::plan::ServerPlan;
use harness::serve::{EchoServer, UringReferenceServer};
use pool_core::conformance::runner::{run, Group};
use pool_core::{test_list, Pinning};

/// Connections opened and dropped by the thousand, many with data in flight: the
/// io_uring reference closes each once its operations are done, and leaks no
/// descriptor (it cancels a receive before it closes the socket).
fn uring_reference_closes_every_connection_it_accepts() {
    let fds = || std::fs::read_dir("/proc/self/fd").unwrap().count();
    let before = fds();
    let plan = ServerPlan {
        threads: 2,
        ..ServerPlan::default()
    };
    let server = UringReferenceServer::start(&plan.config(64, Pinning::None)).unwrap();
    let addr = server.addr();
    let serving = fds();
    for batch in 0..20 {
        let streams: Vec<TcpStream> = (0..100)
            .map(|i| {
                let mut s = TcpStream::connect(addr).unwrap();
                if i % 2 == 0 {
                    // Data in flight when the client goes away.
                    s.write_all(&[batch as u8; 512]).unwrap();
                }
                s
            })
            .collect();
        drop(streams);
    }
    // Wait (a condition, with a deadline) until every connection was accepted...
    let accepted = || -> u64 {
        server
            .stats()
            .snapshot()
            .workers
            .iter()
            .map(|w| w.accepted)
            .sum()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while accepted() < 2000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(accepted(), 2000);
    // ...and closed: the server sees each client's close and closes its side, so this
    // process gets back to the descriptors it had while serving nothing...
    while fds() > serving && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(fds(), serving, "connections left open");
    // ...and stop() releases the server's own (listeners, rings, eventfds).
    server.stop();
    assert_eq!(fds(), before, "descriptors leaked");
}

fn main() -> std::process::ExitCode {
    run([Group::new(test_list![
        uring_reference_closes_every_connection_it_accepts
    ])
    .requires(support::io_uring())])
}
