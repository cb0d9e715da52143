//! Fairness: a connection that is always ready cannot starve the other tasks of its
//! worker, thanks to the per-poll I/O budget and the deferral of a task that spent it.
//! (The bounds on I/O and timer latency are the conformance kit's `fairness` tests.)

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

use backend_mio::{MioPool, TcpStream};
use pool_core::net::TcpStream as _;
use pool_core::Runtime;
use support::{pool, recv};
use tokio::io::AsyncReadExt;

#[test]
fn a_hot_connection_does_not_starve_its_neighbours() {
    let pool = pool(1);
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = server.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        // Accept, then close at once: reads at the other end return 0 forever, so the
        // socket is always ready.
        drop(server.accept().unwrap());
    });
    let (tx, rx) = mpsc::channel();
    pool.spawn(async move {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 16];
        // Wait for the end of stream: from here on every read returns 0 at once.
        while stream.read(&mut buf).await.unwrap() != 0 {}
        let stop = Arc::new(AtomicBool::new(false));
        let neighbour_stop = Arc::clone(&stop);
        // The neighbour runs only if the hot loop below yields.
        MioPool::spawn_local(async move { neighbour_stop.store(true, Ordering::SeqCst) }).unwrap();
        let mut reads = 0u64;
        // Never awaits anything that is not ready: without a budget this never ends.
        while !stop.load(Ordering::SeqCst) {
            let n = stream.read(&mut buf).await.unwrap();
            assert_eq!(n, 0);
            reads += 1;
        }
        tx.send(reads).unwrap();
    })
    .unwrap();
    let reads = recv(&rx, "the neighbour to run while the hot loop spins");
    assert!(reads >= 1);
    peer.join().unwrap();
    pool.shutdown_on_idle();
}
