//! The sans-IO connection: bytes in, bytes and events out.
//!
//! # The drive contract
//!
//! A [`Connection`] (made as a [`ClientConnection`] or a
//! [`ServerConnection`]) never touches a socket, a clock or ambient
//! randomness. The caller's event loop does three things, in any order and as often as it
//! likes:
//!
//! 1. **Feed** bytes received from the peer with [`Connection::handle_input`]. It copies as
//!    many as fit into the connection's fixed receive buffer (one maximum-size record, or
//!    one of the size negotiated with max_fragment_length or record_size_limit) and
//!    returns how many it took; feed the rest after draining. Or receive them straight
//!    into that buffer: [`Connection::input_space`], then [`Connection::input_received`].
//! 2. **Drain** with [`Connection::poll_output`] until it returns [`Output::Idle`]: each call
//!    gives bytes to send to the peer ([`Output::Transmit`], written into the caller's
//!    buffer), decrypted application data ([`Output::ApplicationData`], borrowed from the
//!    receive buffer: no copy), or an [`Event`]. Processing happens here, lazily.
//! 3. **Write** application data with [`Connection::write`] (queued, bounded, until the
//!    handshake completes) and close with [`Connection::close`]; then drain again.
//!
//! Once the handshake is over and everything is drained, the connection frees the buffers
//! only the handshake needed at that size (the receive buffer, the outgoing flight, the
//! handshake reassembly buffer): an idle connection holds its keys and the handshake
//! summary. The first application record allocates the receive (and send) buffer again,
//! once; after that no record allocates. To free them again while waiting for the peer
//! (between the requests of a keep-alive connection, say), call
//! [`Connection::release_buffers`] when the transport has nothing to read.
//!
//! When the transport reports end of stream, call [`Connection::handle_eof`]: it tells a
//! clean close (the peer's close_notify arrived) from a truncation.
//!
//! Every error is fatal and sticky: the alert it maps to is queued first (drain it with
//! `poll_output` and send it), then every call returns the same error.
//!
//! ```
//! # use tls12::{Connection, Output};
//! fn drive(conn: &mut Connection, received: &[u8], send: &mut Vec<u8>, app: &mut Vec<u8>)
//!     -> Result<(), tls12::Error>
//! {
//!     let mut input = received;
//!     let mut buf = [0u8; 4096];
//!     loop {
//!         let used = conn.handle_input(input)?;
//!         input = &input[used..];
//!         loop {
//!             match conn.poll_output(&mut buf)? {
//!                 Output::Transmit(bytes) => send.extend_from_slice(bytes),
//!                 Output::ApplicationData(data) => app.extend_from_slice(data),
//!                 Output::Event(ev) => println!("{ev:?}"),
//!                 Output::Idle => break,
//!                 _ => {}
//!             }
//!         }
//!         if input.is_empty() {
//!             return Ok(());
//!         }
//!     }
//! }
//! ```

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::codec::Codec;
use crate::codec::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::config::{ClientConfig, CommonConfig, ServerConfig};
use crate::error::{DecodeError, DecodeErrorKind, Error};
use crate::handshake::{self, Exporter, HandshakeState, HandshakeSummary, Input};
use crate::msgs::{AlertMessage, HandshakeMessage, HandshakePayload};
use crate::record::layer::RecordLayer;
use crate::record::limits::{self, RecordLimits};
use crate::record::protect::{RecordOpener, RecordSealer};
use crate::record::{Deframer, HandshakeBytes, HandshakeJoiner};

/// Something the connection tells the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A handshake message was sent (only with `message_events` configured). The message
    /// type is `tls12::internal::msgs::HandshakeMessage`, outside the stable API: its field
    /// `typ` is a [`HandshakeType`](crate::enums::HandshakeType), the rest may change in any
    /// release.
    HandshakeMessageSent(Box<HandshakeMessage>),
    /// A handshake message was received (only with `message_events` configured); unstable
    /// like [`HandshakeMessageSent`](Self::HandshakeMessageSent).
    HandshakeMessageReceived(Box<HandshakeMessage>),
    /// We sent ChangeCipherSpec: from now on our records are encrypted.
    ChangeCipherSpecSent,
    /// The peer sent ChangeCipherSpec: from now on its records are encrypted.
    ChangeCipherSpecReceived,
    /// The handshake completed. The summary is the one
    /// [`Connection::handshake_summary`] returns, shared rather than copied.
    HandshakeComplete(Arc<HandshakeSummary>),
    /// The peer sent a warning alert (other than close_notify).
    AlertReceived(AlertDescription),
    /// The peer sent close_notify: it will send no more data.
    PeerClosed,
}

/// One output of [`Connection::poll_output`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Output<'a> {
    /// Bytes to send to the peer, written into the caller's buffer.
    Transmit(&'a [u8]),
    /// Decrypted application data, borrowed from the connection until the next call.
    ApplicationData(&'a [u8]),
    /// Something happened.
    Event(Event),
    /// Bytes are waiting to be sent but the caller's buffer is empty.
    BufferTooSmall {
        /// How many bytes are waiting.
        needed: usize,
    },
    /// Nothing more to do until more input arrives or the caller writes.
    Idle,
}

/// The connection's configuration, shared with every other connection made from it (not
/// copied per connection). Derefs to the [`CommonConfig`] part.
pub(crate) enum SharedConfig {
    Client(Arc<ClientConfig>),
    Server(Arc<ServerConfig>),
}

impl core::ops::Deref for SharedConfig {
    type Target = CommonConfig;
    fn deref(&self) -> &CommonConfig {
        match self {
            SharedConfig::Client(c) => &c.common,
            SharedConfig::Server(s) => &s.common,
        }
    }
}

/// The state shared by both sides: the configuration, the record layer, the events, the
/// data written before the handshake completed, and the completed handshake.
pub(crate) struct Core {
    pub(crate) config: SharedConfig,
    /// Keys, the send queue, record versions, the close and renegotiation policy.
    record: RecordLayer,
    events: EventQueue,
    early_plaintext: Vec<u8>,
    pub(crate) may_send_app_data: bool,
    peer_closed: bool,
    error: Option<Error>,
    /// The handshake completed: the summary to report once the current record is
    /// processed.
    completed: Option<Arc<HandshakeSummary>>,
    /// What RFC 5705 exporters derive from, once the handshake is complete.
    exporter: Option<Exporter>,
}

impl Core {
    pub(crate) fn new(config: SharedConfig) -> Self {
        let offered_mfl = match &config {
            SharedConfig::Client(c) => c.max_fragment_length,
            SharedConfig::Server(_) => None,
        };
        let receive_cap = if config.limit_receive_buffer {
            limits::receive_cap(offered_mfl, config.record_size_limit)
        } else {
            None
        };
        let record = RecordLayer::new(config.max_fragment_len, receive_cap);
        Self {
            config,
            record,
            events: EventQueue::default(),
            early_plaintext: Vec::new(),
            may_send_app_data: false,
            peer_closed: false,
            error: None,
            completed: None,
            exporter: None,
        }
    }

    fn emit(&mut self, ev: Event) {
        self.events.push(ev);
    }

    /// Writes close_notify; nothing may follow it, and data still queued for the end of
    /// the handshake is dropped.
    fn send_close_notify(&mut self) -> Result<(), Error> {
        self.early_plaintext.clear();
        self.record.send_close_notify()
    }

    /// Encodes and sends a handshake message (in records of `version`, if given), returning
    /// its encoding.
    fn send_handshake(
        &mut self,
        version: Option<ProtocolVersion>,
        msg: HandshakeMessage,
    ) -> Result<Vec<u8>, Error> {
        let typ = msg.typ;
        // The message is kept only for its event; otherwise its raw body (if it has one)
        // becomes the encoding, without a copy.
        let (bytes, event) = if self.config.message_events {
            (msg.to_bytes()?, Some(msg))
        } else {
            (msg.into_bytes()?, None)
        };
        crate::log::trace!("sending {:?} ({} bytes)", typ, bytes.len());
        match version {
            Some(v) => self
                .record
                .write_with_version(v, ContentType::HANDSHAKE, &bytes)?,
            None => self.record.write(ContentType::HANDSHAKE, &bytes)?,
        }
        if let Some(msg) = event {
            self.emit(Event::HandshakeMessageSent(Box::new(msg)));
        }
        Ok(bytes)
    }

    /// Records a fatal error: queue its alert (if any) and make it sticky.
    pub(crate) fn fail(&mut self, e: Error) -> Error {
        if let Some(prev) = &self.error {
            return prev.clone();
        }
        crate::log::warning!("connection failed: {e}");
        if let Some(desc) = e.alert() {
            self.record.send_fatal_alert(desc);
        }
        self.early_plaintext.clear();
        self.error = Some(e.clone());
        e
    }
}

/// The connection's side of the seam: what the handshake asks for, done on the record
/// layer (records, the send queue, the close and renegotiation policy) and in events.
impl handshake::Output for Core {
    /// Encodes and sends a handshake message, returning its encoding (for the transcript).
    fn send(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error> {
        self.send_handshake(None, msg)
    }

    /// The first record goes out as TLS 1.0 for the benefit of old middleboxes and
    /// servers, as OpenSSL and browsers do.
    fn send_client_hello(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error> {
        self.send_handshake(Some(ProtocolVersion::TLS10), msg)
    }

    fn version_negotiated(&mut self) {
        self.record.version_negotiated();
    }

    fn record_limits(&mut self, limits: RecordLimits) {
        crate::log::debug!("record limits: {limits:?}");
        self.record.set_limits(limits);
    }

    /// Keys to switch to when we send ChangeCipherSpec / when the peer's arrives.
    fn install_keys(&mut self, sealer: RecordSealer, opener: RecordOpener) {
        self.record.install_keys(sealer, opener);
    }

    /// Sends ChangeCipherSpec and switches our writes to the pending keys.
    fn send_ccs(&mut self) -> Result<(), Error> {
        self.record.send_ccs()?;
        self.emit(Event::ChangeCipherSpecSent);
        Ok(())
    }

    /// The peer's ChangeCipherSpec arrived: switch its reads to the pending keys.
    fn peer_ccs(&mut self) -> Result<(), Error> {
        self.record.peer_ccs()?;
        self.emit(Event::ChangeCipherSpecReceived);
        Ok(())
    }

    /// The handshake is over (or False Start allows data): flush queued plaintext, then
    /// the close_notify that waited for it.
    fn start_app_data(&mut self) -> Result<(), Error> {
        self.may_send_app_data = true;
        let queued = core::mem::take(&mut self.early_plaintext);
        if !queued.is_empty() {
            self.record.write(ContentType::APPLICATION_DATA, &queued)?;
        }
        if self.record.take_close_after_early_data() {
            self.send_close_notify()?;
        }
        Ok(())
    }

    fn refuse_renegotiation(&mut self) -> Result<(), Error> {
        self.record.refuse_renegotiation()
    }

    /// Kept until the record that completed the handshake is processed, then reported as
    /// [`Event::HandshakeComplete`].
    fn complete(&mut self, summary: Arc<HandshakeSummary>, exporter: Exporter) {
        self.exporter = Some(exporter);
        self.completed = Some(summary);
    }
}

/// The events waiting for the caller, in order: the first few held inline (a handshake
/// queues two or three: ChangeCipherSpec sent and received, completion), so a connection
/// allocates for its events only when more pile up undrained.
#[derive(Default)]
struct EventQueue {
    inline: [Option<Event>; EventQueue::INLINE],
    /// Where the oldest inline event is.
    head: usize,
    /// How many inline events there are.
    len: usize,
    /// Events queued while the inline ones were full, or behind such events: all newer
    /// than the inline ones.
    spill: VecDeque<Event>,
}

impl EventQueue {
    const INLINE: usize = 4;

    fn push(&mut self, ev: Event) {
        if self.spill.is_empty() && self.len < Self::INLINE {
            self.inline[(self.head + self.len) % Self::INLINE] = Some(ev);
            self.len += 1;
        } else {
            self.spill.push_back(ev);
        }
    }

    fn pop(&mut self) -> Option<Event> {
        if self.len == 0 {
            return self.spill.pop_front();
        }
        let ev = self.inline[self.head].take();
        self.head = (self.head + 1) % Self::INLINE;
        self.len -= 1;
        ev
    }

    /// Frees the spill buffer if it holds nothing.
    fn release(&mut self) {
        if self.spill.is_empty() {
            self.spill = VecDeque::new();
        }
    }
}

/// What processing one record produced.
enum Step {
    /// Nothing for the caller beyond queued output/events.
    Continue,
    /// Application data at `start..start+len` of the record payload.
    AppData { start: usize, len: usize },
}

/// A TLS 1.2 connection, client or server. See the module docs for the drive contract.
pub struct Connection {
    deframer: Deframer,
    joiner: HandshakeJoiner,
    pub(crate) core: Core,
    pub(crate) hs: HandshakeState,
    summary: Option<Arc<HandshakeSummary>>,
    /// The handshake completed and its buffers are still held: free them at the next
    /// [`Output::Idle`].
    release_when_idle: bool,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("state", &self.hs.name())
            .field("error", &self.core.error)
            .finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) fn new(core: Core, hs: HandshakeState) -> Self {
        let joiner = HandshakeJoiner::new(core.config.max_handshake_message);
        let mut deframer = Deframer::new();
        // A handshake's records are small, a resumed one's all of them: the 18 KiB buffer
        // waits for the first record that needs it.
        deframer.start_small();
        // Until the peer's ChangeCipherSpec, records are TLSPlaintext: a header announcing
        // more than 2^14 bytes (or our cap) is record_overflow at once (RFC 5246 6.2.1),
        // rather than a wait for a fragment that could never be accepted.
        apply_receive_limits(&core.record, &mut deframer);
        if core.config.keep_buffers {
            deframer.preallocate();
        }
        Self {
            deframer,
            joiner,
            core,
            hs,
            summary: None,
            release_when_idle: false,
        }
    }

    /// Feeds bytes received from the peer. Returns how many were taken: at most what fits in
    /// the receive buffer. Drain with [`poll_output`](Self::poll_output), then feed the rest.
    pub fn handle_input(&mut self, input: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        if self.core.peer_closed {
            // Nothing after close_notify is read.
            return Ok(input.len());
        }
        Ok(self.deframer.feed(input))
    }

    /// The free space of the receive buffer, to receive the peer's bytes straight into
    /// (a socket read, say) instead of copying them in with
    /// [`handle_input`](Self::handle_input): write up to its length, then report the count
    /// with [`input_received`](Self::input_received), then drain with
    /// [`poll_output`](Self::poll_output). It is empty when the buffer is full (drain
    /// first). It allocates the receive buffer if an idle connection had freed it (see
    /// the [module docs](self)), so call it when bytes are ready to be read rather than
    /// ahead of a blocking read, to keep idle connections small.
    ///
    /// ```
    /// # fn f(conn: &mut tls12::Connection, socket: &mut impl std::io::Read) -> Result<(), Box<dyn std::error::Error>> {
    /// let n = socket.read(conn.input_space()?)?;
    /// conn.input_received(n)?;
    /// # Ok(()) }
    /// ```
    pub fn input_space(&mut self) -> Result<&mut [u8], Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        Ok(self.deframer.spare())
    }

    /// Takes `n` bytes written at the start of [`input_space`](Self::input_space) as
    /// received. More than that space is [`Error::Api`] (and nothing is taken). After the
    /// peer's close_notify the bytes are discarded, as `handle_input` does.
    pub fn input_received(&mut self, n: usize) -> Result<(), Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        if self.core.peer_closed {
            return Ok(());
        }
        if n > self.deframer.spare().len() {
            return Err(Error::Api("input_received: more than input_space"));
        }
        self.deframer.commit(n);
        Ok(())
    }

    /// The transport reached end of stream. `Ok` if the peer closed cleanly with
    /// close_notify; otherwise [`Error::UnexpectedEof`] (the data may have been truncated).
    pub fn handle_eof(&mut self) -> Result<(), Error> {
        if self.core.peer_closed {
            return Ok(());
        }
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        self.core.record.stop_writing();
        Err(self.core.fail(Error::UnexpectedEof))
    }

    /// Queues application data. Before the handshake completes it is held (up to the
    /// configured bound) and sent once keys are ready; returns how many bytes were taken,
    /// which is less than `data.len()` only when that bound is reached.
    pub fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        if self.core.record.closing() {
            return Err(Error::Api("write after close"));
        }
        if !self.core.may_send_app_data {
            let room = self
                .core
                .config
                .max_early_plaintext
                .saturating_sub(self.core.early_plaintext.len());
            let n = room.min(data.len());
            self.core.early_plaintext.extend_from_slice(&data[..n]);
            return Ok(n);
        }
        match self.core.record.write(ContentType::APPLICATION_DATA, data) {
            Ok(()) => Ok(data.len()),
            Err(e) => Err(self.core.fail(e)),
        }
    }

    /// Encrypts application data straight into `out` (bypassing the internal queue): the
    /// zero-copy send path once the handshake is complete (or, with False Start, once our
    /// Finished is sent; before that it is [`Error::Api`]). Returns `(taken, written)`; takes
    /// as many whole records as fit. Anything queued by [`write`](Self::write) or the
    /// handshake must be drained with `poll_output` first.
    pub fn write_into(&mut self, data: &[u8], out: &mut [u8]) -> Result<(usize, usize), Error> {
        self.check_write_direct()?;
        self.core
            .record
            .seal_into(data, out)
            .map_err(|e| self.core.fail(e))
    }

    /// [`write_into`](Self::write_into), appending the records to `out`, which grows as
    /// needed (all of `data` is taken): no part of `out` is zeroed before it is written.
    #[cfg(feature = "tokio")]
    pub(crate) fn write_append(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        self.check_write_direct()?;
        self.core
            .record
            .seal_append(data, out)
            .map_err(|e| self.core.fail(e))
    }

    /// Whether application data may be sealed straight into the caller's buffer now.
    fn check_write_direct(&self) -> Result<(), Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        if self.core.record.closing() {
            return Err(Error::Api("write after close"));
        }
        if !self.core.may_send_app_data {
            return Err(Error::Api("write_into before the handshake completed"));
        }
        if self.core.record.pending() > 0 {
            return Err(Error::Api(
                "write_into with queued output: drain poll_output first",
            ));
        }
        Ok(())
    }

    /// Sends close_notify. Nothing more can be written afterwards.
    ///
    /// Nothing written is dropped: if data written before the handshake completed is
    /// still queued, close_notify is sent after it, once the handshake completes (until
    /// then [`wants_transmit`](Self::wants_transmit) shows only the handshake). If the
    /// peer's close_notify arrives first, the handshake cannot complete and that data
    /// cannot be sent: our close_notify then goes out at once.
    pub fn close(&mut self) -> Result<(), Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        if self.core.record.closing() {
            return Ok(());
        }
        // Wait for the handshake only if it can still complete: once the peer has closed,
        // the queued data can never be sent.
        if !self.core.may_send_app_data
            && !self.core.early_plaintext.is_empty()
            && !self.core.peer_closed
        {
            self.core.record.close_after_early_data();
            return Ok(());
        }
        let r = self.core.send_close_notify();
        r.map_err(|e| self.core.fail(e))
    }

    /// Keying material exporter (RFC 5705): fills `out` with
    /// `PRF(master_secret, label, client_random + server_random [+ context_length +
    /// context])` of this connection, once the handshake is complete.
    ///
    /// `context: None` and `Some(&[])` give different outputs, as the RFC requires. Fails
    /// with [`Error::Api`] before the handshake completes, for a context over 65,535 bytes,
    /// or for a label TLS itself uses. RFC 7627 section 5.4: without the extended master
    /// secret (`HandshakeSummary::extended_master_secret`), a resumed session's exporter
    /// values are not bound to this connection; require EMS where that matters.
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        let exporter = self.core.exporter.as_ref().ok_or(Error::Api(
            "export_keying_material before the handshake completed",
        ))?;
        exporter.export(self.core.config.provider.as_ref(), label, context, out)
    }

    /// Whether the handshake is still in progress: false from the input that completes it
    /// on (when writes are sent at once), even before its
    /// [`Event::HandshakeComplete`] is drained.
    pub fn is_handshaking(&self) -> bool {
        self.summary.is_none()
    }

    /// What the handshake negotiated, once it is complete.
    pub fn handshake_summary(&self) -> Option<&HandshakeSummary> {
        self.summary.as_deref()
    }

    /// Whether the peer has sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.core.peer_closed
    }

    /// The sticky error, if the connection has failed.
    pub fn error(&self) -> Option<&Error> {
        self.core.error.as_ref()
    }

    /// Whether bytes are waiting to be sent.
    pub fn wants_transmit(&self) -> bool {
        self.core.record.pending() > 0
    }

    /// Produces the next output. Call until [`Output::Idle`]. See the module docs.
    pub fn poll_output<'a>(&'a mut self, buf: &'a mut [u8]) -> Result<Output<'a>, Error> {
        loop {
            let pending = self.core.record.pending();
            if pending > 0 {
                if buf.is_empty() {
                    return Ok(Output::BufferTooSmall { needed: pending });
                }
                let n = self.core.record.drain_into(buf);
                return Ok(Output::Transmit(&buf[..n]));
            }
            if let Some(ev) = self.core.events.pop() {
                return Ok(Output::Event(ev));
            }
            if let Some(e) = &self.core.error {
                return Err(e.clone());
            }
            if self.core.peer_closed {
                return Ok(Output::Idle);
            }
            match self.process_next_record() {
                Ok(None) => {
                    self.release_handshake_buffers();
                    return Ok(Output::Idle);
                }
                Ok(Some(Step::Continue)) => continue,
                Ok(Some(Step::AppData { start, len })) => {
                    let payload = self.deframer.last_payload();
                    return Ok(Output::ApplicationData(&payload[start..start + len]));
                }
                Err(e) => {
                    self.core.fail(e);
                    continue;
                }
            }
        }
    }

    /// Frees the buffers that hold nothing now: the receive buffer (unless part of a record
    /// is in it), the send queue (once drained), the handshake reassembly buffer and the
    /// event queue. Returns whether the receive buffer is free afterwards.
    ///
    /// Call it when the transport has nothing to read (a read would block): a connection
    /// waiting for its peer then holds its keys and the handshake summary only, whatever it
    /// carried before (the receive buffer alone is 18 KiB). The next bytes fed or written
    /// allocate the buffers again, so do not call it between the records of a stream:
    /// keeping them is what makes records allocation-free. The streams (`tls12::tokio`,
    /// `Stream`, `StreamOwned`) call it when a read would block. With `keep_buffers`
    /// configured it frees nothing (and returns `false`).
    pub fn release_buffers(&mut self) -> bool {
        if self.core.config.keep_buffers {
            return false;
        }
        self.core.record.release_drained_queue();
        self.core.events.release();
        self.joiner.release();
        self.deframer.release()
    }

    /// Once the handshake is over and everything is drained, frees what only the handshake
    /// needed at that size: the outgoing bytes (a whole flight), the event queue, the
    /// handshake reassembly buffer and the receive buffer. An idle connection then holds
    /// only its keys and the handshake summary; the first application record allocates
    /// the receive (and, with `write`, the send) buffer again, once.
    fn release_handshake_buffers(&mut self) {
        if !self.release_when_idle || self.core.config.keep_buffers {
            return;
        }
        self.release_when_idle = false;
        self.release_buffers();
    }

    fn process_next_record(&mut self) -> Result<Option<Step>, Error> {
        let Some(rec) = self.deframer.next_record()? else {
            return Ok(None);
        };
        let header = rec.header;
        let core = &mut self.core;
        let base = rec.payload.as_ptr() as usize;
        let plain = core.record.open(header, rec.payload)?;
        match header.typ {
            ContentType::HANDSHAKE => {
                if plain.is_empty() {
                    return Err(
                        DecodeError::new("Handshake fragment", DecodeErrorKind::BadLength).into(),
                    );
                }
                core.record.reset_empty();
                // The whole messages of a record that starts a message are handled where
                // they are; only a message split over records goes through the joiner.
                let mut rest: &[u8] = plain;
                if self.joiner.is_empty() {
                    let whole = self.joiner.whole_prefix(rest)?;
                    let (mut msgs, tail) = rest
                        .split_at_checked(whole)
                        .ok_or(Error::internal("whole messages past the record"))?;
                    while let Some((hb, after)) = HandshakeBytes::split_first(msgs) {
                        handle_message(&mut self.hs, core, hb)?;
                        msgs = after;
                    }
                    rest = tail;
                }
                if !rest.is_empty() {
                    self.joiner.push(rest)?;
                    while let Some(hb) = self.joiner.pop()? {
                        handle_message(&mut self.hs, core, hb)?;
                    }
                }
                self.after_handshake_step();
                Ok(Some(Step::Continue))
            }
            ContentType::CHANGE_CIPHER_SPEC => {
                // Anything but the one byte 1 is unexpected_message rather than
                // decode_error, as OpenSSL and GnuTLS answer (and RFC 8446 section 5 has it).
                if crate::msgs::ChangeCipherSpec::decode(plain).is_err() {
                    return Err(Error::unexpected("malformed ChangeCipherSpec"));
                }
                if !self.joiner.is_empty() {
                    return Err(Error::unexpected(
                        "ChangeCipherSpec inside a fragmented handshake message",
                    ));
                }
                self.hs.handle(core, Input::ChangeCipherSpec)?;
                // TLSCiphertext from now on: up to 2^14 + 2048 bytes (RFC 5246 6.2.3), or
                // the negotiated limit plus the cipher's nonce and tag.
                apply_receive_limits(&core.record, &mut self.deframer);
                Ok(Some(Step::Continue))
            }
            ContentType::ALERT => {
                let alert = AlertMessage::decode(plain)?;
                crate::log::debug!("received {:?} alert {}", alert.level, alert.description);
                if alert.description == AlertDescription::CLOSE_NOTIFY {
                    core.peer_closed = true;
                    core.emit(Event::PeerClosed);
                    if core.record.take_close_after_early_data() {
                        // We closed with data queued for the end of a handshake that the
                        // peer has now given up: that data can never be sent, but our
                        // close_notify must not wait for it.
                        core.send_close_notify()?;
                    }
                    return Ok(Some(Step::Continue));
                }
                if alert.level == AlertLevel::WARNING {
                    core.record
                        .count_empty("too many warning alerts in a row")?;
                    core.emit(Event::AlertReceived(alert.description));
                    return Ok(Some(Step::Continue));
                }
                core.record.stop_writing();
                Err(Error::AlertReceived(alert.description))
            }
            ContentType::APPLICATION_DATA => {
                if !self.hs.can_receive_app_data() {
                    return Err(Error::unexpected(
                        "application data before the handshake completed",
                    ));
                }
                if !self.joiner.is_empty() {
                    return Err(Error::unexpected(
                        "application data inside a fragmented handshake message",
                    ));
                }
                if plain.is_empty() {
                    core.record.count_empty("too many empty records in a row")?;
                    return Ok(Some(Step::Continue));
                }
                core.record.reset_empty();
                let start = plain.as_ptr() as usize - base;
                Ok(Some(Step::AppData {
                    start,
                    len: plain.len(),
                }))
            }
            _ => Err(Error::unexpected("record of an unexpected content type")),
        }
    }

    fn after_handshake_step(&mut self) {
        apply_receive_limits(&self.core.record, &mut self.deframer);
        if self.core.record.is_version_negotiated() {
            // The version is negotiated: from now on only it (checked in
            // `check_record_version`), and no longer any {03,XX}.
            self.deframer.accept_any_minor_version(false);
        }
        if let Some(summary) = self.core.completed.take() {
            crate::log::debug!(
                "handshake complete: {:?}, group {:?}, signature {:?}, ALPN {:?}, \
                 extended master secret {}, resumed {}, server name {:?}",
                summary.suite,
                summary.group,
                summary.signature_scheme,
                summary
                    .alpn
                    .as_deref()
                    .map(alloc::string::String::from_utf8_lossy),
                summary.extended_master_secret,
                summary.resumed,
                summary.server_name
            );
            // Complete from here on (`is_handshaking`, `handshake_summary`), as writes are,
            // whether or not the event has been drained yet.
            self.summary = Some(summary.clone());
            self.release_when_idle = true;
            self.core.emit(Event::HandshakeComplete(summary));
        }
    }
}

/// One whole handshake message, to the state machine: its type checked against the
/// state before its body is decoded.
fn handle_message(
    hs: &mut HandshakeState,
    core: &mut Core,
    hb: HandshakeBytes<'_>,
) -> Result<(), Error> {
    // Order before content (RFC 5246 section 7.4): a type the state does not accept is
    // unexpected_message, whatever its body holds.
    if !hs.expects(hb.typ) {
        return Err(Error::unexpected("handshake message out of order"));
    }
    let input = Input::handshake(hb.typ, hb.body, hb.encoded, hs.kx_context())?;
    if let Input::Handshake { msg, .. } = &input {
        check_verify_data_len(msg)?;
    }
    crate::log::trace!("received {:?} ({} bytes)", hb.typ, hb.encoded.len());
    if core.config.message_events {
        if let Some(msg) = input.message() {
            core.emit(Event::HandshakeMessageReceived(Box::new(msg)));
        }
    }
    hs.handle(core, input)
}

/// Sizes the deframer for the records the peer may send from now on: the header check
/// (record_overflow) and the receive buffer.
fn apply_receive_limits(record: &RecordLayer, deframer: &mut Deframer) {
    deframer.set_max_fragment_len(record.max_incoming_fragment());
    deframer.set_capacity(record.receive_buffer_fragment());
}

/// verify_data is 12 bytes in every suite we implement (RFC 5246 7.4.9): a Finished of any
/// other length is malformed (decode_error, as OpenSSL has it), not merely wrong.
fn check_verify_data_len(msg: &HandshakeMessage) -> Result<(), Error> {
    match &msg.payload {
        HandshakePayload::Finished(vd) if vd.len() != 12 => {
            Err(DecodeError::new("Finished.verify_data", DecodeErrorKind::BadLength).into())
        }
        _ => Ok(()),
    }
}

/// A client connection. Derefs to [`Connection`] for the drive loop.
#[derive(Debug)]
pub struct ClientConnection(Connection);

impl ClientConnection {
    /// Starts a handshake with `server_name` (used for SNI and certificate verification).
    /// The ClientHello is queued at once: drain [`Connection::poll_output`] to send it.
    pub fn new(
        config: alloc::sync::Arc<crate::config::ClientConfig>,
        server_name: pki_types::ServerName<'static>,
    ) -> Result<Self, Error> {
        config.validate()?;
        let mut core = Core::new(SharedConfig::Client(config.clone()));
        let state = crate::handshake::client::State::start(config, server_name, &mut core)?;
        Ok(Self(Connection::new(core, HandshakeState::Client(state))))
    }
}

/// A server connection. Derefs to [`Connection`] for the drive loop.
#[derive(Debug)]
pub struct ServerConnection(Connection);

impl ServerConnection {
    /// A server connection awaiting a ClientHello.
    pub fn new(config: alloc::sync::Arc<crate::config::ServerConfig>) -> Result<Self, Error> {
        config.validate()?;
        let core = Core::new(SharedConfig::Server(config.clone()));
        let state = crate::handshake::server::State::new(config.clone());
        let mut conn = Connection::new(core, HandshakeState::Server(state));
        // RFC 5246 appendix E.1: the records of the first ClientHello may carry any {03,XX}
        // (a client that speaks a later version may put it there). Until ServerHello.
        conn.deframer.accept_any_minor_version(true);
        conn.joiner
            .set_max_client_hello_len(config.max_client_hello);
        Ok(Self(conn))
    }
}

macro_rules! deref_connection {
    ($t:ty) => {
        impl core::ops::Deref for $t {
            type Target = Connection;
            fn deref(&self) -> &Connection {
                &self.0
            }
        }
        impl core::ops::DerefMut for $t {
            fn deref_mut(&mut self) -> &mut Connection {
                &mut self.0
            }
        }
    };
}
deref_connection!(ClientConnection);
deref_connection!(ServerConnection);

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(n: u8) -> Event {
        Event::AlertReceived(AlertDescription(n))
    }

    #[test]
    fn events_come_out_in_order_inline_or_spilled() {
        let mut q = EventQueue::default();
        // More than the inline room, popped and pushed in between: one order throughout.
        for n in 0..6 {
            q.push(alert(n));
        }
        assert_eq!(q.pop(), Some(alert(0)));
        q.push(alert(6));
        assert!(!q.spill.is_empty(), "behind the spilled ones, not inline");
        for n in 1..7 {
            assert_eq!(q.pop(), Some(alert(n)));
        }
        assert_eq!(q.pop(), None);
        q.release();
        assert_eq!(q.spill.capacity(), 0);
        // A handshake's few events never allocate.
        for n in 0..EventQueue::INLINE as u8 {
            q.push(alert(n));
        }
        assert_eq!(q.spill.capacity(), 0);
        for n in 0..EventQueue::INLINE as u8 {
            assert_eq!(q.pop(), Some(alert(n)));
        }
        assert_eq!(q.pop(), None);
    }
}
