//! Blocking streams: a [`Connection`] and a transport (`Read + Write`, a `TcpStream` say)
//! as one `std::io::Read + Write` (needs the `std` feature).
//!
//! [`StreamOwned`] owns both; [`Stream`] borrows them. Either runs the
//! [drive contract](crate::conn) for you:
//!
//! - the handshake runs on first use ([`read`](Read::read) or [`write`](Write::write)), or
//!   explicitly with `complete_handshake`, which returns the [`HandshakeSummary`];
//! - [`write`](Write::write) queues application data in the connection and sends what the
//!   connection transmits; once it returns `n`, those `n` bytes are in the connection and
//!   go out at the latest with the next `write`, `flush` or `close`;
//! - [`flush`](Write::flush) sends everything pending to the transport, then flushes it;
//! - [`read`](Read::read) returns decrypted application data, reading the transport as
//!   needed (straight into the connection's receive buffer, which a stream blocked in
//!   `read` therefore holds: one record's worth; a non-blocking transport's `WouldBlock`
//!   frees it, see below). The peer's close_notify reads
//!   as end of stream (`Ok(0)`); the transport's end without close_notify (a possible
//!   truncation) is an error of kind [`io::ErrorKind::UnexpectedEof`];
//! - `close` sends close_notify; shutting the transport down (`TcpStream::shutdown`) is
//!   up to the caller, and so is reading until the peer's close_notify if it wants it.
//!
//! TLS errors come back as `io::Error`s whose source is the [`Error`](crate::Error) (see
//! `From<tls12::Error> for io::Error`): `e.get_ref()` and `downcast` give it back. Every TLS
//! error is fatal: the alert for it is sent before the error is returned.
//!
//! A transport error of kind [`WouldBlock`](io::ErrorKind::WouldBlock) is returned as is,
//! and nothing is lost: call again when the transport is ready. `Interrupted` is retried.
//! When a read says `WouldBlock`, the stream frees every buffer that holds nothing (its
//! own and the connection's, [`Connection::release_buffers`]): a non-blocking stream
//! waiting for its peer holds none, whatever it carried before.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use std::sync::Arc;
//!
//! use tls12::crypto::CryptoProvider;
//! use tls12::crypto::ring::RingProvider;
//! use tls12::pki_types::pem::PemObject;
//! use tls12::pki_types::{CertificateDer, ServerName};
//! use tls12::verify::{RootStore, WebPkiServerVerifier};
//! use tls12::{ClientConfig, ClientConnection, StreamOwned};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut roots = RootStore::new();
//! roots.add(&CertificateDer::from_pem_file("ca.pem")?)?;
//! let provider = Arc::new(RingProvider);
//! let verifier = WebPkiServerVerifier::new(Arc::new(roots), *provider.signature_verification());
//! let config = Arc::new(ClientConfig::new(provider, Arc::new(verifier)));
//!
//! let name = ServerName::try_from("example.test")?;
//! let conn = ClientConnection::new(config, name)?;
//! let sock = TcpStream::connect("example.test:443")?;
//! let mut tls = StreamOwned::new(conn, sock);
//!
//! tls.write_all(b"GET / HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n")?;
//! let mut response = Vec::new();
//! tls.read_to_end(&mut response)?; // Ok once the server's close_notify arrives
//! tls.close()?;
//! # Ok(()) }
//! ```

use alloc::vec;
use alloc::vec::Vec;
use core::ops::DerefMut;
use std::io::{self, Read, Write};

use crate::conn::{Connection, Output};
use crate::handshake::HandshakeSummary;

/// The scratch buffer `poll_output` writes outgoing bytes into: one whole record of the
/// largest size (16 KiB of plaintext plus header, nonce, tag or MAC and padding).
const OUT_LEN: usize = 16 * 1024 + 2048;

/// The most one `write` call takes: larger writes are taken in parts (`write_all` loops),
/// so the connection's send queue stays small.
const MAX_WRITE: usize = 64 * 1024;

/// What a stream holds between calls: bytes the transport has not taken yet, and decrypted
/// data the caller has not read yet.
#[derive(Debug, Default)]
struct Buffers {
    /// `out[out_start..out_end]` was taken from the connection but not yet written to the
    /// transport (it returned `WouldBlock`, or failed).
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    /// `plain[plain_start..]` is decrypted application data not yet read.
    plain: Vec<u8>,
    plain_start: usize,
}

impl Buffers {
    /// Writes what the transport has not taken yet.
    fn send_out<T: Write + ?Sized>(&mut self, sock: &mut T) -> io::Result<()> {
        while self.out_start < self.out_end {
            match sock.write(&self.out[self.out_start..self.out_end]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the transport took no bytes",
                    ));
                }
                Ok(n) => self.out_start += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Drains the connection until it is idle: sends what it transmits, keeps the
    /// application data it decrypts.
    fn drain<T: Write + ?Sized>(&mut self, conn: &mut Connection, sock: &mut T) -> io::Result<()> {
        loop {
            self.send_out(sock)?;
            match conn.poll_output(&mut self.out)? {
                Output::Transmit(bytes) => {
                    self.out_end = bytes.len();
                    self.out_start = 0;
                }
                Output::ApplicationData(data) => {
                    // Drop what was read already before keeping more.
                    self.plain.drain(..self.plain_start);
                    self.plain_start = 0;
                    self.plain.extend_from_slice(data);
                }
                // `out` is allocated when there is something to send (`send_out` emptied
                // it, so nothing is lost).
                Output::BufferTooSmall { .. } => self.out = vec![0; OUT_LEN],
                Output::Idle => return Ok(()),
                // Events (warning alerts, handshake steps, close_notify) are visible through
                // the connection's state.
                _ => {}
            }
        }
    }

    /// Reads the transport once, straight into the connection's receive buffer, then
    /// drains. At the transport's end of stream, tells the connection (an error unless the
    /// peer's close_notify came first).
    fn read_transport<T: Read + Write + ?Sized>(
        &mut self,
        conn: &mut Connection,
        sock: &mut T,
    ) -> io::Result<()> {
        let n = loop {
            let space = conn.input_space()?;
            if space.is_empty() {
                // Cannot happen after a drain (a whole record fits), but do not spin.
                return Err(io::Error::other("the connection's receive buffer is full"));
            }
            match sock.read(space) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.release(conn);
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            conn.handle_eof()?;
            return Ok(());
        }
        conn.input_received(n)?;
        self.drain(conn, sock)
    }

    /// The transport has nothing to read: frees every buffer that holds nothing (the
    /// connection's receive buffer and send queue, ours for outgoing bytes and plaintext),
    /// so that a stream waiting for its peer holds none.
    fn release(&mut self, conn: &mut Connection) {
        conn.release_buffers();
        if self.out_start == self.out_end {
            self.out = Vec::new();
            self.out_start = 0;
            self.out_end = 0;
        }
        if self.plain_start == self.plain.len() {
            self.plain = Vec::new();
            self.plain_start = 0;
        }
    }

    fn complete_handshake<'c, T: Read + Write + ?Sized>(
        &mut self,
        conn: &'c mut Connection,
        sock: &mut T,
    ) -> io::Result<&'c HandshakeSummary> {
        self.drain(conn, sock)?;
        while conn.is_handshaking() {
            if conn.peer_closed() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer sent close_notify during the handshake",
                ));
            }
            self.read_transport(conn, sock)?;
        }
        conn.handshake_summary()
            .ok_or_else(|| io::Error::other("handshake complete but no summary"))
    }

    fn read<T: Read + Write + ?Sized>(
        &mut self,
        conn: &mut Connection,
        sock: &mut T,
        buf: &mut [u8],
    ) -> io::Result<usize> {
        if conn.is_handshaking() {
            self.complete_handshake(conn, sock)?;
        }
        loop {
            let pending = &self.plain[self.plain_start..];
            if !pending.is_empty() {
                let n = pending.len().min(buf.len());
                buf[..n].copy_from_slice(&pending[..n]);
                self.plain_start += n;
                return Ok(n);
            }
            if buf.is_empty() || conn.peer_closed() {
                return Ok(0);
            }
            // Send what is pending (a reply the peer may be waiting for) before blocking.
            self.drain(conn, sock)?;
            if self.plain_start < self.plain.len() {
                continue;
            }
            self.read_transport(conn, sock)?;
        }
    }

    fn write<T: Read + Write + ?Sized>(
        &mut self,
        conn: &mut Connection,
        sock: &mut T,
        data: &[u8],
    ) -> io::Result<usize> {
        if conn.is_handshaking() {
            self.complete_handshake(conn, sock)?;
        }
        // What an earlier call left first: a transport that is still not ready says so
        // before we take more.
        self.drain(conn, sock)?;
        let n = conn.write(&data[..data.len().min(MAX_WRITE)])?;
        match self.drain(conn, sock) {
            Ok(()) => Ok(n),
            // The bytes are in the connection: they go out with the next call.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && n > 0 => Ok(n),
            Err(e) => Err(e),
        }
    }

    fn flush<T: Write + ?Sized>(&mut self, conn: &mut Connection, sock: &mut T) -> io::Result<()> {
        self.drain(conn, sock)?;
        loop {
            match sock.flush() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                r => return r,
            }
        }
    }

    fn close<T: Read + Write + ?Sized>(
        &mut self,
        conn: &mut Connection,
        sock: &mut T,
    ) -> io::Result<()> {
        // Data queued before the handshake completed (`conn_mut().write`) goes out before
        // the close_notify, so a close in the middle of the handshake finishes it first.
        if conn.is_handshaking() && conn.error().is_none() && !conn.peer_closed() {
            self.complete_handshake(conn, sock)?;
        }
        conn.close()?;
        self.flush(conn, sock)
    }
}

/// A connection and a transport it owns, as one `Read + Write` stream. See the
/// [module docs](self).
///
/// `C` is a [`ClientConnection`](crate::ClientConnection), a
/// [`ServerConnection`](crate::ServerConnection) or anything else that derefs to a
/// [`Connection`] (`Box<Connection>`, say); `T` is the transport.
///
/// Dropping it sends nothing (no close_notify: call [`close`](Self::close) first) and never
/// panics.
#[derive(Debug)]
pub struct StreamOwned<C, T> {
    conn: C,
    sock: T,
    buffers: Buffers,
}

impl<C: DerefMut<Target = Connection>, T: Read + Write> StreamOwned<C, T> {
    /// Pairs a connection (fresh, or at any point of its life) with its transport.
    pub fn new(conn: C, sock: T) -> Self {
        Self {
            conn,
            sock,
            buffers: Buffers::default(),
        }
    }

    /// Runs the handshake to completion (if it is not complete yet), reading and writing
    /// the transport, and returns what it negotiated.
    pub fn complete_handshake(&mut self) -> io::Result<&HandshakeSummary> {
        self.buffers
            .complete_handshake(&mut self.conn, &mut self.sock)
    }

    /// Sends close_notify (after everything written before) and flushes the transport;
    /// during the handshake, completes it first, so that data queued for its end is sent.
    /// Nothing can be written afterwards; reading goes on until the peer's close_notify.
    /// Shutting the transport down is up to the caller (`TcpStream::shutdown`, or drop
    /// it).
    pub fn close(&mut self) -> io::Result<()> {
        self.buffers.close(&mut self.conn, &mut self.sock)
    }

    /// The connection.
    pub fn conn(&self) -> &C {
        &self.conn
    }

    /// The connection, to call its methods directly (queue data before the handshake for
    /// False Start, say). Drain-related calls are best left to the stream.
    pub fn conn_mut(&mut self) -> &mut C {
        &mut self.conn
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.sock
    }

    /// The transport, to set timeouts, say. Reading or writing it directly breaks the
    /// TLS stream.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.sock
    }

    /// How many decrypted bytes are waiting to be read (already received, so a `read` of
    /// that many does not block).
    pub fn buffered(&self) -> usize {
        self.buffers.plain.len() - self.buffers.plain_start
    }

    /// The connection and the transport. Decrypted data not read yet ([`buffered`]
    /// bytes) and bytes the transport has not taken yet (after `WouldBlock`) are dropped.
    ///
    /// [`buffered`]: Self::buffered
    pub fn into_parts(self) -> (C, T) {
        (self.conn, self.sock)
    }
}

impl<C: DerefMut<Target = Connection>, T: Read + Write> Read for StreamOwned<C, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.buffers.read(&mut self.conn, &mut self.sock, buf)
    }
}

impl<C: DerefMut<Target = Connection>, T: Read + Write> Write for StreamOwned<C, T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffers.write(&mut self.conn, &mut self.sock, data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.buffers.flush(&mut self.conn, &mut self.sock)
    }
}

/// A connection and a transport, both borrowed, as one `Read + Write` stream. See the
/// [module docs](self).
///
/// `&mut ClientConnection` and `&mut ServerConnection` coerce to `&mut Connection`, so
/// `Stream::new(&mut client, &mut sock)` works.
///
/// The stream keeps, between calls, decrypted data the caller's buffer could not take and
/// (after the transport said `WouldBlock`) bytes the transport has not taken yet: dropping
/// the `Stream` drops them. With a blocking transport only the first can be left over
/// (see [`buffered`](Self::buffered)); to keep it, keep the `Stream` as long as the
/// connection, or use [`StreamOwned`].
#[derive(Debug)]
pub struct Stream<'a, T: ?Sized> {
    /// The connection.
    pub conn: &'a mut Connection,
    /// The transport.
    pub sock: &'a mut T,
    buffers: Buffers,
}

impl<'a, T: Read + Write + ?Sized> Stream<'a, T> {
    /// Pairs a connection with its transport.
    pub fn new(conn: &'a mut Connection, sock: &'a mut T) -> Self {
        Self {
            conn,
            sock,
            buffers: Buffers::default(),
        }
    }

    /// Runs the handshake to completion (if it is not complete yet) and returns what it
    /// negotiated.
    pub fn complete_handshake(&mut self) -> io::Result<&HandshakeSummary> {
        self.buffers.complete_handshake(self.conn, self.sock)
    }

    /// Sends close_notify (after everything written before) and flushes the transport.
    pub fn close(&mut self) -> io::Result<()> {
        self.buffers.close(self.conn, self.sock)
    }

    /// How many decrypted bytes are waiting to be read.
    pub fn buffered(&self) -> usize {
        self.buffers.plain.len() - self.buffers.plain_start
    }
}

impl<T: Read + Write + ?Sized> Read for Stream<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.buffers.read(self.conn, self.sock, buf)
    }
}

impl<T: Read + Write + ?Sized> Write for Stream<'_, T> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffers.write(self.conn, self.sock, data)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.buffers.flush(self.conn, self.sock)
    }
}
