//! The record layer (RFC 5246 section 6.2): framing, handshake reassembly, fragmentation.
//!
//! - [`Deframer`] cuts the incoming byte stream into records, in one record-sized buffer.
//! - [`HandshakeJoiner`] reassembles handshake messages from handshake record payloads.
//! - [`fragments`] splits an outgoing payload into records (the connection writes with it);
//!   [`write_records`] appends them to a buffer.
//!
//! Record protection (AEAD sealing and opening) lives next to these and works in place on
//! the payloads the deframer hands out. A connection's record-layer state (its keys and
//! their switch at ChangeCipherSpec, the send queue, the record versions, the close and
//! renegotiation policy) is one `RecordLayer` (crate-private, `layer.rs`).

use alloc::vec::Vec;

use crate::codec::enums::{ContentType, ProtocolVersion};
use crate::codec::{Codec, Reader};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

pub(crate) mod copy;
mod deframer;
mod fragmenter;
mod joiner;
pub(crate) mod layer;
pub mod limits;
pub mod protect;

pub use deframer::{Deframer, Record};
pub use fragmenter::{Fragments, fragments, write_records};
pub use joiner::{
    DEFAULT_MAX_HANDSHAKE_MESSAGE, HandshakeBytes, HandshakeJoiner, MAX_CLIENT_HELLO,
};

/// Length of a record header: type (1), version (2), length (2).
pub const HEADER_LEN: usize = 5;

/// The largest `TLSPlaintext.fragment` (2^14 bytes).
pub const MAX_PLAINTEXT: usize = 16384;

/// The largest `TLSCiphertext.fragment` (2^14 + 2048 bytes).
pub const MAX_CIPHERTEXT: usize = 16384 + 2048;

/// A record header: `TLSPlaintext` / `TLSCiphertext` without the fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordHeader {
    /// The content type of the fragment.
    pub typ: ContentType,
    /// The record-layer protocol version.
    pub version: ProtocolVersion,
    /// The fragment length in bytes.
    pub len: u16,
}

impl RecordHeader {
    /// The five header bytes, for writing into a caller's slice.
    pub const fn to_array(&self) -> [u8; HEADER_LEN] {
        let v = self.version.0.to_be_bytes();
        let l = self.len.to_be_bytes();
        [self.typ.0, v[0], v[1], l[0], l[1]]
    }

    /// Parses five header bytes and checks them as [`Deframer`] does: a content type this
    /// crate handles, a version in `0x0300..=0x0303`, a length at most [`MAX_CIPHERTEXT`].
    pub fn parse(bytes: [u8; HEADER_LEN]) -> Result<Self, DecodeError> {
        check_prefix(&bytes, MAX_CIPHERTEXT, false)?;
        Ok(Self::from_array(bytes))
    }

    const fn from_array(b: [u8; HEADER_LEN]) -> Self {
        Self {
            typ: ContentType(b[0]),
            version: ProtocolVersion(u16::from_be_bytes([b[1], b[2]])),
            len: u16::from_be_bytes([b[3], b[4]]),
        }
    }
}

/// The raw wire encoding. `read` checks nothing but the length of the input; use
/// [`RecordHeader::parse`] for the checks of the record layer.
impl Codec for RecordHeader {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        out.extend_from_slice(&self.to_array());
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::from_array(r.array("RecordHeader")?))
    }
}

/// Whether the record layer passes records of this content type up. Heartbeat (24) is not
/// implemented and is rejected like any unknown type.
const fn known_content_type(t: ContentType) -> bool {
    matches!(
        t,
        ContentType::CHANGE_CIPHER_SPEC
            | ContentType::ALERT
            | ContentType::HANDSHAKE
            | ContentType::APPLICATION_DATA
    )
}

/// Checks whatever prefix of a record header `b` holds (0 to 5 bytes): each field is
/// checked as soon as its bytes are present, in wire order. The version must be
/// `0x0300..=0x0303`, or any `{03,XX}` with `any_minor`.
fn check_prefix(b: &[u8], max_len: usize, any_minor: bool) -> Result<(), DecodeError> {
    if let Some(&t) = b.first() {
        if !known_content_type(ContentType(t)) {
            return Err(DecodeError::new(
                "RecordHeader.type",
                DecodeErrorKind::UnknownContentType,
            ));
        }
    }
    if let (Some(&major), Some(&minor)) = (b.get(1), b.get(2)) {
        if major != 3 || (minor > 3 && !any_minor) {
            return Err(DecodeError::new(
                "RecordHeader.version",
                DecodeErrorKind::BadVersion,
            ));
        }
    }
    if let (Some(&hi), Some(&lo)) = (b.get(3), b.get(4)) {
        if usize::from(u16::from_be_bytes([hi, lo])) > max_len {
            return Err(DecodeError::new(
                "RecordHeader.length",
                DecodeErrorKind::TooLarge,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_roundtrip() {
        let h = RecordHeader {
            typ: ContentType::HANDSHAKE,
            version: ProtocolVersion::TLS10,
            len: 0x1234,
        };
        assert_eq!(h.to_array(), [22, 3, 1, 0x12, 0x34]);
        assert_eq!(h.to_bytes().unwrap(), h.to_array());
        assert_eq!(RecordHeader::decode(&h.to_array()).unwrap(), h);
        assert_eq!(RecordHeader::parse(h.to_array()).unwrap(), h);
        assert_eq!(
            RecordHeader::decode(&[22, 3, 3, 0]).unwrap_err().kind,
            DecodeErrorKind::Truncated
        );
    }

    #[test]
    fn parse_checks_fields() {
        let kind = |b| RecordHeader::parse(b).unwrap_err().kind;
        assert_eq!(kind([24, 3, 3, 0, 0]), DecodeErrorKind::UnknownContentType);
        assert_eq!(kind([19, 3, 3, 0, 0]), DecodeErrorKind::UnknownContentType);
        assert_eq!(kind([23, 2, 0, 0, 0]), DecodeErrorKind::BadVersion);
        assert_eq!(kind([23, 3, 4, 0, 0]), DecodeErrorKind::BadVersion);
        assert_eq!(kind([23, 3, 3, 0x48, 0x01]), DecodeErrorKind::TooLarge);
        for minor in 0..=3 {
            let h = RecordHeader::parse([23, 3, minor, 0x48, 0x00]).unwrap();
            assert_eq!(usize::from(h.len), MAX_CIPHERTEXT);
        }
    }
}
