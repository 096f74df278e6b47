//! The record layer's state for one connection: the keys of each direction and their
//! pending switch at ChangeCipherSpec, the queue of records to send, the record versions,
//! the close policy, the count of empty records and warnings, and the renegotiation policy.
//!
//! The connection (`conn::Core`) owns one [`RecordLayer`] and applies what the handshake
//! asks for through it; the receive side's buffers (the deframer, the handshake joiner)
//! stay in the connection, which hands each record to [`RecordLayer::open`].

use alloc::vec::Vec;

use super::copy;
use super::limits::RecordLimits;
use super::protect::{RecordOpener, RecordSealer};
use super::{HEADER_LEN, MAX_CIPHERTEXT, MAX_PLAINTEXT, RecordHeader, fragments};
use crate::codec::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::error::{DecodeError, DecodeErrorKind, Error};
use crate::msgs::AlertMessage;

/// The send queue's first allocation: 1 KiB, which the allocator serves from its fast
/// per-thread cache. A resumed handshake's flight fits; a full one's certificate chain grows
/// it (doubling, as a `Vec` does).
const INITIAL_TX: usize = 1024;

/// The most a sealed record adds to its plaintext besides the header: an explicit nonce
/// (8) and a tag (16).
pub(crate) const MAX_TAG_AND_NONCE: usize = 24;

/// How many empty records or warning alerts in a row we accept before giving up.
pub(crate) const MAX_EMPTY_RECORDS: u32 = 32;

/// One connection's record layer. See the [module docs](self).
///
/// Writing: [`write`](Self::write) fragments a payload into records of at most the
/// configured fragment length and queues them, sealed once our ChangeCipherSpec is sent;
/// the connection drains the queue with [`drain_into`](Self::drain_into). Nothing is
/// queued after our close_notify or fatal alert.
///
/// Reading: [`open`](Self::open) checks a record's version and size and decrypts it in
/// place once the peer's ChangeCipherSpec has arrived.
///
/// Sizes: records carry at most 2^14 bytes of plaintext (and at most the configured
/// fragment length when we write), until the hello exchange negotiates smaller ones
/// ([`set_limits`](Self::set_limits), see [`super::limits`]); with a receive cap, every
/// record received must fit it from the first.
pub(crate) struct RecordLayer {
    sealer: Option<RecordSealer>,
    opener: Option<RecordOpener>,
    /// Keys the handshake derived: ours take effect when we send ChangeCipherSpec.
    pending_sealer: Option<RecordSealer>,
    /// ... and the peer's when its ChangeCipherSpec arrives.
    pending_opener: Option<RecordOpener>,
    /// Records to send; `tx[tx_start..]` is not drained yet.
    tx: Vec<u8>,
    tx_start: usize,
    /// The largest plaintext fragment we write: the configured one, lowered by `limits`.
    max_fragment: usize,
    /// The configured largest fragment we write.
    configured_fragment: usize,
    /// What the hello exchange negotiated.
    limits: RecordLimits,
    /// The most plaintext we accept in any record, from the start (our own limit, when
    /// the receive buffer is sized for it up front).
    receive_cap: Option<usize>,
    /// The record version we write (TLS 1.0 for an initial ClientHello, as is customary
    /// for compatibility, then TLS 1.2).
    write_version: ProtocolVersion,
    /// Once the version is negotiated, the only record version we accept.
    read_version: Option<ProtocolVersion>,
    /// Our close_notify (or a fatal alert) is written: nothing may follow it.
    we_closed: bool,
    /// `close` was called while data written before the handshake completed was still
    /// queued: close_notify follows that data once the handshake completes.
    close_after_early_data: bool,
    /// Empty records and warning alerts in a row.
    empty_in_a_row: u32,
    /// We already refused one renegotiation request.
    refused_renegotiation: bool,
}

impl RecordLayer {
    /// A record layer that writes plaintext fragments of at most `max_fragment` bytes
    /// (clamped to `1..=2^14`), with no keys yet. With `receive_cap`, no record received
    /// may carry more plaintext than that, from the first.
    pub(crate) fn new(max_fragment: usize, receive_cap: Option<usize>) -> Self {
        let max_fragment = max_fragment.clamp(1, MAX_PLAINTEXT);
        Self {
            sealer: None,
            opener: None,
            pending_sealer: None,
            pending_opener: None,
            tx: Vec::new(),
            tx_start: 0,
            max_fragment,
            configured_fragment: max_fragment,
            limits: RecordLimits::default(),
            receive_cap: receive_cap.map(|c| c.clamp(1, MAX_PLAINTEXT)),
            write_version: ProtocolVersion::TLS12,
            read_version: None,
            we_closed: false,
            close_after_early_data: false,
            empty_in_a_row: 0,
            refused_renegotiation: false,
        }
    }

    // --- Writing ---

    /// Fragments `payload` into records (encrypted once our ChangeCipherSpec is sent) and
    /// queues them. Nothing is written after our close_notify (or a fatal alert): a
    /// handshake that goes on after `close` sends nothing more.
    pub(crate) fn write(&mut self, typ: ContentType, payload: &[u8]) -> Result<(), Error> {
        if self.we_closed {
            return Ok(());
        }
        for (header, chunk) in fragments(typ, self.write_version, payload, self.max_fragment) {
            self.write_one(header, chunk)?;
        }
        Ok(())
    }

    /// [`write`](Self::write) with the records' version set to `version` (the initial
    /// ClientHello's TLS 1.0); later records go out with the usual one.
    pub(crate) fn write_with_version(
        &mut self,
        version: ProtocolVersion,
        typ: ContentType,
        payload: &[u8],
    ) -> Result<(), Error> {
        let usual = core::mem::replace(&mut self.write_version, version);
        let r = self.write(typ, payload);
        self.write_version = usual;
        r
    }

    /// Queues one record: `header` and `chunk` as they are before our ChangeCipherSpec,
    /// sealed (with the header's type and version) after it.
    fn write_one(&mut self, header: RecordHeader, chunk: &[u8]) -> Result<(), Error> {
        if self.tx_start == self.tx.len() {
            self.tx.clear();
            self.tx_start = 0;
        }
        if self.tx.capacity() == 0 {
            // Room for a whole handshake flight (or this record) at once, rather than a
            // string of doubling reallocations; once records are negotiated smaller, room
            // for one if that is less.
            let first = if self.limits.is_negotiated() {
                INITIAL_TX.min(HEADER_LEN + MAX_TAG_AND_NONCE + self.max_fragment)
            } else {
                INITIAL_TX
            };
            self.tx
                .reserve((HEADER_LEN + MAX_TAG_AND_NONCE + chunk.len()).max(first));
        }
        match &mut self.sealer {
            None => {
                self.tx.extend_from_slice(&header.to_array());
                self.tx.extend_from_slice(chunk);
            }
            Some(sealer) => append_sealed(sealer, header, chunk, &mut self.tx)?,
        }
        Ok(())
    }

    /// Seals application data into records appended to `out` (which grows as needed),
    /// bypassing the queue (which must be empty: the caller checks). Takes all of `data`.
    #[cfg(feature = "tokio")]
    pub(crate) fn seal_append(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let version = self.write_version;
        let sealer = self
            .sealer
            .as_mut()
            .ok_or(Error::internal("no write keys"))?;
        let overhead = HEADER_LEN + sealer.overhead();
        out.reserve(data.len() + data.len().div_ceil(self.max_fragment) * overhead);
        for chunk in data.chunks(self.max_fragment) {
            let header = RecordHeader {
                typ: ContentType::APPLICATION_DATA,
                version,
                len: 0,
            };
            append_sealed(sealer, header, chunk, out)?;
        }
        Ok(())
    }

    /// Seals application data straight into `out` as whole records, bypassing the queue
    /// (which must be empty: the caller checks). Returns `(taken, written)`: as many whole
    /// records as fit.
    pub(crate) fn seal_into(
        &mut self,
        data: &[u8],
        out: &mut [u8],
    ) -> Result<(usize, usize), Error> {
        let version = self.write_version;
        let sealer = self
            .sealer
            .as_mut()
            .ok_or(Error::internal("no write keys"))?;
        let overhead = HEADER_LEN + sealer.overhead();
        let at = sealer.payload_offset();
        let (mut taken, mut written) = (0, 0);
        for chunk in data.chunks(self.max_fragment) {
            let total = overhead + chunk.len();
            let Some(dst) = out.get_mut(written..written + total) else {
                break;
            };
            copy::copy(&mut dst[at..at + chunk.len()], chunk);
            written +=
                sealer.seal_in_place(ContentType::APPLICATION_DATA, version, dst, chunk.len())?;
            taken += chunk.len();
        }
        Ok((taken, written))
    }

    /// How many queued bytes are waiting to be drained.
    pub(crate) fn pending(&self) -> usize {
        self.tx.len() - self.tx_start
    }

    /// Moves up to `buf.len()` queued bytes into `buf`; returns how many.
    pub(crate) fn drain_into(&mut self, buf: &mut [u8]) -> usize {
        let n = self.pending().min(buf.len());
        copy::copy(&mut buf[..n], &self.tx[self.tx_start..self.tx_start + n]);
        self.tx_start += n;
        n
    }

    /// Frees the send queue's buffer if it is drained, and says whether it did (or it was
    /// already free); the next write allocates it again.
    pub(crate) fn release_drained_queue(&mut self) -> bool {
        if self.pending() > 0 {
            return false;
        }
        self.tx = Vec::new();
        self.tx_start = 0;
        true
    }

    // --- Sizes ---

    /// What the hello exchange negotiated (RFC 6066 max_fragment_length, RFC 8449
    /// record_size_limit): applies to the records written from now on and to those
    /// received from the next one on.
    pub(crate) fn set_limits(&mut self, limits: RecordLimits) {
        self.limits = limits;
        self.max_fragment = self.configured_fragment.min(limits.send());
    }

    /// The largest plaintext we write in a record now.
    #[cfg(test)]
    pub(crate) fn max_fragment(&self) -> usize {
        self.max_fragment
    }

    /// Whether the peer's records are limited below the protocol's 2^14 bytes (by a
    /// negotiated limit or our cap), before or after its ChangeCipherSpec.
    fn is_limited(&self) -> bool {
        self.receive_limit(false) < MAX_PLAINTEXT || self.receive_limit(true) < MAX_PLAINTEXT
    }

    /// The most plaintext the peer may put in a record now (protected or not).
    fn receive_limit(&self, protected: bool) -> usize {
        let negotiated = self.limits.receive(protected);
        self.receive_cap
            .map_or(negotiated, |cap| negotiated.min(cap))
    }

    /// The largest record fragment (what the header's length counts) to accept now: 2^14
    /// before the peer's ChangeCipherSpec and 2^14 + 2048 after it (RFC 5246 6.2), or
    /// exactly the negotiated plaintext (plus the cipher's nonce and tag) once records are
    /// limited: anything longer could only carry too much plaintext (record_overflow).
    pub(crate) fn max_incoming_fragment(&self) -> usize {
        match &self.opener {
            Some(o) if self.is_limited() => self.receive_limit(true) + o.overhead(),
            Some(_) => MAX_CIPHERTEXT,
            None => self.receive_limit(false),
        }
    }

    /// How large a fragment the receive buffer needs to hold for the records still to
    /// come: a maximum-size ciphertext unless records are limited; then the largest the
    /// peer may send now or after its ChangeCipherSpec, protected records counted with
    /// the largest nonce and tag of any cipher (24 bytes), not this one's: the buffer then
    /// keeps its size across the ChangeCipherSpec, where a cipher that adds less (CCM_8,
    /// ChaCha20-Poly1305: 16 bytes) would shrink it at the first application record, an
    /// allocation after the handshake.
    pub(crate) fn receive_buffer_fragment(&self) -> usize {
        if !self.is_limited() {
            return MAX_CIPHERTEXT;
        }
        let protected = self.receive_limit(true) + MAX_TAG_AND_NONCE;
        match &self.opener {
            Some(_) => protected,
            None => self.receive_limit(false).max(protected),
        }
    }

    // --- Keys ---

    /// The keys the handshake derived: ours take effect at [`send_ccs`](Self::send_ccs),
    /// the peer's at [`peer_ccs`](Self::peer_ccs).
    pub(crate) fn install_keys(&mut self, sealer: RecordSealer, opener: RecordOpener) {
        self.pending_sealer = Some(sealer);
        self.pending_opener = Some(opener);
    }

    /// Sends ChangeCipherSpec and switches our writes to the pending keys.
    pub(crate) fn send_ccs(&mut self) -> Result<(), Error> {
        self.write(ContentType::CHANGE_CIPHER_SPEC, &[1])?;
        self.sealer = Some(
            self.pending_sealer
                .take()
                .ok_or(Error::internal("no pending write keys"))?,
        );
        Ok(())
    }

    /// The peer's ChangeCipherSpec arrived: its records are opened with the pending keys
    /// from here on.
    pub(crate) fn peer_ccs(&mut self) -> Result<(), Error> {
        self.opener = Some(
            self.pending_opener
                .take()
                .ok_or(Error::internal("no pending read keys"))?,
        );
        Ok(())
    }

    /// Whether the peer's records are protected (its ChangeCipherSpec has arrived).
    #[cfg(test)]
    pub(crate) fn reads_protected(&self) -> bool {
        self.opener.is_some()
    }

    // --- Reading ---

    /// The version is negotiated (TLS 1.2): from now on the peer's records carry only it.
    pub(crate) fn version_negotiated(&mut self) {
        self.read_version = Some(ProtocolVersion::TLS12);
    }

    /// Whether the record version is negotiated (and only it is accepted).
    pub(crate) fn is_version_negotiated(&self) -> bool {
        self.read_version.is_some()
    }

    /// Checks a received record's version: once negotiated, any other is protocol_version.
    pub(crate) fn check_version(&self, version: ProtocolVersion) -> Result<(), Error> {
        match self.read_version {
            Some(v) if v != version => Err(Error::peer(
                "record version changed after negotiation",
                AlertDescription::PROTOCOL_VERSION,
            )),
            _ => Ok(()),
        }
    }

    /// Checks a received record (its version) and returns its plaintext: decrypted in
    /// place once the peer's ChangeCipherSpec has arrived, as it is before. A plaintext
    /// over 2^14 bytes, or over the negotiated limit, is record_overflow.
    pub(crate) fn open<'a>(
        &mut self,
        header: RecordHeader,
        payload: &'a mut [u8],
    ) -> Result<&'a mut [u8], Error> {
        self.check_version(header.version)?;
        let limit = self.receive_limit(self.opener.is_some());
        let plain = match &mut self.opener {
            Some(opener) => opener.open_in_place(header.typ, header.version, payload)?,
            None => payload,
        };
        if plain.len() > limit {
            let field = if self.opener.is_some() {
                "TLSPlaintext.fragment"
            } else {
                "TLSPlaintext.length"
            };
            return Err(DecodeError::new(field, DecodeErrorKind::TooLarge).into());
        }
        Ok(plain)
    }

    /// Counts an empty record or a warning alert; more than [`MAX_EMPTY_RECORDS`] in a row
    /// is unexpected_message (`what` says which).
    pub(crate) fn count_empty(&mut self, what: &'static str) -> Result<(), Error> {
        self.empty_in_a_row += 1;
        if self.empty_in_a_row > MAX_EMPTY_RECORDS {
            return Err(Error::unexpected(what));
        }
        Ok(())
    }

    /// A record with content arrived: the count of empty ones starts again.
    pub(crate) fn reset_empty(&mut self) {
        self.empty_in_a_row = 0;
    }

    // --- Closing ---

    /// Writes close_notify; nothing may follow it.
    pub(crate) fn send_close_notify(&mut self) -> Result<(), Error> {
        crate::log::debug!("sending close_notify");
        let alert = AlertMessage::warning(AlertDescription::CLOSE_NOTIFY);
        let r = self.write(ContentType::ALERT, &alert.to_array());
        self.we_closed = true;
        r
    }

    /// Writes a fatal alert, unless our close_notify (or another fatal alert) went first;
    /// nothing may follow it.
    pub(crate) fn send_fatal_alert(&mut self, description: AlertDescription) {
        if self.we_closed {
            return;
        }
        crate::log::debug!("sending fatal alert {description}");
        let alert = AlertMessage {
            level: AlertLevel::FATAL,
            description,
        };
        // Sealing can only fail on sequence exhaustion; then no alert can be sent.
        let _ = self.write(ContentType::ALERT, &alert.to_array());
        self.we_closed = true;
    }

    /// Nothing more is to be written (the transport ended, or the peer sent a fatal
    /// alert).
    pub(crate) fn stop_writing(&mut self) {
        self.we_closed = true;
    }

    /// `close` was called: nothing more may be written by the application.
    pub(crate) fn closing(&self) -> bool {
        self.we_closed || self.close_after_early_data
    }

    /// `close` was called with data queued for the end of the handshake: close_notify is
    /// to follow that data.
    pub(crate) fn close_after_early_data(&mut self) {
        self.close_after_early_data = true;
    }

    /// Whether a close was waiting for the early data; clears it.
    pub(crate) fn take_close_after_early_data(&mut self) -> bool {
        core::mem::take(&mut self.close_after_early_data)
    }

    // --- Renegotiation ---

    /// We do not renegotiate: the first request is refused with a no_renegotiation alert,
    /// which "is always a warning" (RFC 5246 7.2.2), and the connection goes on; another
    /// request after that is fatal (unexpected_message).
    pub(crate) fn refuse_renegotiation(&mut self) -> Result<(), Error> {
        if self.refused_renegotiation {
            return Err(Error::unexpected(
                "renegotiation requested again after a refusal",
            ));
        }
        crate::log::debug!("refusing renegotiation (no_renegotiation warning)");
        self.refused_renegotiation = true;
        // Nothing may follow our close_notify: `write` sends nothing then.
        let alert = AlertMessage {
            level: AlertLevel::WARNING,
            description: AlertDescription::NO_RENEGOTIATION,
        };
        self.write(ContentType::ALERT, &alert.to_array())
    }
}

/// Appends `chunk` to `out` as one record of `header`'s type and version, sealed: header
/// and explicit nonce, the plaintext, room for the tag, each written once (no zeroing of
/// the payload area first), then sealed in place.
fn append_sealed(
    sealer: &mut RecordSealer,
    header: RecordHeader,
    chunk: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let start = out.len();
    let total = HEADER_LEN + sealer.overhead() + chunk.len();
    out.resize(start + sealer.payload_offset(), 0);
    copy::extend(out, chunk);
    out.resize(start + total, 0);
    let sealed = sealer.seal_in_place(header.typ, header.version, &mut out[start..], chunk.len());
    match sealed {
        Ok(n) => {
            debug_assert_eq!(n, total);
            out.truncate(start + n);
            Ok(())
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ring::RingProvider;
    use crate::crypto::{AeadAlgorithm, CryptoProvider};
    use crate::record::Deframer;
    use alloc::vec;

    const AD: ContentType = ContentType::APPLICATION_DATA;

    fn keys(byte: u8) -> (RecordSealer, RecordOpener) {
        let aead = RingProvider.aead(AeadAlgorithm::Aes128Gcm).unwrap();
        let (key, iv) = ([byte; 16], [byte; 4]);
        (
            RecordSealer::new(aead, &key, &iv).unwrap(),
            RecordOpener::new(aead, &key, &iv).unwrap(),
        )
    }

    /// Everything queued, drained.
    fn drain(rl: &mut RecordLayer) -> Vec<u8> {
        let mut buf = vec![0u8; rl.pending()];
        let n = rl.drain_into(&mut buf);
        assert_eq!(n, buf.len());
        assert_eq!(rl.pending(), 0);
        buf
    }

    /// The records in `bytes`: (header, payload).
    fn records(bytes: &[u8]) -> Vec<(RecordHeader, Vec<u8>)> {
        let mut d = Deframer::new();
        assert_eq!(d.feed(bytes), bytes.len());
        let mut out = Vec::new();
        while let Some(r) = d.next_record().unwrap() {
            out.push((r.header, r.payload.to_vec()));
        }
        assert_eq!(d.buffered(), 0);
        out
    }

    #[test]
    fn nothing_is_written_after_close_notify() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        rl.write(AD, b"before").unwrap();
        assert!(!rl.closing());
        rl.send_close_notify().unwrap();
        assert!(rl.closing());
        rl.write(AD, b"after").unwrap();
        rl.write(ContentType::HANDSHAKE, &[20, 0, 0, 0]).unwrap();
        rl.send_fatal_alert(AlertDescription::INTERNAL_ERROR);
        rl.refuse_renegotiation().unwrap();
        rl.send_close_notify().unwrap();
        let recs = records(&drain(&mut rl));
        assert_eq!(recs.len(), 2, "the data and one close_notify");
        assert_eq!(recs[0].1, b"before");
        assert_eq!(recs[1].0.typ, ContentType::ALERT);
        assert_eq!(recs[1].1, [1, 0], "warning close_notify");
    }

    #[test]
    fn a_fatal_alert_is_the_last_record() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        rl.send_fatal_alert(AlertDescription::DECODE_ERROR);
        rl.send_fatal_alert(AlertDescription::INTERNAL_ERROR);
        rl.write(AD, b"after").unwrap();
        let recs = records(&drain(&mut rl));
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].1, [2, 50], "fatal decode_error");
    }

    #[test]
    fn close_waits_for_early_data_once() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        rl.close_after_early_data();
        assert!(rl.closing(), "the application may not write after close");
        rl.write(AD, b"early").unwrap();
        assert!(rl.take_close_after_early_data());
        assert!(!rl.take_close_after_early_data());
        rl.send_close_notify().unwrap();
        let recs = records(&drain(&mut rl));
        assert_eq!(recs.len(), 2, "the early data, then close_notify");
        assert_eq!(recs[0].1, b"early");
    }

    #[test]
    fn pending_keys_switch_only_at_change_cipher_spec() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        let (sealer, opener) = keys(7);
        rl.install_keys(sealer, opener);
        // Installed, not in use: still plaintext both ways.
        rl.write(AD, b"clear").unwrap();
        assert!(!rl.reads_protected());
        let mut clear = *b"in clear";
        let header = RecordHeader {
            typ: AD,
            version: ProtocolVersion::TLS12,
            len: 8,
        };
        assert_eq!(rl.open(header, &mut clear).unwrap(), b"in clear");

        rl.send_ccs().unwrap();
        rl.write(AD, b"secret").unwrap();
        let recs = records(&drain(&mut rl));
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].1, b"clear");
        assert_eq!(recs[1].0.typ, ContentType::CHANGE_CIPHER_SPEC);
        assert_eq!(recs[1].1, [1]);
        let (h, mut sealed) = recs[2].clone();
        assert_eq!(usize::from(h.len), 6 + 24, "explicit nonce and tag added");
        assert_ne!(&sealed[8..14], b"secret");

        // Our own sealed record opens only once the peer's ChangeCipherSpec switches the
        // pending opener in (the keys are the same both ways here).
        assert!(
            rl.open(h, &mut sealed.clone())
                .is_ok_and(|p| *p != b"secret"[..])
        );
        rl.peer_ccs().unwrap();
        assert!(rl.reads_protected());
        assert_eq!(rl.open(h, &mut sealed).unwrap(), b"secret");
    }

    #[test]
    fn change_cipher_spec_without_keys_is_internal() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        assert_eq!(rl.send_ccs(), Err(Error::internal("no pending write keys")));
        assert_eq!(rl.peer_ccs(), Err(Error::internal("no pending read keys")));
        let (sealer, opener) = keys(1);
        rl.install_keys(sealer, opener);
        rl.send_ccs().unwrap();
        rl.peer_ccs().unwrap();
        // Each pending key is used once.
        assert!(rl.send_ccs().is_err());
        assert!(rl.peer_ccs().is_err());
    }

    #[test]
    fn record_version_is_checked_after_negotiation() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        for v in [ProtocolVersion::TLS10, ProtocolVersion::TLS12] {
            assert!(rl.check_version(v).is_ok(), "{v:?} before negotiation");
        }
        assert!(!rl.is_version_negotiated());
        rl.version_negotiated();
        assert!(rl.is_version_negotiated());
        assert!(rl.check_version(ProtocolVersion::TLS12).is_ok());
        let e = rl.check_version(ProtocolVersion::TLS10).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::PROTOCOL_VERSION));
        let header = RecordHeader {
            typ: AD,
            version: ProtocolVersion::TLS11,
            len: 1,
        };
        assert_eq!(rl.open(header, &mut [0]).unwrap_err(), e);
    }

    #[test]
    fn client_hello_version_applies_to_its_records_only() {
        let mut rl = RecordLayer::new(4, None);
        rl.write_with_version(ProtocolVersion::TLS10, ContentType::HANDSHAKE, &[1; 6])
            .unwrap();
        rl.write(ContentType::HANDSHAKE, &[2; 3]).unwrap();
        let versions: Vec<_> = records(&drain(&mut rl))
            .iter()
            .map(|(h, _)| (h.version, h.len))
            .collect();
        assert_eq!(
            versions,
            [
                (ProtocolVersion::TLS10, 4),
                (ProtocolVersion::TLS10, 2),
                (ProtocolVersion::TLS12, 3)
            ]
        );
    }

    #[test]
    fn unprotected_plaintext_over_2_14_is_record_overflow() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        let mut big = vec![0u8; MAX_PLAINTEXT + 1];
        let header = RecordHeader {
            typ: AD,
            version: ProtocolVersion::TLS12,
            len: u16::try_from(big.len()).unwrap(),
        };
        let e = rl.open(header, &mut big).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::RECORD_OVERFLOW));
    }

    #[test]
    fn too_many_empty_records_in_a_row() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        for _ in 0..MAX_EMPTY_RECORDS {
            rl.count_empty("empty").unwrap();
        }
        rl.reset_empty();
        for _ in 0..MAX_EMPTY_RECORDS {
            rl.count_empty("empty").unwrap();
        }
        assert_eq!(rl.count_empty("empty"), Err(Error::unexpected("empty")));
    }

    #[test]
    fn renegotiation_is_refused_once_then_fatal() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        rl.refuse_renegotiation().unwrap();
        let recs = records(&drain(&mut rl));
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].1, [1, 100], "warning no_renegotiation");
        let e = rl.refuse_renegotiation().unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::UNEXPECTED_MESSAGE));
    }

    #[test]
    fn seal_into_takes_whole_records_only() {
        let mut rl = RecordLayer::new(10, None);
        assert_eq!(
            rl.seal_into(b"x", &mut [0; 64]),
            Err(Error::internal("no write keys"))
        );
        let (sealer, opener) = keys(3);
        rl.install_keys(sealer, opener);
        rl.send_ccs().unwrap();
        drain(&mut rl);
        // Records of 10 bytes: 5 + 8 + 10 + 16 = 39 bytes each; room for one.
        let mut out = [0u8; 60];
        assert_eq!(rl.seal_into(&[9; 25], &mut out).unwrap(), (10, 39));
        let mut out = [0u8; 200];
        assert_eq!(
            rl.seal_into(&[9; 25], &mut out).unwrap(),
            (25, 39 + 39 + 34)
        );
        assert_eq!(records(&out[..112]).len(), 3);
    }

    fn limited(limits: RecordLimits, cap: Option<usize>) -> RecordLayer {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, cap);
        rl.set_limits(limits);
        rl
    }

    fn header(len: usize) -> RecordHeader {
        RecordHeader {
            typ: AD,
            version: ProtocolVersion::TLS12,
            len: u16::try_from(len).unwrap(),
        }
    }

    #[test]
    fn no_limits_keep_the_protocol_sizes() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        assert_eq!(rl.max_incoming_fragment(), MAX_PLAINTEXT);
        assert_eq!(rl.receive_buffer_fragment(), MAX_CIPHERTEXT);
        let (sealer, opener) = keys(1);
        rl.install_keys(sealer, opener);
        rl.peer_ccs().unwrap();
        assert_eq!(rl.max_incoming_fragment(), MAX_CIPHERTEXT);
        assert_eq!(rl.receive_buffer_fragment(), MAX_CIPHERTEXT);
    }

    #[test]
    fn max_fragment_length_bounds_both_directions_and_every_record() {
        let mfl = RecordLimits {
            max_fragment_length: Some(512),
            record_size_limit: None,
        };
        let mut rl = limited(mfl, None);
        assert_eq!(rl.max_fragment(), 512);
        rl.write(ContentType::HANDSHAKE, &[1; 1300]).unwrap();
        let lens: Vec<u16> = records(&drain(&mut rl)).iter().map(|r| r.0.len).collect();
        assert_eq!(lens, [512, 512, 276]);
        // Unprotected records: at most 512 bytes, in the header and in the buffer.
        assert_eq!(rl.max_incoming_fragment(), 512);
        assert_eq!(rl.receive_buffer_fragment(), 512 + MAX_TAG_AND_NONCE);
        assert!(rl.open(header(512), &mut [0; 512]).is_ok());
        let e = rl.open(header(513), &mut [0; 513]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::RECORD_OVERFLOW));
        // Protected: 512 plus this cipher's nonce and tag.
        let (sealer, opener) = keys(2);
        rl.install_keys(sealer, opener);
        rl.peer_ccs().unwrap();
        assert_eq!(rl.max_incoming_fragment(), 512 + 24);
        assert_eq!(rl.receive_buffer_fragment(), 512 + 24);
    }

    #[test]
    fn record_size_limit_bounds_protected_records_only() {
        let rsl = RecordLimits {
            max_fragment_length: None,
            record_size_limit: Some(crate::record::limits::RecordSizeLimits {
                peer: 100,
                own: 200,
            }),
        };
        let mut rl = limited(rsl, None);
        assert_eq!(
            rl.max_fragment(),
            100,
            "the peer's limit bounds what we write"
        );
        // Its unprotected records may still be 2^14.
        assert_eq!(rl.max_incoming_fragment(), MAX_PLAINTEXT);
        assert_eq!(rl.receive_buffer_fragment(), MAX_PLAINTEXT);
        assert!(rl.open(header(300), &mut [0; 300]).is_ok());

        // Protected: 200 bytes of plaintext (the content type is not counted in TLS 1.2).
        let (sealer, opener) = keys(3);
        rl.install_keys(sealer, opener);
        rl.send_ccs().unwrap();
        rl.peer_ccs().unwrap();
        assert_eq!(rl.max_incoming_fragment(), 200 + 24);
        assert_eq!(rl.receive_buffer_fragment(), 200 + 24);
        drain(&mut rl);
        // Our own sealed records open with our opener (same keys): 200 bytes pass, 201
        // are record_overflow once decrypted.
        let mut big = RecordLayer::new(MAX_PLAINTEXT, None);
        let (sealer, opener) = keys(3);
        big.install_keys(sealer, opener);
        big.send_ccs().unwrap();
        drain(&mut big);
        big.write(AD, &[5; 200]).unwrap();
        big.write(AD, &[6; 201]).unwrap();
        let recs = records(&drain(&mut big));
        let (h, mut ok) = recs[0].clone();
        assert_eq!(rl.open(h, &mut ok).unwrap(), [5; 200]);
        let (h, mut over) = recs[1].clone();
        let e = rl.open(h, &mut over).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::RECORD_OVERFLOW));
    }

    #[test]
    fn receive_cap_applies_from_the_first_record() {
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, Some(1024));
        assert_eq!(
            rl.max_fragment(),
            MAX_PLAINTEXT,
            "what we write is not capped"
        );
        assert_eq!(rl.max_incoming_fragment(), 1024);
        assert_eq!(rl.receive_buffer_fragment(), 1024 + MAX_TAG_AND_NONCE);
        let e = rl.open(header(1025), &mut [0; 1025]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::RECORD_OVERFLOW));
        // A larger negotiated limit does not lift the cap; a smaller one lowers it.
        rl.set_limits(RecordLimits {
            max_fragment_length: Some(4096),
            record_size_limit: None,
        });
        assert_eq!(rl.max_incoming_fragment(), 1024);
        assert_eq!(rl.max_fragment(), 4096);
        rl.set_limits(RecordLimits {
            max_fragment_length: Some(512),
            record_size_limit: None,
        });
        assert_eq!(rl.max_incoming_fragment(), 512);
    }

    #[test]
    fn the_send_queue_starts_at_one_record_once_records_are_small() {
        let mut rl = limited(
            RecordLimits {
                max_fragment_length: Some(512),
                record_size_limit: None,
            },
            None,
        );
        rl.write(AD, b"x").unwrap();
        assert_eq!(rl.tx.capacity(), HEADER_LEN + MAX_TAG_AND_NONCE + 512);
        let mut rl = RecordLayer::new(MAX_PLAINTEXT, None);
        rl.write(AD, b"x").unwrap();
        assert_eq!(rl.tx.capacity(), INITIAL_TX);
    }
}
