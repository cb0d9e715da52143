//! Server CPU time per echo: `MioPool` next to `backend_tokio::TokioPool`, measured in
//! one interleaved run (mio, tokio, mio, tokio, ...), medians reported.
//!
//! Run with:
//!
//! ```text
//! cargo run --release -p backend-mio --example echo_cpu -- [connections] [rounds] [reps]
//! ```
//!
//! Defaults: 1,000 connections, 100 round trips of 64 bytes each, 3 repetitions. The
//! server is a 1-worker pool of the backend under test; the clients are always a
//! 1-worker `TokioPool` in the same process (the same load for every backend). Only the
//! server's thread is charged: its CPU time (user + system, from
//! `/proc/self/task/*/schedstat`) over the measured window, divided by the echoes.
//! A first round trip per connection, and one whole discarded run per backend, warm
//! up.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use backend_mio::MioPool;
use backend_tokio::TokioPool;
use pool_core::net::{TcpListener, TcpStream};
use pool_core::{Builder, Runtime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MESSAGE: usize = 64;

/// CPU time of this process's threads whose name starts with `prefix`.
fn threads_cpu(prefix: &str) -> Duration {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if name.trim_end().starts_with(prefix) {
            let stat = std::fs::read_to_string(path.join("schedstat")).unwrap_or_default();
            total += stat
                .split_whitespace()
                .next()
                .and_then(|ns| ns.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_nanos(total)
}

async fn echo<S: TcpStream>(mut stream: S) {
    let _ = stream.set_nodelay(true);
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn serve<R: Runtime>(server: &R) -> SocketAddr {
    let listener = pool_core::net::bind_listener("127.0.0.1:0".parse().unwrap(), 4096).unwrap();
    let addr = listener.local_addr().unwrap();
    server
        .spawn(async move {
            let listener = R::TcpListener::from_std(listener).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                R::spawn_child(echo(stream)).unwrap();
            }
        })
        .unwrap();
    addr
}

/// Runs one measurement on server runtime `R`; returns server CPU per echo.
fn measure<R: Runtime>(connections: usize, rounds: usize) -> Duration {
    let prefix = format!("srv-{}-", R::NAME);
    let server: R = Builder::new()
        .pool_size(1)
        .name_prefix(prefix.clone())
        .build()
        .unwrap();
    let clients: TokioPool = Builder::new()
        .pool_size(1)
        .name_prefix("cli-")
        .build()
        .unwrap();
    let addr = serve(&server);
    let (ready_tx, ready_rx) = mpsc::channel();
    let (go_tx, go_rx) = futures::channel::oneshot::channel::<()>();
    let go = futures::future::FutureExt::shared(go_rx);
    let (done_tx, done_rx) = mpsc::channel();
    for seed in 0..connections {
        let (ready_tx, done_tx, go) = (ready_tx.clone(), done_tx.clone(), go.clone());
        clients
            .spawn(async move {
                let mut stream = backend_tokio::net::TcpStream::connect(addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let out = [seed as u8; MESSAGE];
                let mut back = [0u8; MESSAGE];
                // Warm-up round trip, then wait for every connection to be up.
                stream.write_all(&out).await.unwrap();
                stream.read_exact(&mut back).await.unwrap();
                ready_tx.send(()).unwrap();
                let _ = go.await;
                for _ in 0..rounds {
                    stream.write_all(&out).await.unwrap();
                    stream.read_exact(&mut back).await.unwrap();
                    assert_eq!(back, out, "echoed bytes differ");
                }
                done_tx.send(()).unwrap();
            })
            .unwrap();
    }
    for _ in 0..connections {
        ready_rx.recv().unwrap();
    }
    let cpu_before = threads_cpu(&prefix);
    let start = Instant::now();
    go_tx.send(()).unwrap();
    for _ in 0..connections {
        done_rx.recv().unwrap();
    }
    let wall = start.elapsed();
    let cpu = threads_cpu(&prefix) - cpu_before;
    let echoes = (connections * rounds) as u32;
    eprintln!(
        "  {:<6} {echoes} echoes in {wall:.2?}: server CPU {cpu:.2?} ({:.0} echoes/s)",
        R::NAME,
        echoes as f64 / wall.as_secs_f64()
    );
    drop(clients);
    server.shutdown_now();
    cpu / echoes
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric arguments"))
        .collect();
    let connections = args.first().copied().unwrap_or(1000);
    let rounds = args.get(1).copied().unwrap_or(100);
    let reps = args.get(2).copied().unwrap_or(3);
    eprintln!("warm-up (discarded)");
    measure::<MioPool>(connections, rounds.min(10));
    measure::<TokioPool>(connections, rounds.min(10));
    let (mut mio, mut tokio) = (Vec::new(), Vec::new());
    for rep in 1..=reps {
        eprintln!("repetition {rep}/{reps}");
        mio.push(measure::<MioPool>(connections, rounds));
        tokio.push(measure::<TokioPool>(connections, rounds));
    }
    let (m, t) = (median(mio.clone()), median(tokio.clone()));
    println!("{connections} connections x {rounds} round trips of {MESSAGE} B, {reps} reps");
    println!("server CPU per echo, median [min..max]:");
    let range = |v: &[Duration]| (v.iter().min().copied(), v.iter().max().copied());
    let (mmin, mmax) = range(&mio);
    let (tmin, tmax) = range(&tokio);
    println!(
        "  mio    {m:.2?} [{:.2?}..{:.2?}]",
        mmin.unwrap(),
        mmax.unwrap()
    );
    println!(
        "  tokio  {t:.2?} [{:.2?}..{:.2?}]",
        tmin.unwrap(),
        tmax.unwrap()
    );
    println!("  mio / tokio = {:.2}", m.as_secs_f64() / t.as_secs_f64());
}
