//! The sans-IO drive loop over a blocking `TcpStream`: all the glue between a socket and
//! `tls12`.
//!
//! The connection never touches the socket. The loop is:
//!
//! 1. read bytes from the socket and give them to `handle_input` (it says how many it took);
//! 2. drain `poll_output` until `Output::Idle`: write every `Transmit` to the socket, keep
//!    every `ApplicationData` and `Event`;
//! 3. after `write` or `close`, drain again.
//!
//! When the socket reports end of stream, `handle_eof` tells a clean close (close_notify
//! arrived first) from a truncation. When anything fails, `poll_output` hands out the alert
//! first (we send it), then the error.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::ops::DerefMut;
use std::time::Duration;

use tls12::{Connection, Error, Event, HandshakeSummary, Output};

use super::Failure;

/// The largest TLS record on the wire: 16 KiB of plaintext plus header, nonce and tag (with
/// room to spare).
const MAX_RECORD: usize = 16 * 1024 + 256;

/// A `tls12` connection (`ClientConnection` or `ServerConnection`) and its socket.
pub struct TlsSocket<C> {
    /// The connection.
    pub conn: C,
    sock: TcpStream,
    /// Decrypted application data not yet taken by the caller.
    pub received: Vec<u8>,
    /// Events not yet taken by the caller.
    pub events: Vec<Event>,
    /// Scratch space `poll_output` writes outgoing records into.
    out: Vec<u8>,
    /// What happened during the handshake, in order: records written and events, up to and
    /// including `HandshakeComplete`. Bounded by the handshake.
    pub handshake_log: Vec<Step>,
    /// Splits outgoing bytes into records for `handshake_log`.
    records: RecordHeaders,
    /// `HandshakeComplete` was seen: stop logging.
    logged_all: bool,
}

/// One step in [`TlsSocket::handshake_log`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// We wrote a record with this content type (23: application data) and fragment
    /// length to the socket.
    Sent {
        /// The record's content type.
        content_type: u8,
        /// The record's fragment length.
        len: usize,
    },
    /// The connection reported this event.
    Event(Event),
}

/// Finds record headers in a stream of outgoing bytes that may be cut anywhere.
#[derive(Debug, Default)]
struct RecordHeaders {
    header: Vec<u8>,
    /// Fragment bytes of the current record still to come.
    body_left: usize,
}

impl RecordHeaders {
    /// Feeds outgoing bytes; calls `found` with each complete header's type and length.
    fn feed(&mut self, mut bytes: &[u8], mut found: impl FnMut(u8, usize)) {
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(bytes.len());
                self.body_left -= n;
                bytes = &bytes[n..];
                continue;
            }
            let n = (5 - self.header.len()).min(bytes.len());
            self.header.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if let [typ, _, _, hi, lo] = self.header[..] {
                self.body_left = usize::from(u16::from_be_bytes([hi, lo]));
                found(typ, self.body_left);
                self.header.clear();
            }
        }
    }
}

impl<C: DerefMut<Target = Connection>> TlsSocket<C> {
    /// Pairs a fresh connection with its socket.
    pub fn new(conn: C, sock: TcpStream) -> Self {
        Self {
            conn,
            sock,
            received: Vec::new(),
            events: Vec::new(),
            out: vec![0; MAX_RECORD],
            handshake_log: Vec::new(),
            records: RecordHeaders::default(),
            logged_all: false,
        }
    }

    /// Whether application data went out before the peer's ChangeCipherSpec arrived: for a
    /// client, that is False Start (RFC 7918), data sent before the server's Finished.
    pub fn sent_data_before_peer_ccs(&self) -> bool {
        self.handshake_log
            .iter()
            .take_while(|s| **s != Step::Event(Event::ChangeCipherSpecReceived))
            .any(|s| {
                matches!(
                    s,
                    Step::Sent {
                        content_type: 23,
                        ..
                    }
                )
            })
    }

    /// Step 2: drains the connection until it is idle, sending what it transmits and
    /// keeping application data and events.
    pub fn drain(&mut self) -> Result<(), Failure> {
        loop {
            match self.conn.poll_output(&mut self.out)? {
                Output::Transmit(bytes) => {
                    if !self.logged_all {
                        let log = &mut self.handshake_log;
                        self.records.feed(bytes, |content_type, len| {
                            log.push(Step::Sent { content_type, len })
                        });
                    }
                    self.sock.write_all(bytes)?;
                }
                Output::ApplicationData(data) => self.received.extend_from_slice(data),
                Output::Event(event) => {
                    if !self.logged_all {
                        self.logged_all = matches!(event, Event::HandshakeComplete(_));
                        self.handshake_log.push(Step::Event(event.clone()));
                    }
                    self.events.push(event);
                }
                Output::Idle => return Ok(()),
                // `out` is never empty, so `BufferTooSmall` cannot happen.
                other => return Err(Failure::other(format!("unexpected output: {other:?}"))),
            }
        }
    }

    /// Step 1: reads once from the socket and feeds everything that arrived, draining after
    /// each part the connection takes. Returns `false` at end of stream, which is an error
    /// (`Error::UnexpectedEof`) unless the peer sent close_notify first.
    pub fn read_once(&mut self) -> Result<bool, Failure> {
        let mut buf = [0u8; MAX_RECORD];
        let n = loop {
            match self.sock.read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        };
        if n == 0 {
            self.conn.handle_eof()?;
            return Ok(false);
        }
        let mut input = &buf[..n];
        let mut stalled = false;
        while !input.is_empty() {
            // The connection takes at most one record's worth; draining frees the space.
            let used = self.conn.handle_input(input)?;
            if used == 0 && stalled {
                return Err(Failure::other("the connection stopped taking input"));
            }
            stalled = used == 0;
            input = &input[used..];
            self.drain()?;
        }
        Ok(true)
    }

    /// Runs the handshake to completion: sends our first flight (the client's ClientHello
    /// was queued when the connection was made), then reads until the handshake completes.
    pub fn handshake(&mut self) -> Result<HandshakeSummary, Failure> {
        self.drain()?;
        while self.conn.is_handshaking() {
            match self.read_once() {
                Ok(true) => {}
                Ok(false) | Err(Failure::Tls(Error::UnexpectedEof)) => {
                    return Err(Failure::other(
                        "the peer closed the connection during the handshake",
                    ));
                }
                Err(e) => return Err(e),
            }
            if self.conn.peer_closed() && self.conn.is_handshaking() {
                return Err(Failure::other(
                    "the peer sent close_notify during the handshake",
                ));
            }
        }
        self.conn
            .handshake_summary()
            .cloned()
            .ok_or_else(|| Failure::other("handshake complete but no summary"))
    }

    /// Step 3: sends application data. Once the handshake is done, `write_into` encrypts
    /// straight into our buffer (`write` followed by `drain` would do the same through the
    /// connection's queue).
    pub fn send(&mut self, mut data: &[u8]) -> Result<(), Failure> {
        self.drain()?;
        while !data.is_empty() {
            let (taken, written) = self.conn.write_into(data, &mut self.out)?;
            if taken == 0 {
                return Err(Failure::other("write_into took nothing"));
            }
            self.sock.write_all(&self.out[..written])?;
            data = &data[taken..];
        }
        Ok(())
    }

    /// Sends close_notify.
    pub fn close(&mut self) -> Result<(), Failure> {
        self.conn.close()?;
        self.drain()
    }

    /// After our close_notify: stops writing and reads (for at most `linger`) until the
    /// peer's close_notify or end of stream. Closing a socket with unread input makes the
    /// kernel reset the connection, which can destroy our last records before the peer
    /// reads them; reading first avoids that. A peer that just closes the socket (without
    /// close_notify) after ours is fine: we said we were done.
    pub fn finish(mut self, linger: Duration) -> Result<(), Failure> {
        let _ = self.sock.shutdown(Shutdown::Write);
        self.sock.set_read_timeout(Some(linger))?;
        while !self.conn.peer_closed() {
            match self.read_once() {
                Ok(true) => {}
                Ok(false) => break,
                Err(Failure::Tls(Error::UnexpectedEof)) => break,
                Err(Failure::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    break;
                }
                Err(Failure::Io(e)) if e.kind() == io::ErrorKind::ConnectionReset => break,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// After a failure (our fatal alert, if the error has one, is already written): shuts
    /// our write side, then reads and drops whatever the peer still sends until end of
    /// stream, a socket error, or `linger` has passed. Closing a socket with unread input
    /// makes the kernel answer with a reset, which can destroy the alert before the peer
    /// reads it (a client still sending a large ClientHello when we refuse it, say); this
    /// way the peer reads the alert, then sees the end of stream.
    pub fn discard_input(self, linger: Duration) {
        let _ = self.sock.shutdown(Shutdown::Write);
        let deadline = std::time::Instant::now() + linger;
        let mut sock = self.sock;
        let mut buf = [0u8; MAX_RECORD];
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() || sock.set_read_timeout(Some(left)).is_err() {
                return;
            }
            match sock.read(&mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    }

    /// Takes the application data received so far.
    pub fn take_received(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.received)
    }
}
