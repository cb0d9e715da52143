//! Loopback TCP echo through the harness's own echo server, the one the published
//! `harness run` numbers measure, on each backend.
//!
//! The server is [`harness::serve::Server`]: a pool of 2 workers, one acceptor handing
//! each accepted std socket to the next worker, which registers it with its reactor
//! through the pool-core net traits and echoes (`TCP_NODELAY` on). It starts once per
//! backend per case.
//!
//! The client is plain blocking `std::net` sockets on the bench thread, also with
//! `TCP_NODELAY`. We chose it over a client task on the pool so that the client is the
//! same code on every backend and takes no worker time from the server under test; on
//! this 2-core machine it still shares the CPUs with the 2 workers. Every echoed byte
//! is checked, and each message carries the iteration number so a stale echo fails.
//!
//! - `echo_1conn/<backend>/64B`: one connection, one 64 B message in flight: write,
//!   then read the echo. The time is one round trip.
//! - `echo_100conn_pipelined/<backend>/64B-x16`: 100 connections; per iteration the
//!   client writes 16 messages of 64 B back to back on every connection (1,600 in
//!   flight), then reads all of them back. Throughput is in messages.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use harness::serve::{AcceptStrategy, Server, ServerConfig};
use pool_core::{ParkPolicy, Pinning, Runtime};

use super::support::{compare, Case, Target, POOL_SIZE};

/// Bytes per message.
const MSG: usize = 64;

/// Adds the `echo_1conn` and `echo_100conn_pipelined` groups.
pub(crate) fn benches(c: &mut Criterion) {
    compare(c, "echo_1conn", &Echo { conns: 1, depth: 1 });
    compare(
        c,
        "echo_100conn_pipelined",
        &Echo {
            conns: 100,
            depth: 16,
        },
    );
}

/// `conns` connections, each with `depth` messages written back to back per iteration.
struct Echo {
    conns: usize,
    depth: usize,
}

/// Starts the harness echo server on backend `R`.
fn server<R: Runtime>() -> Server<R> {
    let config = ServerConfig {
        threads: POOL_SIZE,
        accept: AcceptStrategy::Single,
        listen: "127.0.0.1:0".parse().expect("a socket address"),
        backlog: 1024,
        msg_size: MSG,
        pinning: Pinning::None,
        park: ParkPolicy::Immediate,
        work: std::time::Duration::ZERO,
        placement: pool_core::Placement::RoundRobin,
        workload: harness::plan::Workload::Echo,
    };
    Server::start(&config).unwrap_or_else(|e| panic!("cannot start the {} server: {e}", R::NAME))
}

/// A blocking client connection with `TCP_NODELAY`.
fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to the echo server");
    stream.set_nodelay(true).expect("set TCP_NODELAY");
    stream
}

/// Fills `batch` with `depth` messages stamped with `round`.
fn stamp(batch: &mut [u8], round: u64) {
    for message in batch.chunks_mut(MSG) {
        message[..8].copy_from_slice(&round.to_le_bytes());
        message[8..].fill(round as u8);
    }
}

/// One iteration: writes `batch` on every connection, then reads it back from each.
fn exchange(clients: &mut [TcpStream], batch: &[u8], back: &mut [u8]) {
    for client in clients.iter_mut() {
        client.write_all(batch).expect("write to the echo server");
    }
    for client in clients.iter_mut() {
        client.read_exact(back).expect("read the echo");
        assert_eq!(&*back, batch, "the echo differs from what was sent");
    }
}

impl Case for Echo {
    fn bench<R: Runtime>(&self, group: &mut BenchmarkGroup<'_, WallTime>, target: &Target) {
        let server = server::<R>();
        let mut clients: Vec<TcpStream> = (0..self.conns).map(|_| connect(server.addr())).collect();
        let mut batch = vec![0_u8; MSG * self.depth];
        let mut back = vec![0_u8; batch.len()];
        // One untimed exchange: every connection is accepted and registered.
        stamp(&mut batch, u64::MAX);
        exchange(&mut clients, &batch, &mut back);

        let param = if self.depth == 1 {
            format!("{MSG}B")
        } else {
            format!("{MSG}B-x{}", self.depth)
        };
        group.throughput(Throughput::Elements((self.conns * self.depth) as u64));
        let mut round = 0_u64;
        group.bench_function(target.id::<R>(param), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    stamp(&mut batch, round);
                    round += 1;
                    exchange(&mut clients, &batch, &mut back);
                }
                start.elapsed()
            });
        });
        drop(clients);
        server.stop();
    }
}
