//! Owned-buffer I/O ([`OwnedIo`]) over loopback TCP: partial reads, messages larger
//! than any ring buffer, futures dropped while the kernel may own their buffer, end
//! of stream, a reset peer, and a lent buffer that outlives its pool.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;

use futures::poll;
use tokio::io::AsyncWriteExt;

use super::support::{PATIENCE, payload, pool, recv, yield_now};
use crate::Runtime;
use crate::net::{OwnedIo, TcpListener, bind_listener};

/// One MiB: far more than one io_uring ring buffer (4 KiB) or socket buffer.
const LARGE: usize = 1 << 20;

/// Binds a listener and returns it with its address.
fn listen() -> (std::net::TcpListener, SocketAddr) {
    let listener = bind_listener("127.0.0.1:0".parse().unwrap(), 16).unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// A blocking client connected to `addr`, with the kit's patience as timeouts.
fn client(addr: SocketAddr) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Accepts one connection on the current worker as a backend stream.
async fn accept_one<R: Runtime>(listener: std::net::TcpListener) -> io::Result<R::TcpStream> {
    let listener = R::TcpListener::from_std(listener)?;
    Ok(listener.accept().await?.0)
}

/// Receives (at most `max` bytes a call) until `len` bytes have arrived.
async fn recv_exact<S: OwnedIo>(stream: &mut S, len: usize, max: usize) -> io::Result<Vec<u8>> {
    let mut got = Vec::with_capacity(len);
    while got.len() < len {
        // Never past `len`: the peer may already have sent what follows.
        let max = max.min(len - got.len());
        let buf = stream.recv(max).await?;
        assert!(
            !buf.is_empty(),
            "end of stream after {} of {len} bytes",
            got.len()
        );
        assert!(buf.len() <= max, "recv({max}) lent {} bytes", buf.len());
        got.extend_from_slice(&buf);
    }
    Ok(got)
}

/// A read returns what has arrived without waiting for a full buffer, `recv(max)`
/// lends at most `max` bytes, and the bytes come in order.
pub fn owned_partial_reads<R: Runtime>() {
    let pool: R = pool(1);
    let (listener, addr) = listen();
    let peer = thread::spawn(move || {
        let mut s = client(addr);
        s.write_all(b"abc").unwrap();
        let mut ack = [0u8; 2];
        s.read_exact(&mut ack).unwrap();
        assert_eq!(&ack, b"ok");
        s.write_all(b"0123456789").unwrap();
        let mut done = [0u8; 4];
        s.read_exact(&mut done).unwrap();
        assert_eq!(&done, b"done");
    });
    pool.block_on(async move {
        let mut stream = accept_one::<R>(listener).await?;
        // Three bytes into a 64-byte buffer: the client waits for our "ok" before it
        // sends more, so a read that waited for a full buffer would hang.
        let mut got = Vec::new();
        while got.len() < 3 {
            let (n, buf) = stream.read_owned(vec![0u8; 64]).await;
            let n = n?;
            assert!((1..=3 - got.len()).contains(&n), "read {n} bytes");
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"abc");
        stream.send_owned(&b"ok"[..]).await?;
        assert_eq!(recv_exact(&mut stream, 10, 4).await?, b"0123456789");
        let (sent, back) = stream.write_all_owned(b"done".to_vec()).await;
        sent?;
        assert_eq!(back, b"done", "write_all_owned gave back another buffer");
        io::Result::Ok(())
    })
    .unwrap();
    peer.join().unwrap();
    pool.shutdown_on_idle();
}

/// A 1 MiB `write_all_owned`, a 1 MiB read through `recv`, and a 1 MiB echo of lent
/// buffers: every byte arrives, in order.
pub fn owned_large_messages<R: Runtime>() {
    let pool: R = pool(1);
    let (listener, addr) = listen();
    let peer = thread::spawn(move || {
        let mut s = client(addr);
        let mut down = vec![0u8; LARGE];
        s.read_exact(&mut down).unwrap();
        assert!(down == payload(1, LARGE), "the 1 MiB write arrived changed");
        s.write_all(&payload(2, LARGE)).unwrap();
        // The echo: write on this thread while another reads.
        let mut reader = s.try_clone().unwrap();
        let echoed = thread::spawn(move || {
            let mut back = vec![0u8; LARGE];
            reader.read_exact(&mut back).unwrap();
            back
        });
        s.write_all(&payload(3, LARGE)).unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        assert!(
            echoed.join().unwrap() == payload(3, LARGE),
            "the 1 MiB echo came back changed"
        );
    });
    pool.block_on(async move {
        let mut stream = accept_one::<R>(listener).await?;
        let (sent, back) = stream.write_all_owned(payload(1, LARGE)).await;
        sent?;
        assert!(
            back == payload(1, LARGE),
            "write_all_owned changed its buffer"
        );
        let up = recv_exact(&mut stream, LARGE, 64 * 1024).await?;
        assert!(up == payload(2, LARGE), "1 MiB received changed");
        loop {
            let buf = stream.recv(16 * 1024).await?;
            if buf.is_empty() {
                break;
            }
            stream.send_owned(buf).await?;
        }
        stream.flush().await
    })
    .unwrap();
    peer.join().unwrap();
    pool.shutdown_on_idle();
}

/// Futures dropped mid-operation: a `recv` and a `read_owned` dropped while waiting
/// lose no bytes, and a 1 MiB `write_all_owned` dropped while the peer reads nothing
/// (its send in the kernel's hands on io_uring) leaves the stream working: the peer
/// gets a prefix of it, then every byte of the next write. The pool still serves.
pub fn owned_dropped_futures<R: Runtime>() {
    let pool: R = pool(1);
    let (listener, addr) = listen();
    // Small buffers (accepted sockets inherit the listener's), so that 1 MiB cannot
    // fit in them while the peer reads nothing.
    socket2::SockRef::from(&listener)
        .set_send_buffer_size(4096)
        .unwrap();
    let first = payload(5, LARGE);
    let second = payload(6, 64 * 1024);
    let (go_tx, go_rx) = mpsc::channel();
    let peer = {
        let (first, second) = (first.clone(), second.clone());
        thread::spawn(move || {
            let socket =
                socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
            socket.set_recv_buffer_size(4096).unwrap();
            socket.connect(&addr.into()).unwrap();
            let mut s: std::net::TcpStream = socket.into();
            s.set_read_timeout(Some(PATIENCE)).unwrap();
            recv(&go_rx, "the server's dropped receives");
            s.write_all(b"xyz").unwrap();
            recv(&go_rx, "the server's dropped write");
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap();
            let prefix = got
                .len()
                .checked_sub(second.len())
                .expect("the second write is missing bytes");
            assert!(
                got[prefix..] == second[..],
                "the write after the dropped one arrived changed"
            );
            assert!(
                got[..prefix] == first[..prefix],
                "the dropped write sent other bytes than a prefix of its own"
            );
        })
    };
    pool.block_on(async move {
        let mut stream = accept_one::<R>(listener).await?;
        {
            let mut recv = Box::pin(stream.recv(16));
            assert!(
                poll!(recv.as_mut()).is_pending(),
                "recv ready before the peer sent"
            );
        }
        {
            let mut read = Box::pin(stream.read_owned(vec![0u8; 16]));
            assert!(
                poll!(read.as_mut()).is_pending(),
                "read ready before the peer sent"
            );
        }
        go_tx.send(()).unwrap();
        assert_eq!(recv_exact(&mut stream, 3, 16).await?, b"xyz");
        {
            let mut write = Box::pin(stream.write_all_owned(first));
            assert!(
                poll!(write.as_mut()).is_pending(),
                "1 MiB sent to a peer that reads nothing"
            );
            // Let the worker hand the send to the kernel, then give up on it.
            for _ in 0..4 {
                yield_now().await;
            }
            assert!(
                poll!(write.as_mut()).is_pending(),
                "1 MiB sent to a peer that reads nothing"
            );
        }
        go_tx.send(()).unwrap();
        let (sent, back) = stream.write_all_owned(second.clone()).await;
        sent?;
        assert!(back == second, "write_all_owned gave back another buffer");
        stream.shutdown().await
    })
    .unwrap();
    peer.join().unwrap();
    // The pool still serves a new connection.
    let (listener, addr) = listen();
    let peer = thread::spawn(move || {
        let mut s = client(addr);
        s.write_all(b"still").unwrap();
        let mut back = [0u8; 5];
        s.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"still");
    });
    pool.block_on(async move {
        let mut stream = accept_one::<R>(listener).await?;
        let got = recv_exact(&mut stream, 5, 4096).await?;
        let (sent, _) = stream.write_all_owned(got).await;
        sent
    })
    .unwrap();
    peer.join().unwrap();
    pool.shutdown_on_idle();
}

/// End of stream: after the peer's bytes, `recv` lends an empty buffer (again on
/// every call) and `read_owned` reads 0; writing still works.
pub fn owned_eof<R: Runtime>() {
    let pool: R = pool(1);
    let (listener, addr) = listen();
    let peer = thread::spawn(move || {
        let mut s = client(addr);
        s.write_all(b"bye").unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        assert_eq!(got, b"ack");
    });
    pool.block_on(async move {
        let mut stream = accept_one::<R>(listener).await?;
        assert_eq!(recv_exact(&mut stream, 3, 4096).await?, b"bye");
        assert!(stream.recv(4096).await?.is_empty(), "no end of stream");
        assert!(
            stream.recv(4096).await?.is_empty(),
            "end of stream reported once only"
        );
        let (n, _) = stream.read_owned(vec![0u8; 8]).await;
        assert_eq!(n?, 0, "read_owned after end of stream");
        stream.send_owned(String::from("ack")).await?;
        stream.flush().await
    })
    .unwrap();
    peer.join().unwrap();
    pool.shutdown_on_idle();
}

/// A peer that resets the connection: `recv` fails with `ConnectionReset`, and owned
/// writes fail (a `write_all_owned` giving its buffer back) instead of hanging.
pub fn owned_reset_peer<R: Runtime>() {
    let pool: R = pool(1);
    let (listener, addr) = listen();
    let (accepted_tx, accepted_rx) = mpsc::channel();
    let peer = thread::spawn(move || {
        let s = client(addr);
        recv(&accepted_rx, "the server's accept");
        socket2::SockRef::from(&s)
            .set_linger(Some(std::time::Duration::ZERO))
            .unwrap();
        drop(s); // An RST, not a FIN.
    });
    pool.block_on(async move {
        let mut stream = accept_one::<R>(listener).await?;
        accepted_tx.send(()).unwrap();
        let err = stream
            .recv(4096)
            .await
            .expect_err("recv on a reset connection");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
        let broken = |e: &io::Error| {
            matches!(
                e.kind(),
                io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
            )
        };
        let (sent, back) = stream.write_all_owned(vec![7u8; 1000]).await;
        let err = sent.expect_err("write_all_owned on a reset connection");
        assert!(broken(&err), "{err}");
        assert_eq!(
            back,
            vec![7u8; 1000],
            "the failed write's buffer came back changed"
        );
        let err = stream
            .send_owned(vec![1u8; 10])
            .await
            .expect_err("send_owned after a failed send");
        assert!(broken(&err), "{err}");
        io::Result::Ok(())
    })
    .unwrap();
    peer.join().unwrap();
    pool.shutdown_on_idle();
}

/// A lent buffer moved out of the pool stays readable after the pool has stopped, and
/// dropping it then is harmless.
pub fn owned_lent_buffer_outlives_pool<R: Runtime>() {
    let pool: R = pool(1);
    let (listener, addr) = listen();
    let mut s = client(addr);
    s.write_all(b"kept").unwrap();
    let lent = pool
        .block_on(async move {
            let mut stream = accept_one::<R>(listener).await?;
            stream.recv(4096).await
        })
        .unwrap();
    drop(pool);
    assert!(
        !lent.is_empty() && b"kept".starts_with(&lent),
        "the lent buffer holds {:?}",
        &lent[..]
    );
    drop(lent);
}
