//! 2,000 concurrent loopback echo connections, every byte checked. Clients run as
//! tasks on a second mio pool, so both ends exercise the reactor (4,000 sockets).

mod support;

use std::net::SocketAddr;
use std::sync::mpsc;

use backend_mio::{MioPool, TcpListener, TcpStream};
use pool_core::net::{TcpListener as _, TcpStream as _};
use pool_core::{Handle, Runtime};
use support::{payload, pool, recv};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CONNECTIONS: usize = 2_000;
const BYTES: usize = 24 * 1024;

async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = vec![0u8; 8 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}

/// Writes the payload in chunks from a child task while reading the echo back, so
/// neither side's socket buffers can deadlock the exchange.
async fn client(addr: SocketAddr, seed: usize) -> std::io::Result<bool> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let data = payload(seed, BYTES);
    let (mut reader, mut writer) = tokio::io::split(stream);
    let sent = data.clone();
    let (wrote_tx, wrote_rx) = futures::channel::oneshot::channel();
    MioPool::spawn_local(async move {
        let mut result = Ok(());
        for chunk in sent.chunks(3000) {
            if let Err(e) = writer.write_all(chunk).await {
                result = Err(e);
                break;
            }
        }
        let _ = wrote_tx.send((result, writer));
    })
    .expect("on a worker");
    let mut back = vec![0u8; BYTES];
    reader.read_exact(&mut back).await?;
    let (wrote, _writer) = wrote_rx.await.expect("the writer finished");
    wrote?;
    Ok(back == data)
}

#[test]
fn two_thousand_concurrent_echo_connections() {
    let server = pool(2);
    let clients = pool(2);
    let listeners =
        pool_core::net::reuseport_listeners("127.0.0.1:0".parse().unwrap(), 2, 4096).unwrap();
    let addr = listeners[0].local_addr().unwrap();
    for (worker, listener) in listeners.into_iter().enumerate() {
        server
            .handle()
            .spawn_on(worker, async move {
                let listener = TcpListener::from_std(listener).unwrap();
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    MioPool::spawn_child(async move {
                        echo(stream).await.expect("server echo");
                    })
                    .unwrap();
                }
            })
            .unwrap();
    }
    let (tx, rx) = mpsc::channel();
    for seed in 0..CONNECTIONS {
        let tx = tx.clone();
        clients
            .spawn(async move {
                tx.send(client(addr, seed).await.map_err(|e| e.to_string()))
                    .unwrap();
            })
            .unwrap();
    }
    for _ in 0..CONNECTIONS {
        match recv(&rx, "an echo client") {
            Ok(true) => {}
            Ok(false) => panic!("echoed bytes differ from those sent"),
            Err(e) => panic!("echo client failed: {e}"),
        }
    }
    clients.shutdown_on_idle();
    server.shutdown_now();
}
