//! Cutting the incoming byte stream into records, in one record-sized buffer that never
//! grows on its own (allocated when bytes first arrive, freed when idle, resized only when
//! the records it must hold change size).

use alloc::vec::Vec;

use super::{HEADER_LEN, MAX_CIPHERTEXT, RecordHeader, check_prefix};
use crate::error::{DecodeError, DecodeErrorKind, Error};

/// One record cut from the stream. `payload` is still protected if protection is on; it is
/// mutable so that it can be decrypted in place.
#[derive(Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The header as received (already checked, see [`Deframer::next_record`]).
    pub header: RecordHeader,
    /// The fragment: exactly `header.len` bytes, inside the deframer's buffer.
    pub payload: &'a mut [u8],
}

/// Cuts a byte stream into records (RFC 5246 section 6.2).
///
/// The buffer is allocated at the first non-empty [`feed`](Self::feed) (or
/// [`spare`](Self::spare)), at its full size (or small, growing once: see
/// [`start_small`](Self::start_small)), and never grows on its own otherwise: it holds one
/// header and the largest fragment it is sized for, at most [`Deframer::CAPACITY`] bytes
/// (a maximum-size ciphertext record) and by default exactly that.
/// [`set_capacity`](Self::set_capacity) sizes it for smaller records (a negotiated
/// max_fragment_length or record_size_limit): the buffer is then replaced by one of the
/// new size at the next `feed` or `spare` that finds the bytes not yet handed out fitting
/// in it. [`release`](Self::release) frees it while nothing is buffered (an idle
/// connection holds no receive buffer); the next feed allocates it again.
///
/// # Contract
///
/// Feed bytes with [`feed`](Self::feed), then call [`next_record`](Self::next_record) until
/// it returns `Ok(None)`; then feed what `feed` did not take, and repeat:
///
/// ```
/// use tls12::internal::record::Deframer;
///
/// let mut deframer = Deframer::new();
/// // Two alert records and the first byte of a third, as if read from a socket.
/// let mut input: &[u8] = &[21, 3, 3, 0, 2, 1, 0, 21, 3, 3, 0, 2, 2, 40, 21];
/// let mut seen = 0;
/// while !input.is_empty() {
///     let taken = deframer.feed(input);
///     input = &input[taken..];
///     while let Some(record) = deframer.next_record()? {
///         // Decrypt `record.payload` in place, hand it on...
///         seen += 1;
///     }
/// }
/// assert_eq!(seen, 2);
/// assert!(deframer.has_partial()); // at end of stream this would be truncation
/// # Ok::<(), tls12::Error>(())
/// ```
///
/// - `feed` copies as much of its input as fits and returns how many bytes it took. Once
///   `next_record` has returned `Ok(None)`, the buffer holds at most a strict prefix of one
///   record, so the next `feed` of a non-empty input takes at least one byte: the loop above
///   always makes progress. It may take fewer bytes than given (even zero) while whole
///   records are waiting to be drained.
/// - Instead of `feed`, a caller can receive bytes straight into the buffer: write into
///   [`spare`](Self::spare), then [`commit`](Self::commit) how many were written. This
///   saves the copy `feed` makes.
/// - A [`Record`] borrows the deframer, and its bytes are released by the next call of
///   `feed` or `next_record`. When a whole record arrives in one `feed`, it is handed out in
///   place: no byte is moved between `feed` and `next_record`. Bytes are moved only when
///   `feed` needs room at the end of the buffer and the start holds already-released
///   records, and then only the bytes of the incomplete record.
/// - Incomplete input is not an error: `next_record` returns `Ok(None)`.
///   [`has_partial`](Self::has_partial) tells a truncated stream from a clean end.
/// - Errors are fatal and sticky: once `next_record` fails, it returns the same error on
///   every call, and `feed` discards its input (reporting it all as taken).
#[derive(Debug)]
pub struct Deframer {
    /// Storage with room for `origin + held` bytes once first needed (none before, and
    /// after `release`). Its length is how much of it has been written (by `feed`, or zeroed
    /// for `spare`): never less than `end`. Bytes are not zeroed before `feed` writes them.
    buf: Vec<u8>,
    /// How many record bytes (header included) the allocated buffer holds.
    held: usize,
    /// The largest fragment the buffer is to be sized for (at least `max_fragment`).
    capacity: usize,
    /// Where a record starts in an empty buffer: chosen so that an AES-GCM payload (after
    /// the header and the 8-byte explicit nonce) is 64-byte aligned, which makes
    /// decrypting it in place a few percent faster. Less than [`PAYLOAD_ALIGN`].
    origin: usize,
    /// First byte not yet handed out.
    start: usize,
    /// End of the bytes fed so far.
    end: usize,
    /// Largest fragment length accepted; at most `MAX_CIPHERTEXT`.
    max_fragment: usize,
    /// No record has been handed out yet: the stream may still be an SSLv2 ClientHello.
    first: bool,
    /// Accept any `{03,XX}` record version, not only up to TLS 1.2 (see
    /// [`accept_any_minor_version`](Self::accept_any_minor_version)).
    any_minor: bool,
    /// The sticky error.
    error: Option<DecodeError>,
    /// Where the payload of the record most recently handed out sits.
    last: core::ops::Range<usize>,
    /// Start small (see [`start_small`](Deframer::start_small)): the next allocation holds
    /// at most [`Deframer::SMALL_HOLD`] bytes, until a record needs more.
    small_first: bool,
}

/// The alignment [`Deframer`] gives the payload of a record that starts in an empty buffer.
const PAYLOAD_ALIGN: usize = 64;

/// Header and AES-GCM explicit nonce: where that payload starts in a record.
const AES_GCM_PAYLOAD_AT: usize = HEADER_LEN + 8;

impl Default for Deframer {
    fn default() -> Self {
        Self::new()
    }
}

impl Deframer {
    /// The most bytes the deframer ever holds: a header and a [`MAX_CIPHERTEXT`] fragment.
    pub const CAPACITY: usize = HEADER_LEN + MAX_CIPHERTEXT;

    /// The record bytes a buffer that [starts small](Self::start_small) holds: with its
    /// alignment slack, 1 KiB, which the allocator serves from its fast per-thread cache;
    /// enough for the records of a resumed handshake and most ClientHellos.
    pub const SMALL_HOLD: usize = 1024 - PAYLOAD_ALIGN;

    /// A deframer. It allocates nothing until bytes arrive; then its buffer of
    /// [`Self::CAPACITY`] bytes (unless [`set_capacity`](Self::set_capacity) says less) is
    /// its only allocation.
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            held: 0,
            capacity: MAX_CIPHERTEXT,
            origin: 0,
            start: 0,
            end: 0,
            max_fragment: MAX_CIPHERTEXT,
            first: true,
            any_minor: false,
            error: None,
            last: 0..0,
            small_first: false,
        }
    }

    /// Makes the first allocation small, for bytes that come in by [`feed`](Self::feed):
    /// it holds at most [`SMALL_HOLD`](Self::SMALL_HOLD) record bytes, and is replaced by
    /// the full-size buffer (see [`set_capacity`](Self::set_capacity)) at the first `feed`
    /// that brings more than that or finds a record header announcing more; from then on,
    /// every allocation (after a [`release`](Self::release)) is full-size. So `feed` takes
    /// as much as without a small start, and a connection fed records that stay small (a
    /// resumed handshake) never allocates the 18 KiB buffer. [`spare`](Self::spare) and
    /// [`preallocate`](Self::preallocate) end the small start: they give the full size.
    pub fn start_small(&mut self) {
        self.small_first = true;
    }

    /// Copies as much of `input` as fits into the buffer and returns how many bytes were
    /// taken. Never grows the buffer. See the [contract](Self) for when it takes less than
    /// all of `input`; after an error it discards `input` and returns `input.len()`.
    pub fn feed(&mut self, input: &[u8]) -> usize {
        if self.error.is_some() {
            return input.len();
        }
        if input.is_empty() {
            return 0;
        }
        self.allocate();
        self.resize(self.buffered() + input.len());
        if self.limit() - self.end < input.len() && self.start > self.origin {
            self.compact();
        }
        let n = input.len().min(self.limit() - self.end);
        let input = &input[..n];
        // Overwrite what was written before, append the rest.
        let overlap = self.buf.len().saturating_sub(self.end).min(n);
        super::copy::copy(
            &mut self.buf[self.end..self.end + overlap],
            &input[..overlap],
        );
        super::copy::extend(&mut self.buf, &input[overlap..]);
        self.end += n;
        n
    }

    /// The free space at the end of the buffer, to receive bytes straight into (for
    /// example with a socket read) instead of copying them in with [`feed`](Self::feed):
    /// write up to its length, then [`commit`](Self::commit) the count. Like `feed`, it
    /// releases the record most recently handed out; it first moves the bytes not yet
    /// handed out (once drained: at most one incomplete record) to the front. It is empty
    /// when the buffer is full (drain with `next_record` first) and after an error.
    pub fn spare(&mut self) -> &mut [u8] {
        if self.error.is_some() {
            return &mut [];
        }
        // Room for a whole record, as a caller sealing records straight into it needs: a
        // small start ends here.
        self.small_first = false;
        self.allocate();
        self.resize(0);
        if self.start > self.origin {
            self.compact();
        }
        let limit = self.limit();
        self.buf.resize(limit, 0);
        &mut self.buf[self.end..]
    }

    /// Takes `n` bytes written at the start of [`spare`](Self::spare) as received, and
    /// returns how many were taken: `n`, or less if `n` is more than the free space. After
    /// an error, discards them (and reports them all as taken), as `feed` does.
    pub fn commit(&mut self, n: usize) -> usize {
        if self.error.is_some() {
            return n;
        }
        // Only what `spare` handed out (and so initialised) can be taken.
        let n = n.min(self.buf.len() - self.end);
        self.end += n;
        n
    }

    /// Frees the buffer if no bytes are buffered, and says whether it did (or it was
    /// already free). The next `feed` allocates it again.
    pub fn release(&mut self) -> bool {
        if self.start != self.end {
            return false;
        }
        self.buf = Vec::new();
        self.held = 0;
        self.origin = 0;
        self.start = 0;
        self.end = 0;
        self.last = 0..0;
        true
    }

    /// Allocates the buffer now rather than when the first bytes arrive (for callers that
    /// want all allocation done at setup), at the size [`set_capacity`](Self::set_capacity)
    /// gave.
    pub fn preallocate(&mut self) {
        self.small_first = false;
        self.allocate();
        self.resize(0);
    }

    /// Sizes the buffer for records of up to `max_fragment` fragment bytes (or
    /// [`set_max_fragment_len`](Self::set_max_fragment_len)'s limit, if larger; at most
    /// [`MAX_CIPHERTEXT`]): for example the negotiated plaintext limit plus the cipher's
    /// nonce and tag. The buffer is replaced by one of this size at the next `feed`,
    /// `spare` or `preallocate` that finds the bytes not yet handed out fitting in it
    /// (once drained, at most one incomplete record does); a smaller buffer then holds
    /// `HEADER_LEN + max_fragment` bytes.
    pub fn set_capacity(&mut self, max_fragment: usize) {
        self.capacity = max_fragment.min(MAX_CIPHERTEXT);
    }

    /// The record bytes (header included) the buffer is allocated to hold: 0 while it is
    /// not allocated.
    pub fn allocated(&self) -> usize {
        if self.buf.capacity() == 0 {
            0
        } else {
            self.held
        }
    }

    /// How many record bytes the buffer is to hold: a header and the larger of the
    /// capacity asked for and the largest fragment accepted.
    fn target(&self) -> usize {
        HEADER_LEN + self.capacity.max(self.max_fragment)
    }

    fn allocate(&mut self) {
        if self.buf.capacity() == 0 {
            // Nothing is buffered when there is no buffer.
            debug_assert_eq!((self.start, self.end), (0, 0));
            self.held = if self.small_first {
                self.target().min(Self::SMALL_HOLD)
            } else {
                self.target()
            };
            self.buf = Self::aligned(self.held, &mut self.origin);
            self.start = self.origin;
            self.end = self.origin;
        }
    }

    /// A buffer with room for `held` record bytes after its `origin`, which it sets.
    fn aligned(held: usize, origin: &mut usize) -> Vec<u8> {
        let mut buf = Vec::with_capacity(PAYLOAD_ALIGN + held);
        let addr = buf.as_ptr() as usize;
        *origin = (PAYLOAD_ALIGN - (addr + AES_GCM_PAYLOAD_AT) % PAYLOAD_ALIGN) % PAYLOAD_ALIGN;
        buf.resize(*origin, 0);
        buf
    }

    /// Replaces the allocated buffer by one of the target size, moving the bytes not yet
    /// handed out, if they fit (a larger target always fits them). This releases the
    /// record most recently handed out, as `feed` and `spare` do.
    fn resize(&mut self, need: usize) {
        let target = self.target();
        let pending = self.end - self.start;
        if self.buf.capacity() == 0 || self.held == target || pending > target {
            return;
        }
        if self.held < target && self.small_first {
            // Started small: grow only for more bytes than it holds (`need`, or the record
            // whose header is in).
            if need.max(self.announced().unwrap_or(0)) <= self.held {
                return;
            }
            self.small_first = false;
        }
        let mut origin = 0;
        let mut buf = Self::aligned(target, &mut origin);
        buf.extend_from_slice(&self.buf[self.start..self.end]);
        self.buf = buf;
        self.held = target;
        self.origin = origin;
        self.start = origin;
        self.end = origin + pending;
        self.last = 0..0;
    }

    /// The whole length (header included) of the record whose header starts the bytes not
    /// yet handed out, once the header is there.
    fn announced(&self) -> Option<usize> {
        let head = self
            .buf
            .get(self.start..self.end)?
            .first_chunk::<HEADER_LEN>()?;
        Some(HEADER_LEN + usize::from(u16::from_be_bytes([head[3], head[4]])))
    }

    /// One past the last byte the buffer may hold.
    fn limit(&self) -> usize {
        self.origin + self.held
    }

    /// Moves the unreleased bytes (at most one incomplete record once drained) to the front
    /// to make room.
    fn compact(&mut self) {
        self.buf.copy_within(self.start..self.end, self.origin);
        self.end -= self.start - self.origin;
        self.start = self.origin;
    }

    /// The next whole record, `Ok(None)` if no whole record is buffered yet.
    ///
    /// The previous record's bytes are released by this call. The header is checked as soon
    /// as its bytes arrive, before the body is waited for:
    ///
    /// - a length over the maximum ([`MAX_CIPHERTEXT`], or what
    ///   [`set_max_fragment_len`](Self::set_max_fragment_len) set) is `TooLarge`
    ///   (record_overflow);
    /// - a content type other than change_cipher_spec, alert, handshake and
    ///   application_data is `UnknownContentType` (unexpected_message);
    /// - a version outside `0x0300..=0x0303` (outside `{03,XX}` after
    ///   [`accept_any_minor_version`](Self::accept_any_minor_version)) is `BadVersion`
    ///   (protocol_version);
    /// - a stream whose first byte has the high bit set is an SSLv2-format ClientHello
    ///   (RFC 5246 appendix E.2): `BadVersion` (protocol_version).
    ///
    /// Zero-length records of every type are returned; rejecting them where the protocol
    /// forbids them is up to the layer above.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, Error> {
        if let Some(e) = self.error {
            return Err(e.into());
        }
        let avail = &self.buf[self.start..self.end];
        let checked = if self.first && avail.first().is_some_and(|b| b & 0x80 != 0) {
            Err(DecodeError::new(
                "SSLv2 ClientHello",
                DecodeErrorKind::BadVersion,
            ))
        } else {
            check_prefix(
                &avail[..avail.len().min(HEADER_LEN)],
                self.max_fragment,
                self.any_minor,
            )
        };
        if let Err(e) = checked {
            self.error = Some(e);
            return Err(e.into());
        }
        let Some(head) = avail.first_chunk::<HEADER_LEN>() else {
            return Ok(None);
        };
        let header = RecordHeader::from_array(*head);
        let total = HEADER_LEN + usize::from(header.len);
        if avail.len() < total {
            return Ok(None);
        }
        let payload = self.start + HEADER_LEN..self.start + total;
        self.start += total;
        if self.start == self.end {
            // Everything is handed out: the next feed starts at the front without moving
            // anything. The payload stays where it is until then.
            self.start = self.origin;
            self.end = self.origin;
        }
        self.first = false;
        self.last = payload.clone();
        Ok(Some(Record {
            header,
            payload: &mut self.buf[payload],
        }))
    }

    /// The payload of the record most recently returned by [`next_record`](Self::next_record)
    /// (as decrypted in place by the caller), valid until the next `feed` or `next_record`.
    /// Empty before the first record. This lets a caller hand out a borrow of the payload
    /// after processing the record through other state.
    pub fn last_payload(&self) -> &[u8] {
        &self.buf[self.last.clone()]
    }

    /// Accepts (`true`) or refuses (`false`, the default) record versions `{03,04}` to
    /// `{03,FF}`. A server accepts them until it has sent ServerHello: it "MUST accept any
    /// value {03,XX} as the record layer version number for ClientHello" (RFC 5246
    /// appendix E.1). Applies from the next call of `next_record`.
    pub fn accept_any_minor_version(&mut self, yes: bool) {
        self.any_minor = yes;
    }

    /// Lowers the largest fragment length accepted, for example to [`super::MAX_PLAINTEXT`]
    /// while records are unprotected (RFC 5246 section 6.2.1). Values over
    /// [`MAX_CIPHERTEXT`] are clamped to it. Applies from the next call of `next_record`
    /// (and a buffer sized smaller by [`set_capacity`](Self::set_capacity) grows to fit it
    /// at the next `feed` or `spare`).
    pub fn set_max_fragment_len(&mut self, max: usize) {
        self.max_fragment = max.min(MAX_CIPHERTEXT);
    }

    /// How many bytes are buffered and not yet handed out as records.
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }

    /// Whether the buffered bytes end with an incomplete record. At the end of the stream,
    /// after draining, `true` means the stream was truncated mid-record.
    pub fn has_partial(&self) -> bool {
        let mut rest = &self.buf[self.start..self.end];
        while !rest.is_empty() {
            let Some(head) = rest.first_chunk::<HEADER_LEN>() else {
                return true;
            };
            let total = HEADER_LEN + usize::from(u16::from_be_bytes([head[3], head[4]]));
            match rest.get(total..) {
                Some(after) => rest = after,
                None => return true,
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::{AlertDescription, ContentType, ProtocolVersion};
    use crate::record::{MAX_PLAINTEXT, write_records};
    use alloc::vec;
    use alloc::vec::Vec;

    fn rec(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ];
        v.extend_from_slice(&version.to_be_bytes());
        v.extend_from_slice(&(body.len() as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    fn owned(r: Record<'_>) -> (RecordHeader, Vec<u8>) {
        (r.header, r.payload.to_vec())
    }

    fn err_of(d: &mut Deframer) -> DecodeError {
        match d.next_record() {
            Err(Error::Decode(e)) => e,
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn any_minor_version_only_when_asked() {
        for minor in [4u16, 0x7f, 0xff] {
            let bytes = rec(22, 0x0300 | minor, &[1]);
            let mut d = Deframer::new();
            d.feed(&bytes);
            assert_eq!(err_of(&mut d).kind, DecodeErrorKind::BadVersion);
            let mut d = Deframer::new();
            d.accept_any_minor_version(true);
            d.feed(&bytes);
            assert_eq!(
                d.next_record().unwrap().unwrap().header.version.0,
                0x0300 | minor
            );
            // Still {03,XX} only; and off again, refused again.
            d.feed(&rec(22, 0x0401, &[1]));
            assert_eq!(err_of(&mut d).kind, DecodeErrorKind::BadVersion);
            let mut d = Deframer::new();
            d.accept_any_minor_version(true);
            d.accept_any_minor_version(false);
            d.feed(&bytes);
            assert_eq!(err_of(&mut d).kind, DecodeErrorKind::BadVersion);
        }
    }

    #[test]
    fn one_record() {
        let mut d = Deframer::new();
        let bytes = rec(23, 0x0303, b"hello");
        assert_eq!(d.feed(&bytes), bytes.len());
        let r = d.next_record().unwrap().unwrap();
        assert_eq!(
            r.header,
            RecordHeader {
                typ: ContentType::APPLICATION_DATA,
                version: ProtocolVersion::TLS12,
                len: 5
            }
        );
        assert_eq!(r.payload, b"hello");
        // In place: the payload is mutable for decryption.
        r.payload[0] = b'j';
        assert_eq!(d.next_record().unwrap(), None);
        assert_eq!(d.buffered(), 0);
        assert!(!d.has_partial());
    }

    #[test]
    fn header_split_across_feeds() {
        let bytes = rec(22, 0x0301, &[1, 2, 3]);
        for split in 0..=bytes.len() {
            let mut d = Deframer::new();
            assert_eq!(d.feed(&bytes[..split]), split);
            if split < bytes.len() {
                assert_eq!(d.next_record().unwrap(), None, "split {split}");
                assert_eq!(d.has_partial(), split > 0);
                assert_eq!(d.feed(&bytes[split..]), bytes.len() - split);
            }
            let (h, p) = owned(d.next_record().unwrap().unwrap());
            assert_eq!(h.typ, ContentType::HANDSHAKE);
            assert_eq!(h.version, ProtocolVersion::TLS10);
            assert_eq!(p, [1, 2, 3]);
            assert_eq!(d.next_record().unwrap(), None);
            assert!(!d.has_partial());
        }
    }

    #[test]
    fn one_byte_at_a_time() {
        let mut stream = rec(22, 0x0303, &[7; 300]);
        stream.extend(rec(20, 0x0303, &[1]));
        stream.extend(rec(23, 0x0303, &[]));
        let mut d = Deframer::new();
        let mut got = Vec::new();
        for b in &stream {
            assert_eq!(d.feed(core::slice::from_ref(b)), 1);
            while let Some(r) = d.next_record().unwrap() {
                got.push(owned(r));
            }
        }
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1, [7; 300]);
        assert_eq!(got[1].1, [1]);
        assert!(got[2].1.is_empty());
        assert!(!d.has_partial());
    }

    #[test]
    fn many_records_in_one_feed() {
        let mut stream = Vec::new();
        for i in 0..100u8 {
            stream.extend(rec(23, 0x0303, &[i; 37]));
        }
        let mut d = Deframer::new();
        assert_eq!(d.feed(&stream), stream.len());
        assert!(!d.has_partial());
        for i in 0..100u8 {
            let r = d.next_record().unwrap().unwrap();
            assert_eq!(r.payload, &[i; 37]);
        }
        assert_eq!(d.next_record().unwrap(), None);
    }

    #[test]
    fn exact_max_record_and_max_plus_one() {
        let max = rec(23, 0x0303, &[0xaa; MAX_CIPHERTEXT]);
        assert_eq!(max.len(), Deframer::CAPACITY);
        let mut d = Deframer::new();
        assert_eq!(d.feed(&max), max.len());
        assert_eq!(d.buffered(), Deframer::CAPACITY);
        assert_eq!(d.feed(&[23]), 0, "buffer is full");
        let r = d.next_record().unwrap().unwrap();
        assert_eq!(r.payload.len(), MAX_CIPHERTEXT);

        // One more byte of length: rejected from the header alone.
        let mut d = Deframer::new();
        let len = (MAX_CIPHERTEXT as u16 + 1).to_be_bytes();
        d.feed(&[23, 3, 3, len[0], len[1]]);
        let e = err_of(&mut d);
        assert_eq!(
            e,
            DecodeError::new("RecordHeader.length", DecodeErrorKind::TooLarge)
        );
        assert_eq!(
            Error::from(e).alert(),
            Some(AlertDescription::RECORD_OVERFLOW)
        );
        let mut d = Deframer::new();
        d.feed(&[23, 3, 3, 0xff, 0xff]);
        assert_eq!(err_of(&mut d).kind, DecodeErrorKind::TooLarge);
    }

    #[test]
    fn lowered_max_fragment() {
        let mut d = Deframer::new();
        d.set_max_fragment_len(MAX_PLAINTEXT);
        let ok = rec(22, 0x0303, &[0; MAX_PLAINTEXT]);
        d.feed(&ok);
        assert!(d.next_record().unwrap().is_some());
        let len = (MAX_PLAINTEXT as u16 + 1).to_be_bytes();
        d.feed(&[22, 3, 3, len[0], len[1]]);
        assert_eq!(err_of(&mut d).kind, DecodeErrorKind::TooLarge);

        let mut d = Deframer::new();
        d.set_max_fragment_len(usize::MAX);
        d.feed(&rec(22, 0x0303, &[0; MAX_CIPHERTEXT]));
        assert!(d.next_record().unwrap().is_some());
    }

    #[test]
    fn unknown_content_type() {
        for t in [0u8, 19, 24, 25, 0x7f] {
            let mut d = Deframer::new();
            d.feed(&[t]);
            let e = err_of(&mut d);
            assert_eq!(
                e,
                DecodeError::new("RecordHeader.type", DecodeErrorKind::UnknownContentType)
            );
            assert_eq!(
                Error::from(e).alert(),
                Some(AlertDescription::UNEXPECTED_MESSAGE)
            );
        }
    }

    #[test]
    fn bad_versions() {
        for v in [0x0200u16, 0x0002, 0x0403, 0x0304, 0x03ff, 0xfefd, 0x0000] {
            let mut d = Deframer::new();
            let bytes = rec(22, v, &[1]);
            d.feed(&bytes[..3]);
            let e = err_of(&mut d);
            assert_eq!(
                e,
                DecodeError::new("RecordHeader.version", DecodeErrorKind::BadVersion),
                "version {v:#06x}"
            );
            assert_eq!(
                Error::from(e).alert(),
                Some(AlertDescription::PROTOCOL_VERSION)
            );
        }
        for v in 0x0300u16..=0x0303 {
            let mut d = Deframer::new();
            d.feed(&rec(22, v, &[1]));
            assert_eq!(d.next_record().unwrap().unwrap().header.version.0, v);
        }
    }

    #[test]
    fn sslv2_client_hello() {
        // An SSLv2-format ClientHello: 2-byte length with the high bit, msg_type 1, version.
        let mut d = Deframer::new();
        d.feed(&[0x80]);
        let e = err_of(&mut d);
        assert_eq!(
            e,
            DecodeError::new("SSLv2 ClientHello", DecodeErrorKind::BadVersion)
        );
        assert_eq!(
            Error::from(e).alert(),
            Some(AlertDescription::PROTOCOL_VERSION)
        );
        let mut d = Deframer::new();
        d.feed(&[0x80, 0x2e, 0x01, 0x03, 0x01]);
        assert_eq!(err_of(&mut d).kind, DecodeErrorKind::BadVersion);

        // Only the very first bytes: later, the same byte is just an unknown type.
        let mut d = Deframer::new();
        d.feed(&rec(22, 0x0301, &[1]));
        d.feed(&[0x80]);
        assert!(d.next_record().unwrap().is_some());
        assert_eq!(err_of(&mut d).kind, DecodeErrorKind::UnknownContentType);
    }

    #[test]
    fn errors_are_sticky() {
        let mut d = Deframer::new();
        let mut stream = rec(23, 0x0303, b"ok");
        stream.extend([99, 3, 3, 0, 0]);
        stream.extend(rec(23, 0x0303, b"after"));
        d.feed(&stream);
        assert!(d.next_record().unwrap().is_some());
        let e = err_of(&mut d);
        assert_eq!(e.kind, DecodeErrorKind::UnknownContentType);
        for _ in 0..3 {
            assert_eq!(err_of(&mut d), e);
        }
        // Input after the error is discarded.
        assert_eq!(d.feed(&rec(23, 0x0303, b"x")), 6);
        assert_eq!(err_of(&mut d), e);
    }

    #[test]
    fn error_before_body_arrives() {
        // Version error seen with only three bytes buffered; the body never comes.
        let mut d = Deframer::new();
        d.feed(&[22, 4]);
        assert_eq!(d.next_record().unwrap(), None);
        d.feed(&[0]);
        assert_eq!(err_of(&mut d).kind, DecodeErrorKind::BadVersion);
    }

    #[test]
    fn feed_contract_when_full() {
        // A whole record fills part of the buffer; a second, bigger one only partly fits.
        let first = rec(23, 0x0303, &[1; 10_000]);
        let second = rec(23, 0x0303, &[2; 10_000]);
        let mut stream = first.clone();
        stream.extend(&second);
        let mut d = Deframer::new();
        let taken = d.feed(&stream);
        assert_eq!(taken, Deframer::CAPACITY);
        assert!(d.has_partial());
        // Buffer full: nothing more fits until drained.
        assert_eq!(d.feed(&stream[taken..]), 0);
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[1; 10_000]);
        assert_eq!(d.next_record().unwrap(), None);
        // After draining, the rest of the second record fits (compaction moves it).
        assert_eq!(d.feed(&stream[taken..]), stream.len() - taken);
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[2; 10_000]);
        assert_eq!(d.next_record().unwrap(), None);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn spare_and_commit_receive_in_place() {
        let mut stream = rec(23, 0x0303, &[7; 3000]);
        stream.extend(rec(21, 0x0303, &[1, 0]));
        let mut d = Deframer::new();
        // Half of the first record, written straight into the buffer.
        let spare = d.spare();
        assert_eq!(spare.len(), Deframer::CAPACITY);
        spare[..1500].copy_from_slice(&stream[..1500]);
        assert_eq!(d.commit(1500), 1500);
        assert_eq!(d.next_record().unwrap(), None);
        assert!(d.has_partial());
        // The rest; both records come out whole.
        let spare = d.spare();
        assert_eq!(spare.len(), Deframer::CAPACITY - 1500);
        let rest = stream.len() - 1500;
        spare[..rest].copy_from_slice(&stream[1500..]);
        assert_eq!(d.commit(rest), rest);
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[7; 3000]);
        // A third record's first bytes: `spare` moves the undelivered alert to the front.
        let spare = d.spare();
        assert_eq!(spare.len(), Deframer::CAPACITY - 7);
        spare[..2].copy_from_slice(&[22, 3]);
        assert_eq!(d.commit(2), 2);
        let (h, p) = owned(d.next_record().unwrap().unwrap());
        assert_eq!(h.typ, ContentType::ALERT);
        assert_eq!(p, [1, 0]);
        assert_eq!(d.buffered(), 2);
        // Committing more than the free space takes only what fits.
        let free = d.spare().len();
        assert_eq!(d.commit(free + 10), free);
        assert_eq!(d.buffered(), Deframer::CAPACITY);
        assert!(d.spare().is_empty(), "full buffer has no spare room");
    }

    #[test]
    fn aes_gcm_payload_of_a_record_in_an_empty_buffer_is_64_byte_aligned() {
        let record = rec(23, 0x0303, &[5; 8 + 100 + 16]);
        let mut d = Deframer::new();
        for round in 0..3 {
            // By feed, by spare/commit, and after a release and reallocation.
            if round == 1 {
                let n = record.len();
                d.spare()[..n].copy_from_slice(&record);
                assert_eq!(d.commit(n), n);
            } else {
                assert_eq!(d.feed(&record), record.len());
            }
            let r = d.next_record().unwrap().unwrap();
            assert_eq!((r.payload.as_ptr() as usize + 8) % PAYLOAD_ALIGN, 0);
            assert_eq!(r.payload.len(), 8 + 100 + 16);
            assert_eq!(d.next_record().unwrap(), None);
            if round == 1 {
                assert!(d.release());
            }
        }
        // The whole capacity is still usable from there.
        assert_eq!(d.spare().len(), Deframer::CAPACITY);
    }

    #[test]
    fn spare_and_commit_after_an_error() {
        let mut d = Deframer::new();
        d.spare()[0] = 99;
        assert_eq!(d.commit(1), 1);
        assert!(d.next_record().is_err());
        assert!(d.spare().is_empty());
        assert_eq!(d.commit(5), 5, "discarded, reported as taken");
        assert_eq!(d.buffered(), 1);
    }

    #[test]
    fn buffer_allocated_on_first_bytes_and_released_when_empty() {
        let mut d = Deframer::new();
        assert_eq!(d.buf.capacity(), 0, "nothing allocated before input");
        assert_eq!(d.feed(&[]), 0);
        assert_eq!(d.buf.capacity(), 0, "an empty feed allocates nothing");
        let bytes = rec(23, 0x0303, b"hi");
        assert_eq!(d.feed(&bytes[..3]), 3);
        assert!(d.buf.capacity() >= Deframer::CAPACITY);
        assert!(!d.release(), "a partial record is buffered");
        assert!(d.buf.capacity() >= Deframer::CAPACITY);
        assert_eq!(d.feed(&bytes[3..]), bytes.len() - 3);
        assert_eq!(d.next_record().unwrap().unwrap().payload, b"hi");
        assert!(d.release());
        assert_eq!(d.buf.capacity(), 0);
        assert_eq!(d.last_payload(), b"");
        // It works as before afterwards.
        assert_eq!(d.feed(&bytes), bytes.len());
        assert_eq!(d.next_record().unwrap().unwrap().payload, b"hi");
        assert_eq!(d.next_record().unwrap(), None);
    }

    #[test]
    fn drain_loop_always_progresses() {
        // Records of awkward sizes fed in chunks of a buffer and a bit.
        let mut stream = Vec::new();
        let sizes = [MAX_CIPHERTEXT, 1, 0, 9000, MAX_CIPHERTEXT, 3];
        for (i, &n) in sizes.iter().enumerate() {
            stream.extend(rec(23, 0x0303, &vec![i as u8; n]));
        }
        let mut d = Deframer::new();
        let mut got = Vec::new();
        for chunk in stream.chunks(Deframer::CAPACITY + 7) {
            let mut input = chunk;
            while !input.is_empty() {
                let n = d.feed(input);
                input = &input[n..];
                let mut drained = false;
                while let Some(r) = d.next_record().unwrap() {
                    got.push(r.payload.len());
                    drained = true;
                }
                assert!(n > 0 || drained, "no progress");
            }
        }
        assert_eq!(got, sizes);
    }

    #[test]
    fn buffered_and_partial() {
        let mut d = Deframer::new();
        let a = rec(21, 0x0303, &[1, 0]);
        d.feed(&a);
        d.feed(&a[..6]);
        assert_eq!(d.buffered(), 13);
        assert!(d.has_partial());
        assert!(d.next_record().unwrap().is_some());
        assert_eq!(d.buffered(), 6);
        assert!(d.has_partial());
        assert_eq!(d.next_record().unwrap(), None);
        d.feed(&a[6..]);
        assert!(!d.has_partial());
    }

    #[test]
    fn fragmenter_output_deframes() {
        let payload: Vec<u8> = (0..40_000u32).map(|i| i as u8).collect();
        let mut out = Vec::new();
        write_records(
            &mut out,
            ContentType::APPLICATION_DATA,
            ProtocolVersion::TLS12,
            &payload,
            MAX_PLAINTEXT,
        );
        let mut d = Deframer::new();
        let mut back = Vec::new();
        let mut input = &out[..];
        while !input.is_empty() {
            let n = d.feed(input);
            input = &input[n..];
            while let Some(r) = d.next_record().unwrap() {
                back.extend_from_slice(r.payload);
            }
        }
        assert_eq!(back, payload);
    }

    #[test]
    fn a_smaller_capacity_allocates_a_smaller_buffer() {
        let mut d = Deframer::new();
        d.set_max_fragment_len(512);
        d.set_capacity(512 + 24);
        assert_eq!(d.allocated(), 0);
        d.preallocate();
        assert_eq!(d.allocated(), HEADER_LEN + 536);
        assert!(d.buf.capacity() < 1024, "{}", d.buf.capacity());
        assert_eq!(d.spare().len(), HEADER_LEN + 536);
        // A record as large as the header check allows fits; one byte more is refused.
        let ok = rec(23, 0x0303, &[7; 512]);
        assert_eq!(d.feed(&ok), ok.len());
        assert_eq!(d.next_record().unwrap().unwrap().payload.len(), 512);
        d.feed(&rec(23, 0x0303, &[7; 513])[..5]);
        assert_eq!(err_of(&mut d).kind, DecodeErrorKind::TooLarge);
    }

    #[test]
    fn the_buffer_shrinks_once_what_is_pending_fits() {
        let mut d = Deframer::new();
        let small = rec(22, 0x0303, &[2; 100]);
        // Three small records and the start of a fourth.
        let mut input = [&small[..], &small[..], &small[..]].concat();
        input.extend_from_slice(&small[..50]);
        assert_eq!(d.feed(&input), input.len());
        assert_eq!(d.allocated(), Deframer::CAPACITY);
        // Records negotiated down to 100 bytes while 365 are buffered: nothing moves
        // until the pending bytes fit.
        d.set_max_fragment_len(100);
        d.set_capacity(100);
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[2; 100][..]);
        assert_eq!(
            d.spare().len(),
            Deframer::CAPACITY - 260,
            "260 bytes pending"
        );
        assert_eq!(d.allocated(), Deframer::CAPACITY);
        assert!(d.next_record().unwrap().is_some());
        assert!(d.next_record().unwrap().is_some());
        assert_eq!(d.next_record().unwrap(), None);
        // The next feed finds 50 bytes pending: they move into a 105-byte buffer.
        assert_eq!(d.feed(&small[50..]), 55);
        assert_eq!(d.allocated(), HEADER_LEN + 100);
        assert!(d.buf.capacity() < 256);
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[2; 100][..]);
        // Released and allocated again at the new size.
        assert!(d.release());
        assert_eq!(d.feed(&small), small.len());
        assert_eq!(d.allocated(), HEADER_LEN + 100);
    }

    #[test]
    fn the_buffer_grows_for_a_larger_max_fragment() {
        let mut d = Deframer::new();
        d.set_max_fragment_len(100);
        d.set_capacity(100);
        let r = rec(23, 0x0303, &[3; 150]);
        // Only a header: the record's length is over the limit.
        d.feed(&r[..3]);
        assert_eq!(d.next_record().unwrap(), None);
        d.set_max_fragment_len(150);
        assert_eq!(
            d.feed(&r[3..]),
            r.len() - 3,
            "the buffer grew to take it all"
        );
        assert_eq!(d.allocated(), HEADER_LEN + 150);
        assert_eq!(d.next_record().unwrap().unwrap().payload.len(), 150);
    }

    #[test]
    fn a_buffer_started_small_grows_once_for_a_larger_record() {
        let mut d = Deframer::new();
        d.start_small();
        let small = rec(22, 0x0303, &[1; 300]);
        assert_eq!(d.feed(&small), small.len());
        assert_eq!(d.allocated(), Deframer::SMALL_HOLD);
        assert!(d.buf.capacity() <= 1024, "{}", d.buf.capacity());
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[1; 300][..]);
        // Records that fit never make it grow.
        for _ in 0..5 {
            assert_eq!(d.feed(&small), small.len());
            assert!(d.next_record().unwrap().is_some());
        }
        assert_eq!(d.allocated(), Deframer::SMALL_HOLD);
        // More than the small buffer holds, while a record waits to be drained: it grows
        // to the full size and takes it all, as a full-size buffer would.
        assert_eq!(d.feed(&small), small.len());
        let big = rec(23, 0x0303, &[2; 5000]);
        assert_eq!(d.feed(&big), big.len());
        assert_eq!(d.allocated(), Deframer::CAPACITY);
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[1; 300][..]);
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[2; 5000][..]);
        // Once grown, a released buffer comes back at the full size.
        assert!(d.release());
        assert_eq!(d.feed(&small), small.len());
        assert_eq!(d.allocated(), Deframer::CAPACITY);
    }

    #[test]
    fn spare_gives_room_for_a_whole_record_even_when_starting_small() {
        let mut d = Deframer::new();
        d.start_small();
        // Fed small first, then asked for room to receive (or seal) a record into.
        let small = rec(22, 0x0303, &[1; 100]);
        assert_eq!(d.feed(&small[..50]), 50);
        assert_eq!(d.allocated(), Deframer::SMALL_HOLD);
        let spare = d.spare();
        assert_eq!(
            spare.len(),
            Deframer::CAPACITY - 50,
            "grown, the partial record kept"
        );
        spare[..small.len() - 50].copy_from_slice(&small[50..]);
        assert_eq!(d.commit(small.len() - 50), small.len() - 50);
        assert_eq!(d.next_record().unwrap().unwrap().payload, &[1; 100][..]);
        // On a fresh deframer, straight away.
        let mut d = Deframer::new();
        d.start_small();
        assert_eq!(d.spare().len(), Deframer::CAPACITY);
    }

    #[test]
    fn preallocate_takes_the_full_size_even_when_starting_small() {
        let mut d = Deframer::new();
        d.start_small();
        d.preallocate();
        assert_eq!(d.allocated(), Deframer::CAPACITY);
    }

    #[test]
    fn a_small_start_never_exceeds_a_smaller_capacity() {
        let mut d = Deframer::new();
        d.start_small();
        d.set_max_fragment_len(512 + 24);
        d.set_capacity(512 + 24);
        assert_eq!(d.feed(&rec(23, 0x0303, &[4; 536])), 5 + 536);
        assert_eq!(d.allocated(), HEADER_LEN + 536);
        assert_eq!(d.next_record().unwrap().unwrap().payload.len(), 536);
    }
}
