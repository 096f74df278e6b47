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
//!    many as fit into the connection's fixed receive buffer (one maximum-size record) and
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
//! once; after that no record allocates.
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
use crate::record::copy;
use crate::record::protect::{RecordOpener, RecordSealer};
use crate::record::{
    Deframer, HEADER_LEN, HandshakeJoiner, MAX_CIPHERTEXT, MAX_PLAINTEXT, RecordHeader, fragments,
};

/// The send buffer's first allocation: a server's first flight with a typical chain.
const INITIAL_TX: usize = 4096;

/// The most a sealed record adds to its plaintext besides the header: an explicit nonce
/// (8) and a tag (16).
const MAX_TAG_AND_NONCE: usize = 24;

/// How many empty records or warning alerts in a row we accept before giving up.
const MAX_EMPTY_RECORDS: u32 = 32;

/// Something the connection tells the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A handshake message was sent (only with `message_events` configured). The message
    /// type is `tls12::internal::msgs::HandshakeMessage`, outside the stable API: its field
    /// `typ` is a [`HandshakeType`](crate::enums::HandshakeType), the rest may change in any
    /// release.
    HandshakeMessageSent(HandshakeMessage),
    /// A handshake message was received (only with `message_events` configured); unstable
    /// like [`HandshakeMessageSent`](Self::HandshakeMessageSent).
    HandshakeMessageReceived(HandshakeMessage),
    /// We sent ChangeCipherSpec: from now on our records are encrypted.
    ChangeCipherSpecSent,
    /// The peer sent ChangeCipherSpec: from now on its records are encrypted.
    ChangeCipherSpecReceived,
    /// The handshake completed.
    HandshakeComplete(Box<HandshakeSummary>),
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

/// The state shared by both sides: record layer, outgoing bytes, events.
pub(crate) struct Core {
    pub(crate) config: SharedConfig,
    sealer: Option<RecordSealer>,
    opener: Option<RecordOpener>,
    pending_opener: Option<RecordOpener>,
    pending_sealer: Option<RecordSealer>,
    tx: Vec<u8>,
    tx_start: usize,
    events: VecDeque<Event>,
    early_plaintext: Vec<u8>,
    pub(crate) may_send_app_data: bool,
    peer_closed: bool,
    we_closed: bool,
    /// `close` was called while data written before the handshake completed was still
    /// queued: close_notify follows that data once the handshake completes.
    close_after_early_data: bool,
    error: Option<Error>,
    empty_in_a_row: u32,
    /// We already refused one renegotiation request.
    refused_renegotiation: bool,
    /// The record version we write (TLS 1.0 for an initial ClientHello, as is customary
    /// for compatibility, then TLS 1.2).
    pub(crate) record_version: ProtocolVersion,
    /// Once the version is negotiated, the only record version we accept.
    peer_record_version: Option<ProtocolVersion>,
    /// The handshake completed: the summary to report once the current record is
    /// processed.
    completed: Option<Box<HandshakeSummary>>,
    /// What RFC 5705 exporters derive from, once the handshake is complete.
    exporter: Option<Box<Exporter>>,
}

impl Core {
    pub(crate) fn new(config: SharedConfig) -> Self {
        Self {
            config,
            sealer: None,
            opener: None,
            pending_opener: None,
            pending_sealer: None,
            tx: Vec::new(),
            tx_start: 0,
            events: VecDeque::new(),
            early_plaintext: Vec::new(),
            may_send_app_data: false,
            peer_closed: false,
            we_closed: false,
            close_after_early_data: false,
            error: None,
            empty_in_a_row: 0,
            refused_renegotiation: false,
            record_version: ProtocolVersion::TLS12,
            peer_record_version: None,
            completed: None,
            exporter: None,
        }
    }

    fn emit(&mut self, ev: Event) {
        self.events.push_back(ev);
    }

    /// Writes close_notify; nothing may follow it.
    fn send_close_notify(&mut self) -> Result<(), Error> {
        crate::log::debug!("sending close_notify");
        let alert = AlertMessage::warning(AlertDescription::CLOSE_NOTIFY);
        self.early_plaintext.clear();
        let r = self.write_records(ContentType::ALERT, &alert.to_array());
        self.we_closed = true;
        r
    }

    /// `close` was called: nothing more may be written.
    fn closing(&self) -> bool {
        self.we_closed || self.close_after_early_data
    }

    /// Fragments `payload` into records (encrypting them once our ChangeCipherSpec is sent)
    /// and appends them to the outgoing bytes.
    /// Nothing is written after our close_notify (or a fatal alert): a handshake that goes
    /// on after `close` sends nothing more.
    fn write_records(&mut self, typ: ContentType, payload: &[u8]) -> Result<(), Error> {
        if self.we_closed {
            return Ok(());
        }
        let max = self.config.max_fragment_len;
        for (header, chunk) in fragments(typ, self.record_version, payload, max) {
            self.write_one_record(header, chunk)?;
        }
        Ok(())
    }

    /// Appends one record: `header` and `chunk` as they are before our ChangeCipherSpec,
    /// sealed (with the header's type and version) after it.
    fn write_one_record(&mut self, header: RecordHeader, chunk: &[u8]) -> Result<(), Error> {
        if self.tx_start == self.tx.len() {
            self.tx.clear();
            self.tx_start = 0;
        }
        if self.tx.capacity() == 0 {
            // Room for a whole handshake flight (or this record) at once, rather than a
            // string of doubling reallocations.
            self.tx
                .reserve((HEADER_LEN + MAX_TAG_AND_NONCE + chunk.len()).max(INITIAL_TX));
        }
        match &mut self.sealer {
            None => {
                self.tx.extend_from_slice(&header.to_array());
                self.tx.extend_from_slice(chunk);
            }
            Some(sealer) => {
                // Header and explicit nonce, the plaintext, room for the tag: written once
                // each (no zeroing of the payload area first), then sealed in place.
                let start = self.tx.len();
                let total = HEADER_LEN + sealer.overhead() + chunk.len();
                self.tx.resize(start + sealer.payload_offset(), 0);
                copy::extend(&mut self.tx, chunk);
                self.tx.resize(start + total, 0);
                let n = sealer.seal_in_place(
                    header.typ,
                    header.version,
                    &mut self.tx[start..],
                    chunk.len(),
                )?;
                debug_assert_eq!(n, total);
            }
        }
        Ok(())
    }

    fn tx_pending(&self) -> usize {
        self.tx.len() - self.tx_start
    }

    /// Records a fatal error: queue its alert (if any) and make it sticky.
    pub(crate) fn fail(&mut self, e: Error) -> Error {
        if let Some(prev) = &self.error {
            return prev.clone();
        }
        crate::log::warning!("connection failed: {e}");
        if let Some(desc) = e.alert() {
            if !self.we_closed {
                crate::log::debug!("sending fatal alert {desc}");
                let alert = AlertMessage {
                    level: AlertLevel::FATAL,
                    description: desc,
                };
                // Sealing can only fail on sequence exhaustion; then no alert can be sent.
                let _ = self.write_records(ContentType::ALERT, &alert.to_array());
                self.we_closed = true;
            }
        }
        self.early_plaintext.clear();
        self.error = Some(e.clone());
        e
    }

    fn check_record_version(&mut self, version: ProtocolVersion) -> Result<(), Error> {
        match self.peer_record_version {
            Some(v) if v != version => Err(Error::peer(
                "record version changed after negotiation",
                AlertDescription::PROTOCOL_VERSION,
            )),
            _ => Ok(()),
        }
    }
}

/// The connection's side of the seam: what the handshake asks for, done on the record
/// layer (records, the send queue, events, the close and renegotiation policy).
impl handshake::Output for Core {
    /// Encodes and sends a handshake message, returning its encoding (for the transcript).
    fn send(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error> {
        let typ = msg.typ;
        // The message is kept only for its event; otherwise its raw body (if it has one)
        // becomes the encoding, without a copy.
        let (bytes, event) = if self.config.message_events {
            (msg.to_bytes()?, Some(msg))
        } else {
            (msg.into_bytes()?, None)
        };
        crate::log::trace!("sending {:?} ({} bytes)", typ, bytes.len());
        self.write_records(ContentType::HANDSHAKE, &bytes)?;
        if let Some(msg) = event {
            self.emit(Event::HandshakeMessageSent(msg));
        }
        Ok(bytes)
    }

    /// The first record goes out as TLS 1.0 for the benefit of old middleboxes and
    /// servers, as OpenSSL and browsers do.
    fn send_client_hello(&mut self, msg: HandshakeMessage) -> Result<Vec<u8>, Error> {
        self.record_version = ProtocolVersion::TLS10;
        let r = self.send(msg);
        self.record_version = ProtocolVersion::TLS12;
        r
    }

    fn version_negotiated(&mut self) {
        self.peer_record_version = Some(ProtocolVersion::TLS12);
    }

    /// Keys to switch to when we send ChangeCipherSpec / when the peer's arrives.
    fn install_keys(&mut self, sealer: RecordSealer, opener: RecordOpener) {
        self.pending_sealer = Some(sealer);
        self.pending_opener = Some(opener);
    }

    /// Sends ChangeCipherSpec and switches our writes to the pending keys.
    fn send_ccs(&mut self) -> Result<(), Error> {
        self.write_records(ContentType::CHANGE_CIPHER_SPEC, &[1])?;
        self.sealer = Some(
            self.pending_sealer
                .take()
                .ok_or(Error::internal("no pending write keys"))?,
        );
        self.emit(Event::ChangeCipherSpecSent);
        Ok(())
    }

    /// The peer's ChangeCipherSpec arrived: switch its reads to the pending keys.
    fn peer_ccs(&mut self) -> Result<(), Error> {
        self.opener = Some(
            self.pending_opener
                .take()
                .ok_or(Error::internal("no pending read keys"))?,
        );
        self.emit(Event::ChangeCipherSpecReceived);
        Ok(())
    }

    /// The handshake is over (or False Start allows data): flush queued plaintext.
    fn start_app_data(&mut self) -> Result<(), Error> {
        self.may_send_app_data = true;
        let queued = core::mem::take(&mut self.early_plaintext);
        if !queued.is_empty() {
            self.write_records(ContentType::APPLICATION_DATA, &queued)?;
        }
        if core::mem::take(&mut self.close_after_early_data) {
            self.send_close_notify()?;
        }
        Ok(())
    }

    /// We do not renegotiate: the first request is refused with a no_renegotiation alert,
    /// which "is always a warning" (RFC 5246 7.2.2), and the connection goes on; another
    /// request after that is fatal.
    fn refuse_renegotiation(&mut self) -> Result<(), Error> {
        if self.refused_renegotiation {
            return Err(Error::unexpected(
                "renegotiation requested again after a refusal",
            ));
        }
        crate::log::debug!("refusing renegotiation (no_renegotiation warning)");
        self.refused_renegotiation = true;
        if self.we_closed {
            // Nothing may follow our close_notify.
            return Ok(());
        }
        let alert = AlertMessage {
            level: AlertLevel::WARNING,
            description: AlertDescription::NO_RENEGOTIATION,
        };
        self.write_records(ContentType::ALERT, &alert.to_array())
    }

    /// Kept until the record that completed the handshake is processed, then reported as
    /// [`Event::HandshakeComplete`].
    fn complete(&mut self, summary: Box<HandshakeSummary>, exporter: Box<Exporter>) {
        self.exporter = Some(exporter);
        self.completed = Some(summary);
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
    summary: Option<Box<HandshakeSummary>>,
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
        // Until the peer's ChangeCipherSpec, records are TLSPlaintext: a header announcing
        // more than 2^14 bytes is record_overflow at once (RFC 5246 6.2.1), rather than a
        // wait for a fragment that could never be accepted.
        deframer.set_max_fragment_len(MAX_PLAINTEXT);
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
        self.core.we_closed = true;
        Err(self.core.fail(Error::UnexpectedEof))
    }

    /// Queues application data. Before the handshake completes it is held (up to the
    /// configured bound) and sent once keys are ready; returns how many bytes were taken,
    /// which is less than `data.len()` only when that bound is reached.
    pub fn write(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        if self.core.closing() {
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
        match self.core.write_records(ContentType::APPLICATION_DATA, data) {
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
        if let Some(e) = &self.core.error {
            return Err(e.clone());
        }
        if self.core.closing() {
            return Err(Error::Api("write after close"));
        }
        if !self.core.may_send_app_data {
            return Err(Error::Api("write_into before the handshake completed"));
        }
        if self.core.tx_pending() > 0 {
            return Err(Error::Api(
                "write_into with queued output: drain poll_output first",
            ));
        }
        let version = self.core.record_version;
        let max = self.core.config.max_fragment_len;
        let sealer = self
            .core
            .sealer
            .as_mut()
            .ok_or(Error::internal("no write keys"))?;
        let overhead = HEADER_LEN + sealer.overhead();
        let at = sealer.payload_offset();
        let (mut taken, mut written) = (0, 0);
        for chunk in data.chunks(max) {
            let total = overhead + chunk.len();
            let Some(dst) = out.get_mut(written..written + total) else {
                break;
            };
            copy::copy(&mut dst[at..at + chunk.len()], chunk);
            match sealer.seal_in_place(ContentType::APPLICATION_DATA, version, dst, chunk.len()) {
                Ok(n) => written += n,
                Err(e) => return Err(self.core.fail(e)),
            }
            taken += chunk.len();
        }
        Ok((taken, written))
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
        if self.core.closing() {
            return Ok(());
        }
        // Wait for the handshake only if it can still complete: once the peer has closed,
        // the queued data can never be sent.
        if !self.core.may_send_app_data
            && !self.core.early_plaintext.is_empty()
            && !self.core.peer_closed
        {
            self.core.close_after_early_data = true;
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
        let exporter = self.core.exporter.as_deref().ok_or(Error::Api(
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
        self.core.tx_pending() > 0
    }

    /// Produces the next output. Call until [`Output::Idle`]. See the module docs.
    pub fn poll_output<'a>(&'a mut self, buf: &'a mut [u8]) -> Result<Output<'a>, Error> {
        loop {
            let pending = self.core.tx_pending();
            if pending > 0 {
                if buf.is_empty() {
                    return Ok(Output::BufferTooSmall { needed: pending });
                }
                let n = pending.min(buf.len());
                copy::copy(
                    &mut buf[..n],
                    &self.core.tx[self.core.tx_start..self.core.tx_start + n],
                );
                self.core.tx_start += n;
                return Ok(Output::Transmit(&buf[..n]));
            }
            if let Some(ev) = self.core.events.pop_front() {
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
        debug_assert_eq!(self.core.tx_pending(), 0);
        self.core.tx = Vec::new();
        self.core.tx_start = 0;
        self.core.events = VecDeque::new();
        self.joiner.release();
        self.deframer.release();
    }

    fn process_next_record(&mut self) -> Result<Option<Step>, Error> {
        let Some(rec) = self.deframer.next_record()? else {
            return Ok(None);
        };
        let header = rec.header;
        let core = &mut self.core;
        core.check_record_version(header.version)?;
        let base = rec.payload.as_ptr() as usize;
        let plain: &mut [u8] = match &mut core.opener {
            Some(opener) => opener.open_in_place(header.typ, header.version, rec.payload)?,
            None => {
                if rec.payload.len() > MAX_PLAINTEXT {
                    return Err(
                        DecodeError::new("TLSPlaintext.length", DecodeErrorKind::TooLarge).into(),
                    );
                }
                rec.payload
            }
        };
        match header.typ {
            ContentType::HANDSHAKE => {
                if plain.is_empty() {
                    return Err(
                        DecodeError::new("Handshake fragment", DecodeErrorKind::BadLength).into(),
                    );
                }
                core.empty_in_a_row = 0;
                self.joiner.push(plain)?;
                while let Some(hb) = self.joiner.pop()? {
                    // Order before content (RFC 5246 section 7.4): a type the state does not
                    // accept is unexpected_message, whatever its body holds.
                    if !self.hs.expects(hb.typ) {
                        return Err(Error::unexpected("handshake message out of order"));
                    }
                    let payload =
                        HandshakePayload::decode_body(hb.typ, hb.body, self.hs.kx_context())?;
                    let msg = HandshakeMessage {
                        typ: hb.typ,
                        payload,
                    };
                    check_verify_data_len(&msg)?;
                    crate::log::trace!("received {:?} ({} bytes)", msg.typ, hb.encoded.len());
                    if core.config.message_events {
                        core.emit(Event::HandshakeMessageReceived(msg.clone()));
                    }
                    self.hs.handle(
                        core,
                        Input::Handshake {
                            msg,
                            encoded: hb.encoded,
                        },
                    )?;
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
                if core.opener.is_some() {
                    // TLSCiphertext from now on: up to 2^14 + 2048 bytes (RFC 5246 6.2.3).
                    self.deframer.set_max_fragment_len(MAX_CIPHERTEXT);
                }
                Ok(Some(Step::Continue))
            }
            ContentType::ALERT => {
                let alert = AlertMessage::decode(plain)?;
                crate::log::debug!("received {:?} alert {}", alert.level, alert.description);
                if alert.description == AlertDescription::CLOSE_NOTIFY {
                    core.peer_closed = true;
                    core.emit(Event::PeerClosed);
                    if core::mem::take(&mut core.close_after_early_data) {
                        // We closed with data queued for the end of a handshake that the
                        // peer has now given up: that data can never be sent, but our
                        // close_notify must not wait for it.
                        core.send_close_notify()?;
                    }
                    return Ok(Some(Step::Continue));
                }
                if alert.level == AlertLevel::WARNING {
                    core.empty_in_a_row += 1;
                    if core.empty_in_a_row > MAX_EMPTY_RECORDS {
                        return Err(Error::unexpected("too many warning alerts in a row"));
                    }
                    core.emit(Event::AlertReceived(alert.description));
                    return Ok(Some(Step::Continue));
                }
                core.we_closed = true;
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
                    core.empty_in_a_row += 1;
                    if core.empty_in_a_row > MAX_EMPTY_RECORDS {
                        return Err(Error::unexpected("too many empty records in a row"));
                    }
                    return Ok(Some(Step::Continue));
                }
                core.empty_in_a_row = 0;
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
        if self.core.peer_record_version.is_some() {
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
