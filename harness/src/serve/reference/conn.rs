//! One connection of the reference server: read, write back, and hold what the socket
//! would not take until it is writable again.

use std::io::{self, Read, Write};

use mio::net::TcpStream;

use crate::serve::{EchoConfig, HotWork, Responder, ServerStats};

/// A connection and the bytes of its last read not yet written back.
#[derive(Debug)]
pub(super) struct Conn {
    pub(super) stream: TcpStream,
    /// Bytes read but not yet written back (a partial write): reading stops until they
    /// are written, as `write_all` stops an echo task.
    pending: Vec<u8>,
    /// How many of `pending` have been written.
    written: usize,
    /// The peer's FIN was reported (EPOLLRDHUP). Sticky, as tokio never clears its
    /// read-closed readiness: once the FIN has been reported, a short read no longer
    /// means more will raise a new edge, so reads go on until they return 0.
    read_closed: bool,
    /// The connection's hotness header is still to be read (the server runs with
    /// per-request work).
    header_due: bool,
    /// A hot connection's work; `None` for a cold one.
    hot: Option<HotWork>,
    /// The workload's protocol, if not the echo, and its replies to the last read.
    responder: Option<Responder>,
    replies: Vec<u8>,
    /// The responder refused a request: close once `pending` is written.
    closing: bool,
}

/// What a connection needs after an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// Wait for the next readiness edge.
    Wait,
    /// The peer closed, or the connection failed: deregister and drop it.
    Close,
}

impl Conn {
    /// A freshly accepted connection, which starts with a hotness header if
    /// `header_due`.
    pub(super) fn new(stream: TcpStream, header_due: bool) -> Conn {
        Conn {
            stream,
            pending: Vec::new(),
            written: 0,
            read_closed: false,
            header_due,
            hot: None,
            responder: None,
            replies: Vec::new(),
            closing: false,
        }
    }

    /// The connection answering with `responder` instead of echoing (`None`: echo).
    pub(super) fn responding(self, responder: Option<Responder>) -> Conn {
        Conn { responder, ..self }
    }

    /// Handles a readiness edge (readable or writable; `read_closed` if it reported
    /// the peer's FIN): writes back what is pending, then reads and writes back until a
    /// short read, `WouldBlock`, or a partial write.
    ///
    /// A read shorter than `buf` means the socket was drained at that moment, so the
    /// loop stops there without the extra failing read, as tokio and our mio backend
    /// do: data that arrives later raises a new edge. A FIN that arrived with the last
    /// data raises none, so once one is reported the loop reads on to the end.
    pub(super) fn on_ready(
        &mut self,
        buf: &mut [u8],
        stats: &ServerStats,
        config: &EchoConfig,
        read_closed: bool,
    ) -> Next {
        self.read_closed |= read_closed;
        match self.echo(buf, stats, config) {
            Ok(next) => next,
            Err(_) => Next::Close,
        }
    }

    fn echo(
        &mut self,
        buf: &mut [u8],
        stats: &ServerStats,
        config: &EchoConfig,
    ) -> io::Result<Next> {
        if self.header_due {
            if let Some(next) = self.read_header(config)? {
                return Ok(next);
            }
        }
        if !self.flush(stats)? {
            return Ok(Next::Wait);
        }
        loop {
            let n = match self.stream.read(buf) {
                Ok(0) => return Ok(Next::Close),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Next::Wait),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if let Some(hot) = &mut self.hot {
                hot.on_read(n, stats);
            }
            let reply: &[u8] = match &mut self.responder {
                None => &buf[..n],
                Some(responder) => {
                    self.replies.clear();
                    self.closing =
                        !responder.respond(&buf[..n], &mut self.replies, stats, config.msg_size);
                    &self.replies
                }
            };
            let echoing = self.responder.is_none();
            let len = reply.len();
            let mut done = 0;
            while done < len {
                match self.stream.write(&reply[done..]) {
                    Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                    Ok(k) => done += k,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        // Keep the whole read, to count it once it is all written.
                        self.pending.clear();
                        self.pending.extend_from_slice(reply);
                        self.written = done;
                        return Ok(Next::Wait);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if echoing {
                stats.echoed(n);
            }
            if self.closing {
                return Ok(Next::Close);
            }
            if n < buf.len() && !self.read_closed {
                return Ok(Next::Wait);
            }
        }
    }

    /// Reads the hotness header: `None` once it is read, or what to do meanwhile.
    fn read_header(&mut self, config: &EchoConfig) -> io::Result<Option<Next>> {
        let mut header = [0_u8; 1];
        loop {
            match self.stream.read(&mut header) {
                Ok(0) => return Ok(Some(Next::Close)),
                Ok(_) => {
                    self.header_due = false;
                    self.hot = config.after_header(header[0])?;
                    return Ok(None);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Some(Next::Wait)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes what is pending; `true` once nothing is.
    fn flush(&mut self, stats: &ServerStats) -> io::Result<bool> {
        while self.written < self.pending.len() {
            match self.stream.write(&self.pending[self.written..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(k) => self.written += k,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if !self.pending.is_empty() {
            if self.responder.is_none() {
                stats.echoed(self.pending.len());
            }
            self.pending.clear();
            self.written = 0;
        }
        if self.closing {
            return Err(io::ErrorKind::InvalidData.into());
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener};
    use std::sync::mpsc;
    use std::time::Duration;

    use mio::{Events, Interest, Poll, Token};

    use super::*;

    /// With a small server send buffer and a client that does not read yet, the
    /// server's writes go partial: the connection holds the rest, stops reading, and
    /// once the client reads, every byte comes back in order.
    #[test]
    fn partial_writes_keep_every_byte() {
        const LEN: usize = 1 << 20;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        socket2::SockRef::from(&server)
            .set_send_buffer_size(4096)
            .unwrap();
        server.set_nonblocking(true).unwrap();
        let mut conn = Conn::new(TcpStream::from_std(server), false);
        let mut poll = Poll::new().unwrap();
        poll.registry()
            .register(
                &mut conn.stream,
                Token(0),
                Interest::READABLE | Interest::WRITABLE,
            )
            .unwrap();

        let msg: Vec<u8> = (0..LEN).map(|i| (i * 7 + i / 4096) as u8).collect();
        let mut writer = client.try_clone().unwrap();
        let sent = msg.clone();
        let writing = std::thread::spawn(move || {
            writer.write_all(&sent).unwrap();
            writer.shutdown(Shutdown::Write).unwrap();
        });
        let (go, read_now) = mpsc::channel::<()>();
        let mut reader = client;
        let reading = std::thread::spawn(move || {
            read_now.recv().unwrap();
            let mut back = Vec::new();
            reader.read_to_end(&mut back).unwrap();
            back
        });

        let stats = ServerStats::new(1);
        let config = EchoConfig {
            buf_size: 4096,
            msg_size: 64,
            work: Duration::ZERO,
            workload: crate::plan::Workload::Echo,
        };
        let mut buf = vec![0_u8; 4096];
        let mut events = Events::with_capacity(8);
        let mut go = Some(go);
        'serve: loop {
            poll.poll(&mut events, None).unwrap();
            for event in events.iter() {
                let next = conn.on_ready(&mut buf, &stats, &config, event.is_read_closed());
                if !conn.pending.is_empty() {
                    // The socket would not take a whole read: now let the client read.
                    if let Some(go) = go.take() {
                        go.send(()).unwrap();
                    }
                }
                if next == Next::Close {
                    break 'serve;
                }
            }
        }
        assert!(go.is_none(), "no write was ever partial");
        drop(conn);
        writing.join().unwrap();
        let back = reading.join().unwrap();
        assert_eq!(back.len(), LEN);
        assert!(back == msg, "the echo differs");
        assert_eq!(stats.snapshot().total_bytes(), LEN as u64);
    }
}
