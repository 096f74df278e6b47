//! Reassembling handshake messages from handshake record payloads (RFC 5246 section 6.2.1:
//! one message may span many records, one record may carry many messages).

use alloc::vec::Vec;

use super::MAX_PLAINTEXT;
use crate::codec::enums::HandshakeType;
use crate::error::{DecodeError, DecodeErrorKind, Error};

/// The default largest handshake message body accepted: 64 KiB.
pub const DEFAULT_MAX_HANDSHAKE_MESSAGE: usize = 65536;

/// The default largest ClientHello body a server accepts: 131,396 bytes, OpenSSL's
/// `CLIENT_HELLO_MAX_LENGTH` (long suite lists, thousands of extensions and padding are
/// all legal; see [`HandshakeJoiner::set_max_client_hello_len`]).
pub const MAX_CLIENT_HELLO: usize = 131_396;

/// Length of a handshake message header: type (1), length (3).
const HANDSHAKE_HEADER_LEN: usize = 4;

/// One whole handshake message, borrowed from the joiner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeBytes<'a> {
    /// The message type.
    pub typ: HandshakeType,
    /// The message body, without its 4-byte header.
    pub body: &'a [u8],
    /// Header and body: the bytes the transcript hash covers.
    pub encoded: &'a [u8],
}

impl<'a> HandshakeBytes<'a> {
    /// The first message of `bytes` and what follows it, if `bytes` starts with a whole
    /// message (lengths unchecked: see [`HandshakeJoiner::whole_prefix`]).
    pub fn split_first(bytes: &'a [u8]) -> Option<(Self, &'a [u8])> {
        let head = bytes.first_chunk::<HANDSHAKE_HEADER_LEN>()?;
        let len = u32::from_be_bytes([0, head[1], head[2], head[3]]) as usize;
        let total = HANDSHAKE_HEADER_LEN.checked_add(len)?;
        let (encoded, rest) = bytes.split_at_checked(total)?;
        Some((
            Self {
                typ: HandshakeType(head[0]),
                body: &encoded[HANDSHAKE_HEADER_LEN..],
                encoded,
            },
            rest,
        ))
    }
}

/// Reassembles handshake messages from the payloads of handshake records.
///
/// # Contract
///
/// For each handshake record, [`push`](Self::push) its (decrypted) payload, then
/// [`pop`](Self::pop) until it returns `Ok(None)`. Pushing while a whole message is still
/// waiting to be popped is an API error: draining first is what bounds the buffer to
/// `4 + max_message_len + MAX_PLAINTEXT` bytes (with the ClientHello bound instead, if
/// larger). The buffer is one `Vec` that grows with
/// the bytes actually pushed (never with a length announced by the peer) and is reused:
/// once it has reached its high-water mark, nothing more is allocated.
///
/// A popped message borrows the joiner; its bytes are released by the next `push`.
///
/// [`is_empty`](Self::is_empty) says whether bytes of a message are still pending, so the
/// caller can reject a record of another content type (ChangeCipherSpec, application data)
/// arriving in the middle of a fragmented handshake message.
///
/// Errors are fatal and sticky: after one, `push` and `pop` return it again.
///
/// ```
/// use tls12::enums::HandshakeType;
/// use tls12::internal::record::HandshakeJoiner;
///
/// let mut joiner = HandshakeJoiner::default();
/// // ServerHelloDone (empty body) split over two records, then a Finished in the second.
/// joiner.push(&[14, 0])?;
/// assert!(joiner.pop()?.is_none());
/// assert!(!joiner.is_empty());
/// joiner.push(&[0, 0, 20, 0, 0, 2, 0xaa, 0xbb])?;
/// let done = joiner.pop()?.expect("a whole message is buffered");
/// assert_eq!(done.typ, HandshakeType::SERVER_HELLO_DONE);
/// assert_eq!(done.encoded, [14, 0, 0, 0]);
/// let finished = joiner.pop()?.expect("a whole message is buffered");
/// assert_eq!(finished.body, [0xaa, 0xbb]);
/// assert!(joiner.pop()?.is_none());
/// assert!(joiner.is_empty());
/// # Ok::<(), tls12::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HandshakeJoiner {
    /// Pushed bytes; `buf[..start]` has been popped already.
    buf: Vec<u8>,
    /// First byte not yet popped.
    start: usize,
    /// Largest message body accepted.
    max_message_len: usize,
    /// Largest ClientHello body accepted.
    max_client_hello_len: usize,
    /// The sticky error.
    error: Option<Error>,
}

impl Default for HandshakeJoiner {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_HANDSHAKE_MESSAGE)
    }
}

impl HandshakeJoiner {
    /// A joiner accepting message bodies of at most `max_message_len` bytes. Allocates
    /// nothing until the first push.
    pub const fn new(max_message_len: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            max_message_len,
            max_client_hello_len: max_message_len,
            error: None,
        }
    }

    /// Sets the largest ClientHello body accepted, which otherwise is `max_message_len`
    /// like every other type's: a server raises it to [`MAX_CLIENT_HELLO`]. The buffer still
    /// grows only with the bytes pushed.
    pub fn set_max_client_hello_len(&mut self, max: usize) {
        self.max_client_hello_len = max;
    }

    /// Frees the buffer if no message bytes are pending (see [`is_empty`](Self::is_empty)),
    /// and says whether it did. The next `push` allocates again.
    pub fn release(&mut self) -> bool {
        if !self.is_empty() {
            return false;
        }
        self.buf = Vec::new();
        self.start = 0;
        true
    }

    /// Appends the payload of one handshake record.
    ///
    /// Errors: an empty fragment is `BadLength` (decode_error; RFC 5246 section 6.2.1 forbids
    /// zero-length handshake fragments); a fragment over [`MAX_PLAINTEXT`] is `TooLarge`
    /// (record_overflow); a message header announcing more than `max_message_len` bytes (the
    /// ClientHello bound for a ClientHello) is `MessageTooLarge` (illegal_parameter, as
    /// OpenSSL answers), reported as soon as its four header bytes are in, before its body
    /// is buffered. Pushing while a whole message waits to be popped is [`Error::Api`].
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), Error> {
        self.sticky(|j| j.push_inner(fragment))
    }

    /// Runs `f` unless an error is already recorded (which is returned again), and records
    /// the error `f` returns: every error of the joiner is fatal and sticky.
    fn sticky<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, Error>) -> Result<T, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let result = f(self);
        if let Err(e) = &result {
            self.error = Some(e.clone());
        }
        result
    }

    /// A handshake record's payload may be neither empty nor over [`MAX_PLAINTEXT`].
    fn check_fragment(fragment: &[u8]) -> Result<(), Error> {
        if fragment.is_empty() {
            return Err(DecodeError::new("Handshake fragment", DecodeErrorKind::BadLength).into());
        }
        if fragment.len() > MAX_PLAINTEXT {
            return Err(DecodeError::new("Handshake fragment", DecodeErrorKind::TooLarge).into());
        }
        Ok(())
    }

    /// Checks every complete message header in `bytes` (which start at a message) and
    /// returns how many of the first bytes are whole messages.
    fn whole_messages(&self, bytes: &[u8]) -> Result<usize, Error> {
        let (mut at, mut whole) = (0, 0);
        while let Some(head) = bytes
            .get(at..)
            .and_then(|r| r.first_chunk::<HANDSHAKE_HEADER_LEN>())
        {
            at += HANDSHAKE_HEADER_LEN + self.checked_body_len(head)?;
            if at <= bytes.len() {
                whole = at;
            }
        }
        Ok(whole)
    }

    fn push_inner(&mut self, fragment: &[u8]) -> Result<(), Error> {
        Self::check_fragment(fragment)?;
        if self.next_len()?.is_some() {
            return Err(Error::Api(
                "HandshakeJoiner::push called before popping every whole message",
            ));
        }
        // Release popped bytes. Only the pending partial message (if any) is moved.
        self.buf.drain(..self.start);
        self.start = 0;
        self.grow_for(fragment.len());
        self.buf.extend_from_slice(fragment);
        // Check every header that is now complete, so an oversized message is reported
        // before its body is waited for.
        self.whole_messages(&self.buf)?;
        Ok(())
    }

    /// For a record that arrives while nothing is pending ([`is_empty`](Self::is_empty)):
    /// checks `fragment` as [`push`](Self::push) would (its length, and every message
    /// header in it), and returns how many of its first bytes are whole messages. Those
    /// can be handled where they are, with [`HandshakeBytes::split_first`], and only the
    /// rest pushed: a record of whole messages is never copied. Errors are those of
    /// `push`, and as sticky; a pending message is [`Error::Api`].
    pub fn whole_prefix(&mut self, fragment: &[u8]) -> Result<usize, Error> {
        self.sticky(|j| j.whole_prefix_inner(fragment))
    }

    fn whole_prefix_inner(&self, fragment: &[u8]) -> Result<usize, Error> {
        if !self.is_empty() {
            return Err(Error::Api(
                "HandshakeJoiner::whole_prefix called with a message pending",
            ));
        }
        Self::check_fragment(fragment)?;
        self.whole_messages(fragment)
    }

    /// The next whole message, `Ok(None)` if none is buffered. The message's bytes stay
    /// valid until the next `push`.
    pub fn pop(&mut self) -> Result<Option<HandshakeBytes<'_>>, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let total = match self.next_len() {
            Ok(Some(total)) => total,
            Ok(None) => return Ok(None),
            Err(e) => {
                self.error = Some(e.clone());
                return Err(e);
            }
        };
        let encoded = &self.buf[self.start..self.start + total];
        self.start += total;
        Ok(Some(HandshakeBytes {
            typ: HandshakeType(encoded[0]),
            body: &encoded[HANDSHAKE_HEADER_LEN..],
            encoded,
        }))
    }

    /// Whether no bytes of a message are pending: everything pushed has been popped.
    pub fn is_empty(&self) -> bool {
        self.start == self.buf.len()
    }

    /// The largest message body this joiner accepts.
    pub const fn max_message_len(&self) -> usize {
        self.max_message_len
    }

    /// Makes room for `extra` more bytes. Growth doubles, as `Vec` does, but never past
    /// the bound of the contract: a partial message plus one record.
    fn grow_for(&mut self, extra: usize) {
        let needed = self.buf.len() + extra;
        if needed <= self.buf.capacity() {
            return;
        }
        let bound = (HANDSHAKE_HEADER_LEN + MAX_PLAINTEXT)
            .saturating_add(self.max_message_len.max(self.max_client_hello_len));
        let target = self.buf.capacity().saturating_mul(2).min(bound).max(needed);
        self.buf.reserve_exact(target - self.buf.len());
    }

    /// Header plus body length of the message at `start`, if it is all buffered.
    fn next_len(&self) -> Result<Option<usize>, Error> {
        let rest = &self.buf[self.start..];
        let Some(head) = rest.first_chunk::<HANDSHAKE_HEADER_LEN>() else {
            return Ok(None);
        };
        let total = HANDSHAKE_HEADER_LEN + self.checked_body_len(head)?;
        Ok((rest.len() >= total).then_some(total))
    }

    fn checked_body_len(&self, head: &[u8; HANDSHAKE_HEADER_LEN]) -> Result<usize, Error> {
        let len = u32::from_be_bytes([0, head[1], head[2], head[3]]) as usize;
        let max = if HandshakeType(head[0]) == HandshakeType::CLIENT_HELLO {
            self.max_client_hello_len
        } else {
            self.max_message_len
        };
        if len > max {
            return Err(DecodeError::new(
                "HandshakeMessage.length",
                DecodeErrorKind::MessageTooLarge,
            )
            .into());
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::AlertDescription;
    use alloc::vec;

    fn msg(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ];
        v.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        v.extend_from_slice(body);
        v
    }

    fn drain(j: &mut HandshakeJoiner) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        while let Some(m) = j.pop().unwrap() {
            assert_eq!(&m.encoded[HANDSHAKE_HEADER_LEN..], m.body);
            assert_eq!(m.encoded[0], m.typ.0);
            out.push((m.typ.0, m.body.to_vec()));
        }
        out
    }

    #[test]
    fn many_messages_in_one_record() {
        let mut j = HandshakeJoiner::default();
        let mut rec = msg(2, &[1; 70]);
        rec.extend(msg(11, &[2; 300]));
        rec.extend(msg(14, &[]));
        j.push(&rec).unwrap();
        assert_eq!(
            drain(&mut j),
            [(2, vec![1; 70]), (11, vec![2; 300]), (14, vec![])]
        );
        assert!(j.is_empty());
    }

    #[test]
    fn one_message_over_many_records() {
        let m = msg(11, &[9; 40_000]);
        let mut j = HandshakeJoiner::default();
        for (i, chunk) in m.chunks(MAX_PLAINTEXT).enumerate() {
            assert!(i == 0 || !j.is_empty());
            j.push(chunk).unwrap();
            if i < 2 {
                assert_eq!(j.pop().unwrap(), None);
            }
        }
        let got = j.pop().unwrap().unwrap();
        assert_eq!(got.typ, HandshakeType::CERTIFICATE);
        assert_eq!(got.encoded, m);
        assert_eq!(j.pop().unwrap(), None);
        assert!(j.is_empty());
    }

    #[test]
    fn header_split_byte_by_byte() {
        let mut stream = msg(20, &[5; 12]);
        stream.extend(msg(0, &[]));
        let mut j = HandshakeJoiner::default();
        let mut got = Vec::new();
        for b in &stream {
            j.push(core::slice::from_ref(b)).unwrap();
            got.extend(drain(&mut j));
        }
        assert_eq!(got, [(20, vec![5; 12]), (0, vec![])]);
        assert!(j.is_empty());
    }

    #[test]
    fn message_too_large_from_header_alone() {
        let mut j = HandshakeJoiner::new(1000);
        j.push(&msg(11, &[0; 1000])).unwrap();
        assert_eq!(j.pop().unwrap().unwrap().body.len(), 1000);
        // 1001 announced: rejected on push of the header, body never sent.
        let e = j.push(&[11, 0, 0x03, 0xe9]).unwrap_err();
        let Error::Decode(d) = &e else {
            panic!("expected a decode error, got {e:?}")
        };
        assert_eq!(
            *d,
            DecodeError::new("HandshakeMessage.length", DecodeErrorKind::MessageTooLarge)
        );
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        // Sticky.
        assert_eq!(j.pop().unwrap_err(), e);
        assert_eq!(j.push(&[1]).unwrap_err(), e);

        // Largest u24 with the default maximum; header split over two pushes.
        let mut j = HandshakeJoiner::default();
        j.push(&[1, 0xff]).unwrap();
        assert_eq!(j.push(&[0xff, 0xff]).unwrap_err(), e);

        // A too-large second message behind a whole first one in the same record.
        let mut j = HandshakeJoiner::new(10);
        let mut rec = msg(1, &[0; 3]);
        rec.extend([2, 0, 0, 11]);
        assert_eq!(j.push(&rec).unwrap_err(), e);
    }

    #[test]
    fn client_hello_has_its_own_bound_and_nothing_is_preallocated() {
        let mut j = HandshakeJoiner::new(1000);
        j.set_max_client_hello_len(MAX_CLIENT_HELLO);
        // A ClientHello announcing the largest size: accepted from the header, and the
        // buffer holds what arrived, not what was announced.
        let len = (MAX_CLIENT_HELLO as u32).to_be_bytes();
        j.push(&[1, len[1], len[2], len[3], 0, 0]).unwrap();
        assert!(j.pop().unwrap().is_none());
        assert!(j.buf.capacity() < 1024, "{}", j.buf.capacity());
        // Fed up to its end, it comes out whole.
        let mut left = MAX_CLIENT_HELLO - 2;
        while left > 0 {
            let n = left.min(MAX_PLAINTEXT);
            j.push(&vec![7; n]).unwrap();
            left -= n;
        }
        assert_eq!(j.pop().unwrap().unwrap().body.len(), MAX_CLIENT_HELLO);
        // One more byte is refused from the header; other types keep their bound.
        let over = (MAX_CLIENT_HELLO as u32 + 1).to_be_bytes();
        let mut j2 = j.clone();
        let e = j2.push(&[1, over[1], over[2], over[3]]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        let e = j.push(&[11, 0, 0x03, 0xe9]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
    }

    #[test]
    fn empty_fragment_is_decode_error() {
        let mut j = HandshakeJoiner::default();
        let e = j.push(&[]).unwrap_err();
        assert_eq!(
            e,
            Error::Decode(DecodeError::new(
                "Handshake fragment",
                DecodeErrorKind::BadLength
            ))
        );
        assert_eq!(e.alert(), Some(AlertDescription::DECODE_ERROR));
        assert_eq!(j.pop().unwrap_err(), e);
    }

    #[test]
    fn oversized_fragment_is_record_overflow() {
        let mut j = HandshakeJoiner::default();
        let e = j.push(&vec![0; MAX_PLAINTEXT + 1]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::RECORD_OVERFLOW));
    }

    #[test]
    fn push_before_draining_is_api_error() {
        let mut j = HandshakeJoiner::default();
        j.push(&msg(14, &[])).unwrap();
        assert!(matches!(j.push(&msg(14, &[])), Err(Error::Api(_))));
    }

    #[test]
    fn release_frees_only_when_nothing_is_pending() {
        let mut j = HandshakeJoiner::default();
        let m = msg(20, &[1; 12]);
        j.push(&m[..5]).unwrap();
        assert!(j.pop().unwrap().is_none());
        assert!(!j.release(), "half a message is pending");
        assert!(j.buf.capacity() > 0);
        j.push(&m[5..]).unwrap();
        assert_eq!(j.pop().unwrap().unwrap().body, &[1; 12]);
        assert!(j.release());
        assert_eq!(j.buf.capacity(), 0);
        // Works as before afterwards.
        j.push(&m).unwrap();
        assert_eq!(j.pop().unwrap().unwrap().encoded, &m[..]);
    }

    #[test]
    fn allocation_is_reused() {
        let mut j = HandshakeJoiner::default();
        let mut rec = msg(11, &[1; 5000]);
        rec.extend(msg(12, &[2; 3000]));
        // Leaves a partial message that is carried over.
        rec.extend(&msg(16, &[3; 100])[..50]);
        j.push(&rec).unwrap();
        drain(&mut j);
        let cap = j.buf.capacity();
        for _ in 0..100 {
            j.push(&msg(16, &[3; 100])[50..]).unwrap();
            assert_eq!(drain(&mut j), [(16, vec![3; 100])]);
            let mut next = msg(20, &[4; 12]);
            next.extend(&msg(16, &[3; 100])[..50]);
            j.push(&next).unwrap();
            assert_eq!(drain(&mut j), [(20, vec![4; 12])]);
            assert!(!j.is_empty());
        }
        assert_eq!(j.buf.capacity(), cap);
    }

    #[test]
    fn whole_prefix_covers_the_whole_messages_and_split_first_walks_them() {
        let mut j = HandshakeJoiner::default();
        let mut rec = msg(2, &[1; 70]);
        rec.extend(msg(14, &[]));
        let whole = rec.len();
        rec.extend(&msg(11, &[3; 50])[..20]);
        assert_eq!(j.whole_prefix(&rec).unwrap(), whole);
        let (first, rest) = HandshakeBytes::split_first(&rec[..whole]).unwrap();
        assert_eq!((first.typ, first.body.len()), (HandshakeType(2), 70));
        let (second, rest) = HandshakeBytes::split_first(rest).unwrap();
        assert_eq!(
            (second.typ, second.encoded),
            (HandshakeType(14), &[14, 0, 0, 0][..])
        );
        assert!(rest.is_empty());
        assert!(
            HandshakeBytes::split_first(&rec[whole..]).is_none(),
            "a partial message"
        );
        assert!(j.is_empty(), "nothing was copied in");
        // Only a partial message: no whole prefix.
        assert_eq!(j.whole_prefix(&rec[whole..]).unwrap(), 0);
    }

    #[test]
    fn whole_prefix_checks_every_header_as_push_does_and_the_error_sticks() {
        let mut j = HandshakeJoiner::new(100);
        let mut rec = msg(2, &[1; 10]);
        rec.extend([11, 0, 0, 101]); // announces one byte more than allowed
        let e = j.whole_prefix(&rec).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        assert_eq!(j.whole_prefix(&msg(14, &[])).unwrap_err(), e);
        assert_eq!(j.push(&msg(14, &[])).unwrap_err(), e);
        let mut j = HandshakeJoiner::default();
        assert!(j.whole_prefix(&[]).is_err(), "an empty fragment");
        let mut j = HandshakeJoiner::default();
        j.push(&[14, 0]).unwrap();
        assert!(
            matches!(j.whole_prefix(&[0, 0]), Err(Error::Api(_))),
            "a message pending"
        );
    }
}
