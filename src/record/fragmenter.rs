//! Splitting an outgoing payload into records.
//!
//! An empty payload yields no record at all: an empty application-data write sends
//! nothing (as rustls does), and handshake, alert and change_cipher_spec payloads are never
//! empty (RFC 5246 section 6.2.1 forbids zero-length handshake fragments).
//!
//! The maximum fragment length is clamped to `1..=MAX_PLAINTEXT`, so that every record
//! written is one a peer must accept.

use alloc::vec::Vec;
use core::iter::FusedIterator;

use super::{HEADER_LEN, MAX_PLAINTEXT, RecordHeader};
use crate::codec::enums::{ContentType, ProtocolVersion};

/// The records of one payload, in order: see [`fragments`].
#[derive(Debug, Clone)]
pub struct Fragments<'a> {
    typ: ContentType,
    version: ProtocolVersion,
    rest: &'a [u8],
    max_fragment: usize,
}

/// Splits `payload` into records of at most `max_fragment` bytes (clamped to
/// `1..=MAX_PLAINTEXT`), each with its header. Every record but the last is full. An empty
/// payload yields nothing.
///
/// ```
/// use tls12::internal::codec::enums::{ContentType, ProtocolVersion};
/// use tls12::internal::record::fragments;
///
/// let lens: Vec<u16> = fragments(ContentType::APPLICATION_DATA, ProtocolVersion::TLS12, &[0; 10], 4)
///     .map(|(header, chunk)| {
///         assert_eq!(usize::from(header.len), chunk.len());
///         header.len
///     })
///     .collect();
/// assert_eq!(lens, [4, 4, 2]);
/// ```
pub fn fragments(
    typ: ContentType,
    version: ProtocolVersion,
    payload: &[u8],
    max_fragment: usize,
) -> Fragments<'_> {
    Fragments {
        typ,
        version,
        rest: payload,
        max_fragment: clamp(max_fragment),
    }
}

fn clamp(max_fragment: usize) -> usize {
    max_fragment.clamp(1, MAX_PLAINTEXT)
}

impl<'a> Iterator for Fragments<'a> {
    type Item = (RecordHeader, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let (chunk, rest) = self.rest.split_at(self.rest.len().min(self.max_fragment));
        self.rest = rest;
        let header = RecordHeader {
            typ: self.typ,
            version: self.version,
            len: u16::try_from(chunk.len()).expect("chunk is at most MAX_PLAINTEXT bytes"),
        };
        Some((header, chunk))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.rest.len().div_ceil(self.max_fragment);
        (n, Some(n))
    }
}

impl ExactSizeIterator for Fragments<'_> {}
impl FusedIterator for Fragments<'_> {}

/// How many bytes [`write_records`] writes for a payload of `payload_len` bytes.
fn encoded_len(payload_len: usize, max_fragment: usize) -> usize {
    let records = payload_len.div_ceil(clamp(max_fragment));
    payload_len.saturating_add(records.saturating_mul(HEADER_LEN))
}

/// Appends the records of `payload` (header and chunk each) to `out`, reserving the space
/// once. See [`fragments`].
pub fn write_records(
    out: &mut Vec<u8>,
    typ: ContentType,
    version: ProtocolVersion,
    payload: &[u8],
    max_fragment: usize,
) {
    out.reserve(encoded_len(payload.len(), max_fragment));
    for (header, chunk) in fragments(typ, version, payload, max_fragment) {
        out.extend_from_slice(&header.to_array());
        out.extend_from_slice(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    const AD: ContentType = ContentType::APPLICATION_DATA;
    const V: ProtocolVersion = ProtocolVersion::TLS12;

    #[test]
    fn empty_payload_yields_nothing() {
        assert_eq!(fragments(AD, V, &[], 100).count(), 0);
        assert_eq!(encoded_len(0, 100), 0);
        let mut out = Vec::new();
        write_records(&mut out, AD, V, &[], 100);
        assert!(out.is_empty());
    }

    #[test]
    fn splits_at_max_fragment() {
        let payload: Vec<u8> = (0..=255).collect();
        let f = fragments(AD, V, &payload, 100);
        assert_eq!(f.len(), 3);
        let parts: Vec<_> = f.collect();
        assert_eq!(parts[0].0.len, 100);
        assert_eq!(parts[1].1, &payload[100..200]);
        assert_eq!(parts[2].0.len, 56);
        assert!(parts.iter().all(|(h, _)| h.typ == AD && h.version == V));
    }

    #[test]
    fn max_fragment_is_clamped() {
        let big = vec![1u8; MAX_PLAINTEXT * 2 + 1];
        let lens: Vec<u16> = fragments(AD, V, &big, usize::MAX)
            .map(|(h, _)| h.len)
            .collect();
        assert_eq!(lens, [16384, 16384, 1]);
        assert_eq!(fragments(AD, V, &[1, 2, 3], 0).count(), 3);
        assert_eq!(encoded_len(3, 0), 18);
    }

    #[test]
    fn write_records_bytes() {
        let mut out = Vec::new();
        write_records(&mut out, AD, V, &[7u8; 10], 4);
        assert_eq!(out.len(), encoded_len(10, 4));
        assert_eq!(out.len(), 25);
        assert_eq!(&out[..9], &[23, 3, 3, 0, 4, 7, 7, 7, 7]);
        assert_eq!(&out[18..], &[23, 3, 3, 0, 2, 7, 7]);
    }
}
