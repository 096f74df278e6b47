//! TLS over any tokio transport: [`TlsConnector`], [`TlsAcceptor`] and [`TlsStream`], in
//! the shape of tokio-rustls (feature `tokio`).
//!
//! ```no_run
//! # async fn f(config: std::sync::Arc<tls12::ClientConfig>) -> std::io::Result<()> {
//! use tls12::pki_types::ServerName;
//! use tls12::tokio::TlsConnector;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let tcp = tokio::net::TcpStream::connect("example.test:443").await?;
//! let name = ServerName::try_from("example.test").expect("a DNS name").to_owned();
//! let mut tls = TlsConnector::from(config).connect(name, tcp).await?;
//! tls.write_all(b"GET / HTTP/1.0\r\nHost: example.test\r\n\r\n").await?;
//! let mut response = Vec::new();
//! tls.read_to_end(&mut response).await?; // EOF: the server's close_notify
//! # Ok(()) }
//! ```
//!
//! The stream drives the sans-IO [`Connection`] by the [drive contract](crate::conn) from
//! the `poll_*` methods of [`AsyncRead`] and [`AsyncWrite`]: no task is spawned, and every
//! byte in flight lives in the stream, so any read, write, flush or handshake future can be
//! dropped at an await without losing data. Outgoing records wait in the stream until the
//! transport takes them; a write is refused (`Pending`) while 64 KiB or more of them wait.
//! Received records are decrypted one receive buffer at a time, as the reader takes them,
//! straight into the reader's buffer when it has room.
//!
//! A stream waiting for its peer holds no record-sized buffer, whatever it carried before
//! (a keep-alive connection between requests, say): when a transport read would block,
//! the stream frees its outgoing and plaintext buffers and the connection's receive buffer
//! and send queue ([`Connection::release_buffers`]) if they hold nothing, and reads go
//! through a buffer on the stack until the peer sends more than 8 KiB at once, so that
//! waiting allocates nothing. While data keeps coming, the buffers stay: the receive
//! buffer comes back with the first read of more than that, the outgoing buffer with the
//! first write.
//!
//! Errors are [`io::Error`]s whose source is the [`Error`] (`err.get_ref()` and
//! `downcast_ref::<tls12::Error>()`): a transport end of stream without close_notify is
//! [`io::ErrorKind::UnexpectedEof`]; a fatal TLS error is sent to the peer as its alert
//! before the error is returned, and application data that arrived before it is read
//! first.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::Future;
use core::mem::MaybeUninit;
use core::ops::DerefMut;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::io;

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use bytes::{Buf, BytesMut};
use pki_types::ServerName;

use crate::config::{ClientConfig, ServerConfig};
use crate::conn::{ClientConnection, Connection, Output, ServerConnection};
use crate::error::Error;
use crate::handshake::HandshakeSummary;

/// The most outgoing bytes a [`TlsStream`] holds before `poll_write` waits for the
/// transport; also the most one `poll_write` takes.
const WRITE_LIMIT: usize = 64 * 1024;

/// Reads go through a buffer of this size on the stack while the connection holds no
/// receive buffer (see [`TlsStream`]'s `rx_direct`): a whole record of the largest size,
/// so that such a read takes as much as a read into the receive buffer would.
const STACK_READ: usize = crate::record::Deframer::CAPACITY;

/// A read through the stack of at least this many bytes (more than a few small records)
/// makes the next reads go straight into the connection's receive buffer.
const DIRECT_AFTER: usize = 8 * 1024;

/// A TLS error as an [`io::Error`], keeping it as the source. End of stream without
/// close_notify is `UnexpectedEof`, misuse of the API or configuration `InvalidInput`, a
/// failure on our side (internal or encoding) `Other`, anything else (the peer's bytes,
/// its alerts, a failed check) `InvalidData`.
fn io_error(e: Error) -> io::Error {
    let kind = match e {
        Error::UnexpectedEof => io::ErrorKind::UnexpectedEof,
        Error::Api(_) | Error::Config(_) => io::ErrorKind::InvalidInput,
        Error::Internal(_) | Error::Encode(_) => io::ErrorKind::Other,
        _ => io::ErrorKind::InvalidData,
    };
    io::Error::new(kind, e)
}

/// A client stream: what [`TlsConnector::connect`] resolves to.
pub type ClientTlsStream<IO> = TlsStream<IO, ClientConnection>;

/// A server stream: what [`TlsAcceptor::accept`] resolves to.
pub type ServerTlsStream<IO> = TlsStream<IO, ServerConnection>;

/// The handshake future of a client: [`TlsConnector::connect`].
pub type Connect<IO> = Handshake<IO, ClientConnection>;

/// The handshake future of a server: [`TlsAcceptor::accept`].
pub type Accept<IO> = Handshake<IO, ServerConnection>;

/// Makes client connections over any transport from one [`ClientConfig`].
#[derive(Clone, Debug)]
pub struct TlsConnector {
    config: Arc<ClientConfig>,
}

impl From<Arc<ClientConfig>> for TlsConnector {
    fn from(config: Arc<ClientConfig>) -> Self {
        Self { config }
    }
}

impl TlsConnector {
    /// Runs a client handshake with `server_name` (SNI and certificate verification) over
    /// `io`; the future resolves once the handshake is complete and our last flight sent.
    pub fn connect<IO>(&self, server_name: ServerName<'static>, io: IO) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        Handshake::start(ClientConnection::new(self.config.clone(), server_name), io)
    }

    /// The configuration every connection is made from.
    pub fn config(&self) -> &Arc<ClientConfig> {
        &self.config
    }
}

/// Makes server connections over any transport from one [`ServerConfig`].
#[derive(Clone, Debug)]
pub struct TlsAcceptor {
    config: Arc<ServerConfig>,
}

impl From<Arc<ServerConfig>> for TlsAcceptor {
    fn from(config: Arc<ServerConfig>) -> Self {
        Self { config }
    }
}

impl TlsAcceptor {
    /// Runs a server handshake over `io`; the future resolves once the handshake is
    /// complete and our last flight sent.
    pub fn accept<IO>(&self, io: IO) -> Accept<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        Handshake::start(ServerConnection::new(self.config.clone()), io)
    }

    /// The configuration every connection is made from.
    pub fn config(&self) -> &Arc<ServerConfig> {
        &self.config
    }
}

enum HandshakeState<IO, C> {
    Running(TlsStream<IO, C>),
    /// The connection could not be made (a configuration the connection refuses).
    Failed(Error, IO),
    Done,
}

/// A handshake in progress, resolving to the [`TlsStream`]: [`Connect`] or [`Accept`].
///
/// Dropping it drops the transport. To keep the transport after a failure (to drain what
/// the peer still sends before closing, say), await [`into_fallible`](Self::into_fallible).
#[must_use = "a handshake does nothing unless polled"]
pub struct Handshake<IO, C>(HandshakeState<IO, C>);

impl<IO, C> core::fmt::Debug for Handshake<IO, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match &self.0 {
            HandshakeState::Running(_) => "running",
            HandshakeState::Failed(..) => "failed",
            HandshakeState::Done => "done",
        };
        f.debug_tuple("Handshake").field(&state).finish()
    }
}

impl<IO, C> Handshake<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    fn start(conn: Result<C, Error>, io: IO) -> Self {
        Self(match conn {
            Ok(conn) => HandshakeState::Running(TlsStream::new(io, conn)),
            Err(e) => HandshakeState::Failed(e, io),
        })
    }

    /// The same handshake, resolving on failure to the error and the transport (after our
    /// alert, if the error has one, was written to it).
    pub fn into_fallible(self) -> FallibleHandshake<IO, C> {
        FallibleHandshake(self.0)
    }
}

/// A handshake that gives the transport back on failure: [`Handshake::into_fallible`].
#[must_use = "a handshake does nothing unless polled"]
pub struct FallibleHandshake<IO, C>(HandshakeState<IO, C>);

impl<IO, C> core::fmt::Debug for FallibleHandshake<IO, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FallibleHandshake").finish_non_exhaustive()
    }
}

/// Polls the handshake in `state`; the shared body of both futures.
fn poll_handshake<IO, C>(
    state: &mut HandshakeState<IO, C>,
    cx: &mut Context<'_>,
) -> Poll<Result<TlsStream<IO, C>, (io::Error, IO)>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    let result = match state {
        HandshakeState::Running(stream) => ready!(stream.poll_handshake(cx)),
        HandshakeState::Failed(..) => Ok(()),
        // The transport went out with the result: there is nothing left to poll.
        HandshakeState::Done => panic!("tls12::tokio handshake polled after it completed"),
    };
    match (core::mem::replace(state, HandshakeState::Done), result) {
        (HandshakeState::Running(stream), Ok(())) => Poll::Ready(Ok(stream)),
        (HandshakeState::Running(stream), Err(e)) => Poll::Ready(Err((e, stream.io))),
        (HandshakeState::Failed(e, io), _) => Poll::Ready(Err((io_error(e), io))),
        (HandshakeState::Done, _) => unreachable!("matched above"),
    }
}

impl<IO, C> Future for Handshake<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    type Output = io::Result<TlsStream<IO, C>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_handshake(&mut self.get_mut().0, cx).map(|r| r.map_err(|(e, _io)| e))
    }
}

impl<IO, C> Future for FallibleHandshake<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    type Output = Result<TlsStream<IO, C>, (io::Error, IO)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        poll_handshake(&mut self.get_mut().0, cx)
    }
}

/// A TLS connection over an async transport `IO`, after its handshake: [`AsyncRead`] gives
/// the peer's application data (end of stream at its close_notify), [`AsyncWrite`] sends
/// ours, `poll_shutdown` sends close_notify and shuts the transport's write side.
///
/// `C` is [`ClientConnection`] or [`ServerConnection`] ([`ClientTlsStream`],
/// [`ServerTlsStream`]). See the [module docs](self) for buffering and cancellation.
pub struct TlsStream<IO, C> {
    io: IO,
    /// Boxed: the connection is about a kilobyte, and a stream lives inline in the futures
    /// that use it (a task per connection holds the handshake future and then the stream).
    conn: Box<C>,
    /// Outgoing records: `tx[tx_start..tx_end]` waits for the transport; the rest of the
    /// vector is initialized room for the next `poll_output`.
    tx: Vec<u8>,
    tx_start: usize,
    tx_end: usize,
    /// Decrypted application data the reader has not taken yet.
    plaintext: BytesMut,
    /// The transport reported end of stream.
    eof: bool,
    /// Transport reads go straight into the connection's receive buffer
    /// ([`Connection::input_space`]). Until a read brings [`DIRECT_AFTER`] bytes (the peer
    /// sends more than a few small records at a time), they go through a buffer on the
    /// stack and [`Connection::handle_input`] instead, so that waiting for a read neither
    /// allocates that buffer (the connection frees it after the handshake, and whenever a
    /// read would block; a waiting connection then holds none) nor zeroes it (18 KiB):
    /// small flights, requests and answers cost a copy of what arrived instead.
    rx_direct: bool,
}

impl<IO, C: core::fmt::Debug> core::fmt::Debug for TlsStream<IO, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsStream")
            .field("conn", &self.conn)
            .field("tx_pending", &(self.tx_end - self.tx_start))
            .field("plaintext", &self.plaintext.len())
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl<IO, C> TlsStream<IO, C>
where
    C: DerefMut<Target = Connection>,
{
    fn new(io: IO, conn: C) -> Self {
        Self {
            io,
            conn: Box::new(conn),
            tx: Vec::new(),
            tx_start: 0,
            tx_end: 0,
            plaintext: BytesMut::new(),
            eof: false,
            rx_direct: false,
        }
    }

    /// The transport and the connection.
    pub fn get_ref(&self) -> (&IO, &C) {
        (&self.io, &*self.conn)
    }

    /// The transport and the connection, mutably. Reading from or writing to the transport
    /// directly breaks the TLS stream.
    pub fn get_mut(&mut self) -> (&mut IO, &mut C) {
        (&mut self.io, &mut *self.conn)
    }

    /// The transport and the connection. Records not yet written to the transport and
    /// application data not yet read are dropped.
    pub fn into_inner(self) -> (IO, C) {
        (self.io, *self.conn)
    }

    /// What the handshake negotiated. Always `Some` for a stream from [`TlsConnector`] or
    /// [`TlsAcceptor`].
    pub fn handshake_summary(&self) -> Option<&HandshakeSummary> {
        self.conn.handshake_summary()
    }

    /// The application protocol negotiated with ALPN, if any.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.handshake_summary()?.alpn.as_deref()
    }

    fn tx_pending(&self) -> usize {
        self.tx_end - self.tx_start
    }

    /// Makes at least `room` bytes of initialized room after `tx_end`, moving what waits
    /// to the front first.
    fn tx_room(&mut self, room: usize) -> &mut [u8] {
        if self.tx_start == self.tx_end {
            self.tx_start = 0;
            self.tx_end = 0;
        }
        if self.tx.len() - self.tx_end < room && self.tx_start > 0 {
            self.tx.copy_within(self.tx_start..self.tx_end, 0);
            self.tx_end -= self.tx_start;
            self.tx_start = 0;
        }
        if self.tx.len() - self.tx_end < room {
            self.tx.resize(self.tx_end + room, 0);
        }
        &mut self.tx[self.tx_end..]
    }

    /// Readies `tx` for records to be appended after what waits (`tx_end`): drops the room
    /// after it, and moves what waits to the front first if `extra` more bytes would not
    /// fit in the allocation otherwise.
    fn tx_append_start(&mut self, extra: usize) {
        if self.tx_start == self.tx_end {
            self.tx_start = 0;
            self.tx_end = 0;
        }
        if self.tx_start > 0 && self.tx.capacity() - self.tx_end < extra {
            self.tx.copy_within(self.tx_start..self.tx_end, 0);
            self.tx_end -= self.tx_start;
            self.tx_start = 0;
        }
        self.tx.truncate(self.tx_end);
    }

    /// Drains the connection until idle: records to send into `tx` (which grows to what
    /// the connection has to send, so that it is never stopped by output and always
    /// processes what it received), application data into the reader's `out` while
    /// nothing older waits in `plaintext`, the rest into `plaintext`.
    fn drain(&mut self, mut out: Option<&mut ReadBuf<'_>>) -> Result<(), Error> {
        loop {
            match self.conn.poll_output(&mut self.tx[self.tx_end..])? {
                Output::Transmit(bytes) => {
                    let n = bytes.len();
                    self.tx_end += n;
                }
                Output::ApplicationData(data) => {
                    let mut data = data;
                    if let Some(out) = out.as_deref_mut().filter(|_| self.plaintext.is_empty()) {
                        let n = out.remaining().min(data.len());
                        out.put_slice(&data[..n]);
                        data = &data[n..];
                    }
                    self.plaintext.extend_from_slice(data);
                }
                Output::BufferTooSmall { needed } => {
                    self.tx_room(needed);
                }
                Output::Idle => return Ok(()),
                // Events are reflected in the connection's state (`is_handshaking`,
                // `peer_closed`, `handshake_summary`).
                _ => {}
            }
        }
    }
}

impl<IO, C> TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection>,
{
    /// Writes `tx` to the transport until it is empty.
    fn poll_write_tx(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.tx_start < self.tx_end {
            let n = ready!(
                Pin::new(&mut self.io).poll_write(cx, &self.tx[self.tx_start..self.tx_end])
            )?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.tx_start += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Drains the connection and writes everything it has to send. `Ready(Ok)` once all of
    /// it is written; on a TLS error, `Ready(Err)` once its alert is written. The drain
    /// happens before any wait, so received records are processed even while the transport
    /// is not taking our bytes.
    fn poll_transmit(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_transmit_into(cx, None)
    }

    /// [`poll_transmit`](Self::poll_transmit), decrypting application data into the
    /// reader's `out` first (see [`drain`](Self::drain)).
    fn poll_transmit_into(
        &mut self,
        cx: &mut Context<'_>,
        mut out: Option<&mut ReadBuf<'_>>,
    ) -> Poll<io::Result<()>> {
        loop {
            let drained = self.drain(out.as_deref_mut());
            if self.tx_pending() == 0 {
                return Poll::Ready(drained.map_err(io_error));
            }
            if let Err(e) = ready!(self.poll_write_tx(cx)) {
                // The TLS error, if there is one, says more than the transport's.
                return Poll::Ready(Err(drained.err().map_or(e, io_error)));
            }
        }
    }

    /// One transport read into the connection's receive buffer. At end of stream, `Ok` if
    /// the peer's close_notify came first, `UnexpectedEof` if not.
    fn poll_read_input(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.eof {
            return Poll::Ready(self.conn.handle_eof().map_err(io_error));
        }
        if !self.rx_direct {
            return self.poll_read_stack(cx);
        }
        let space = self.conn.input_space().map_err(io_error)?;
        if space.is_empty() {
            // A drained connection has consumed every whole record, and a partial one is
            // smaller than the buffer.
            return Poll::Ready(Err(io::Error::other("the receive buffer stayed full")));
        }
        let mut buf = ReadBuf::new(space);
        if Pin::new(&mut self.io).poll_read(cx, &mut buf)?.is_pending() {
            self.release_while_waiting();
            return Poll::Pending;
        }
        let n = buf.filled().len();
        if n == 0 {
            self.eof = true;
            return Poll::Ready(self.conn.handle_eof().map_err(io_error));
        }
        self.conn.input_received(n).map_err(io_error)?;
        Poll::Ready(Ok(()))
    }

    /// One transport read into a buffer on the stack, then copied into the connection
    /// (see `rx_direct`).
    fn poll_read_stack(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut stack = [MaybeUninit::<u8>::uninit(); STACK_READ];
        let mut buf = ReadBuf::uninit(&mut stack);
        if Pin::new(&mut self.io).poll_read(cx, &mut buf)?.is_pending() {
            self.release_while_waiting();
            return Poll::Pending;
        }
        let mut input = buf.filled();
        self.rx_direct = input.len() >= DIRECT_AFTER;
        if input.is_empty() {
            self.eof = true;
            return Poll::Ready(self.conn.handle_eof().map_err(io_error));
        }
        loop {
            let taken = self.conn.handle_input(input).map_err(io_error)?;
            input = &input[taken..];
            if input.is_empty() {
                return Poll::Ready(Ok(()));
            }
            // The receive buffer is full: process what it holds (the records it completes
            // make room), then feed the rest. A TLS error is sticky: the reader's next
            // drain reports it, after sending its alert.
            if self.drain(None).is_err() {
                return Poll::Ready(Ok(()));
            }
            if taken == 0 && self.conn.input_space().map_err(io_error)?.is_empty() {
                return Poll::Ready(Err(io::Error::other("the receive buffer stayed full")));
            }
        }
    }

    /// The transport has nothing to read: frees every buffer that holds nothing (the
    /// connection's receive buffer and send queue, our outgoing and plaintext buffers), and
    /// reads through the stack until the peer sends more than a few small records at once.
    fn release_while_waiting(&mut self) {
        self.rx_direct = !self.conn.release_buffers();
        if self.tx_start == self.tx_end {
            self.tx = Vec::new();
            self.tx_start = 0;
            self.tx_end = 0;
        }
        if self.plaintext.is_empty() {
            self.plaintext = BytesMut::new();
        }
    }

    /// Sends our flights and reads the peer's until the handshake is complete and our last
    /// flight written. Then frees the flights' buffer: an idle connection holds none.
    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            ready!(self.poll_transmit(cx))?;
            if !self.conn.is_handshaking() {
                self.tx = Vec::new();
                self.tx_start = 0;
                self.tx_end = 0;
                // The connection freed its receive buffer: wait through the stack.
                self.rx_direct = false;
                return Poll::Ready(Ok(()));
            }
            if self.conn.peer_closed() {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer closed the connection during the handshake",
                )));
            }
            ready!(self.poll_read_input(cx))?;
        }
    }
}

impl<IO, C> AsyncRead for TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.plaintext.is_empty() {
                let n = this.plaintext.len().min(buf.remaining());
                buf.put_slice(&this.plaintext[..n]);
                this.plaintext.advance(n);
                return Poll::Ready(Ok(()));
            }
            if this.conn.peer_closed() {
                return Poll::Ready(Ok(()));
            }
            // Records processed (their data decrypted into `buf` first), and what they call
            // for (alerts) sent if the transport takes it; a transport that does not yet
            // holds up the read only to send our fatal alert before the error. Data that
            // came before an error is returned first: the error is sticky, the next read
            // returns it.
            let filled = buf.filled().len();
            let transmitted = this.poll_transmit_into(cx, Some(buf));
            if buf.filled().len() > filled {
                return Poll::Ready(Ok(()));
            }
            match transmitted {
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending if this.conn.error().is_some() => return Poll::Pending,
                _ => {}
            }
            if !this.plaintext.is_empty() || this.conn.peer_closed() {
                continue;
            }
            ready!(this.poll_read_input(cx))?;
        }
    }
}

impl<IO, C> AsyncWrite for TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: DerefMut<Target = Connection> + Unpin,
{
    /// Takes up to 64 KiB of `data` into records (once the bytes already waiting are under
    /// that) and writes them to the transport as far as it accepts.
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if let Poll::Ready(Err(e)) = this.poll_transmit(cx) {
            return Poll::Ready(Err(e));
        }
        if this.tx_pending() >= WRITE_LIMIT {
            // The transport refused more: its waker is registered.
            return Poll::Pending;
        }
        let data = &data[..data.len().min(WRITE_LIMIT)];
        // Encrypt straight into `tx` when nothing else is queued in the connection (the
        // drain above emptied it), else through the connection's queue.
        let mut taken = 0;
        if !this.conn.is_handshaking() && !this.conn.wants_transmit() {
            this.tx_append_start(data.len() + 1024);
            this.conn
                .write_append(data, &mut this.tx)
                .map_err(io_error)?;
            this.tx_end = this.tx.len();
            taken = data.len();
        }
        if taken == 0 {
            taken = this.conn.write(data).map_err(io_error)?;
            if taken == 0 {
                // Only before the handshake completes, which a `TlsStream` is past.
                return Poll::Ready(Err(io_error(Error::Api(
                    "write before the handshake completed",
                ))));
            }
        }
        if let Poll::Ready(Err(e)) = this.poll_transmit(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(taken))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_transmit(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    /// Sends close_notify (once), writes everything pending and shuts the transport's write
    /// side. After a TLS error, only what is pending (its alert) is written before the
    /// transport is shut.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.conn.error().is_none() {
            this.conn.close().map_err(io_error)?;
            ready!(this.poll_transmit(cx))?;
        } else {
            ready!(this.poll_write_tx(cx))?;
        }
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
