//! Record protection with the AEAD ciphers (RFC 5246 section 6.2.3.3, RFC 5288, RFC 7905).
//!
//! One [`RecordSealer`] protects the records we send and one [`RecordOpener`] checks and
//! decrypts the records we receive; each keeps its direction's 64-bit sequence number.
//! Both work in place on buffers the caller owns and never allocate per record.
//!
//! For every record:
//!
//! - additional data = `seq_num (8) || type (1) || version (2) || plaintext length (2)`;
//! - AES-GCM (RFC 5288): nonce = `salt (4, from the key block) || explicit nonce (8)`; the
//!   explicit nonce travels at the start of the fragment. We send the sequence number as
//!   the explicit nonce (as OpenSSL and rustls do), so nonces never repeat under one key;
//!   on receipt we use whatever explicit nonce the peer sent;
//! - ChaCha20-Poly1305 (RFC 7905): nonce = `IV (12) XOR (0 (4) || seq_num (8))`, no explicit
//!   nonce;
//! - AES-128-CCM-8 (RFC 6655): as AES-GCM, with an 8-byte tag.
//!
//! A sealed record is `header (5) || explicit nonce || ciphertext || tag (16, or 8 for
//! CCM_8)`; see [`RecordSealer::seal_in_place`] for the buffer layout.
//!
//! # Errors
//!
//! - Every authentication failure of a received record — a bad tag, a fragment too short to
//!   hold the explicit nonce and tag, or anything else the AEAD rejects — is
//!   [`Error::bad_record_mac`], produced on one code path, so the cause is not observable.
//! - A fragment longer than 2^14 + 2048 bytes, or a decrypted plaintext longer than 2^14,
//!   is a decode error with kind [`TooLarge`](crate::DecodeErrorKind::TooLarge)
//!   (record_overflow alert).
//! - Sealing more than 2^14 bytes of plaintext, or into a buffer that is too small, is
//!   [`Error::Api`]: the caller must fragment first.
//! - Sequence numbers never wrap: once a direction's sequence number reaches 2^64 - 1, that
//!   direction refuses to seal or open with [`Error::internal`] (internal_error), because
//!   the next record would reuse a nonce and additional data. The connection must be closed
//!   long before; in practice this cannot be reached.
//!
//! The sequence number advances only when a record is sealed or opened successfully. A
//! failure leaves it unchanged, but every error is fatal to the connection anyway.

use alloc::boxed::Box;
use core::fmt;

use crate::codec::enums::{ContentType, ProtocolVersion};
use crate::crypto::{Aead, AeadAlgorithm, AeadKey};
use crate::error::{DecodeError, DecodeErrorKind, Error};
use zeroize::Zeroize;

/// Length of a record header: type (1), version (2), length (2).
pub const HEADER_LEN: usize = 5;
/// Largest plaintext fragment (2^14).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;
/// Largest protected fragment (2^14 + 2048).
pub const MAX_CIPHERTEXT_LEN: usize = MAX_PLAINTEXT_LEN + 2048;

const NONCE_LEN: usize = AeadAlgorithm::NONCE_LEN;
const AAD_LEN: usize = 13;

/// The state shared by both directions: key, IV template and sequence number.
struct Protection {
    key: Box<dyn AeadKey>,
    alg: AeadAlgorithm,
    /// GCM: `salt || 0^8`; ChaCha20-Poly1305: the 12-byte IV. Either way the nonce for
    /// sequence number `s` is `iv XOR (0^4 || s)`, which for GCM is `salt || s`.
    iv: [u8; NONCE_LEN],
    explicit_len: usize,
    /// The tag each record carries: 16 bytes, 8 for AES-128-CCM-8.
    tag_len: usize,
    seq: u64,
}

impl Protection {
    fn new(aead: &dyn Aead, key: &[u8], fixed_iv: &[u8]) -> Result<Self, Error> {
        let alg = aead.algorithm();
        let explicit_len = alg.explicit_nonce_len();
        if fixed_iv.len() != alg.fixed_iv_len() || fixed_iv.len() + explicit_len != NONCE_LEN {
            return Err(Error::internal("AEAD fixed IV length"));
        }
        let mut iv = [0u8; NONCE_LEN];
        iv[..fixed_iv.len()].copy_from_slice(fixed_iv);
        Ok(Self {
            key: aead.with_key(key)?,
            alg,
            iv,
            explicit_len,
            tag_len: alg.tag_len(),
            seq: 0,
        })
    }

    /// The sequence number for the next record, or an error if it is exhausted.
    #[inline]
    fn next_seq(&self) -> Result<u64, Error> {
        if self.seq == u64::MAX {
            return Err(Error::internal("record sequence number exhausted"));
        }
        Ok(self.seq)
    }

    #[inline]
    fn nonce_for_seq(&self, seq: u64) -> [u8; NONCE_LEN] {
        let mut nonce = self.iv;
        for (n, s) in nonce[NONCE_LEN - 8..].iter_mut().zip(seq.to_be_bytes()) {
            *n ^= s;
        }
        nonce
    }

    fn overhead(&self) -> usize {
        self.explicit_len + self.tag_len
    }

    /// Decrypts `fragment` in place; every failure is the same `Unauthentic`.
    #[inline]
    fn decrypt(
        &self,
        seq: u64,
        typ: ContentType,
        version: ProtocolVersion,
        fragment: &mut [u8],
    ) -> Result<usize, Unauthentic> {
        let explicit_len = self.explicit_len;
        let plain_len = fragment
            .len()
            .checked_sub(explicit_len + self.tag_len)
            .ok_or(Unauthentic)?;
        let (explicit, ciphertext) = fragment.split_at_mut(explicit_len);
        let mut nonce = self.nonce_for_seq(seq);
        nonce[NONCE_LEN - explicit_len..].copy_from_slice(explicit);
        let aad = aad(
            seq,
            typ,
            version,
            u16::try_from(plain_len).map_err(|_| Unauthentic)?,
        );
        let opened = self
            .key
            .open_in_place(&nonce, &aad, ciphertext)
            .map_err(|_| Unauthentic)?;
        if opened != plain_len {
            return Err(Unauthentic);
        }
        Ok(plain_len)
    }
}

impl Drop for Protection {
    fn drop(&mut self) {
        self.iv.zeroize();
    }
}

/// Any reason a received record fails authentication; always reported as bad_record_mac.
struct Unauthentic;

/// `seq_num || type || version || length`.
#[inline]
fn aad(seq: u64, typ: ContentType, version: ProtocolVersion, len: u16) -> [u8; AAD_LEN] {
    let mut aad = [0u8; AAD_LEN];
    aad[..8].copy_from_slice(&seq.to_be_bytes());
    aad[8] = typ.0;
    aad[9..11].copy_from_slice(&version.0.to_be_bytes());
    aad[11..].copy_from_slice(&len.to_be_bytes());
    aad
}

fn record_overflow(field: &'static str) -> Error {
    Error::Decode(DecodeError::new(field, DecodeErrorKind::TooLarge))
}

/// Protects the records one side sends. See the [module docs](self) for the construction.
///
/// ```
/// use tls12::internal::codec::enums::{ContentType, ProtocolVersion};
/// use tls12::crypto::{AeadAlgorithm, CryptoProvider};
/// use tls12::crypto::ring::RingProvider;
/// use tls12::internal::record::protect::{RecordOpener, RecordSealer, HEADER_LEN};
///
/// let aead = RingProvider.aead(AeadAlgorithm::Aes128Gcm).unwrap();
/// let (key, salt) = ([7u8; 16], [9u8; 4]);
/// let mut sealer = RecordSealer::new(aead, &key, &salt)?;
/// let mut opener = RecordOpener::new(aead, &key, &salt)?;
///
/// let msg = b"hello";
/// let mut buf = [0u8; 64];
/// let start = sealer.payload_offset();
/// buf[start..start + msg.len()].copy_from_slice(msg);
/// let n = sealer.seal_in_place(
///     ContentType::APPLICATION_DATA,
///     ProtocolVersion::TLS12,
///     &mut buf,
///     msg.len(),
/// )?;
/// assert_eq!(n, HEADER_LEN + sealer.overhead() + msg.len());
///
/// let plain = opener.open_in_place(
///     ContentType::APPLICATION_DATA,
///     ProtocolVersion::TLS12,
///     &mut buf[HEADER_LEN..n],
/// )?;
/// assert_eq!(plain, msg);
/// # Ok::<(), tls12::Error>(())
/// ```
pub struct RecordSealer(Protection);

impl RecordSealer {
    /// A sealer for `aead` keyed with `key` and the key block's `fixed_iv` (4 bytes for
    /// AES-GCM, 12 for ChaCha20-Poly1305), starting at sequence number 0.
    ///
    /// A wrong key or IV length is an internal error.
    pub fn new(aead: &dyn Aead, key: &[u8], fixed_iv: &[u8]) -> Result<Self, Error> {
        Protection::new(aead, key, fixed_iv).map(Self)
    }

    /// The cipher.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.0.alg
    }

    /// Bytes a record adds to its plaintext, besides the header: explicit nonce and tag.
    pub fn overhead(&self) -> usize {
        self.0.overhead()
    }

    /// Where the plaintext goes in the buffer passed to [`seal_in_place`](Self::seal_in_place):
    /// after the header and the explicit nonce.
    pub fn payload_offset(&self) -> usize {
        HEADER_LEN + self.0.explicit_len
    }

    /// The sequence number the next sealed record gets.
    pub fn seq(&self) -> u64 {
        self.0.seq
    }

    /// Sets the sequence number, to reach the wrap limit in a unit test. Never public: on a
    /// sealer it would reuse nonces on demand.
    #[cfg(test)]
    pub(crate) fn set_seq(&mut self, seq: u64) {
        self.0.seq = seq;
    }

    /// Seals one record in place and returns its total length (header included).
    ///
    /// `buf` is laid out as
    /// `[header: 5][explicit nonce: 8 or 0][payload: payload_len][tag: 16 or 8]...`: the caller
    /// puts the plaintext at [`payload_offset`](Self::payload_offset); this writes the
    /// header, the explicit nonce, the ciphertext over the plaintext, and the tag. Bytes
    /// after the record are untouched.
    ///
    /// Fails with [`Error::Api`] if `payload_len` is over 2^14 or `buf` is shorter than
    /// `payload_offset() + payload_len` plus the tag, and with an internal error if the sequence
    /// number is exhausted or the AEAD fails. On failure nothing is consumed.
    #[inline]
    pub fn seal_in_place(
        &mut self,
        typ: ContentType,
        version: ProtocolVersion,
        buf: &mut [u8],
        payload_len: usize,
    ) -> Result<usize, Error> {
        let p = &mut self.0;
        if payload_len > MAX_PLAINTEXT_LEN {
            return Err(Error::Api("record payload longer than 2^14 bytes"));
        }
        let fragment_len = p.explicit_len + payload_len + p.tag_len;
        let total = HEADER_LEN + fragment_len;
        // Both fit 16 bits: payload_len <= 2^14 and fragment_len <= 2^14 + 24.
        let (wire_payload_len, wire_fragment_len) =
            match (u16::try_from(payload_len), u16::try_from(fragment_len)) {
                (Ok(a), Ok(b)) => (a, b),
                _ => return Err(Error::Api("record payload longer than 2^14 bytes")),
            };
        let record = buf
            .get_mut(..total)
            .ok_or(Error::Api("record buffer too small"))?;
        let seq = p.next_seq()?;
        let nonce = p.nonce_for_seq(seq);
        let aad = aad(seq, typ, version, wire_payload_len);

        let (header, rest) = record.split_at_mut(HEADER_LEN);
        let (explicit, rest) = rest.split_at_mut(p.explicit_len);
        let (payload, tag_out) = rest.split_at_mut(payload_len);
        // GCM: the last 8 nonce bytes are the sequence number, sent as the explicit nonce.
        explicit.copy_from_slice(&nonce[NONCE_LEN - p.explicit_len..]);
        let tag = p.key.seal_in_place(&nonce, &aad, payload)?;
        tag_out.copy_from_slice(
            tag.get(..p.tag_len)
                .ok_or(Error::internal("AEAD tag length"))?,
        );

        header[0] = typ.0;
        header[1..3].copy_from_slice(&version.0.to_be_bytes());
        header[3..5].copy_from_slice(&wire_fragment_len.to_be_bytes());
        p.seq = seq + 1;
        Ok(total)
    }
}

impl fmt::Debug for RecordSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordSealer")
            .field("algorithm", &self.0.alg)
            .field("seq", &self.0.seq)
            .finish_non_exhaustive()
    }
}

/// Checks and decrypts the records the peer sends. See the [module docs](self).
pub struct RecordOpener(Protection);

impl RecordOpener {
    /// An opener for `aead` keyed with `key` and the key block's `fixed_iv` (4 bytes for
    /// AES-GCM, 12 for ChaCha20-Poly1305), starting at sequence number 0.
    ///
    /// A wrong key or IV length is an internal error.
    pub fn new(aead: &dyn Aead, key: &[u8], fixed_iv: &[u8]) -> Result<Self, Error> {
        Protection::new(aead, key, fixed_iv).map(Self)
    }

    /// The cipher.
    pub fn algorithm(&self) -> AeadAlgorithm {
        self.0.alg
    }

    /// Bytes a record adds to its plaintext, besides the header: explicit nonce and tag.
    pub fn overhead(&self) -> usize {
        self.0.overhead()
    }

    /// The sequence number the next opened record is expected to have.
    pub fn seq(&self) -> u64 {
        self.0.seq
    }

    /// Sets the sequence number, to reach the wrap limit in a unit test. Never public: on a
    /// sealer it would reuse nonces on demand.
    #[cfg(test)]
    pub(crate) fn set_seq(&mut self, seq: u64) {
        self.0.seq = seq;
    }

    /// Authenticates and decrypts one record's `fragment` (everything after the 5-byte
    /// header whose `typ` and `version` are given) in place, and returns the plaintext,
    /// a sub-slice of `fragment`.
    ///
    /// Errors: a fragment over 2^14 + 2048 bytes or a plaintext over 2^14 is
    /// record_overflow; any authentication failure (including a fragment shorter than the
    /// explicit nonce and tag) is [`Error::bad_record_mac`]; an exhausted sequence number is
    /// an internal error. On error the fragment's contents are unspecified.
    #[inline]
    pub fn open_in_place<'a>(
        &mut self,
        typ: ContentType,
        version: ProtocolVersion,
        fragment: &'a mut [u8],
    ) -> Result<&'a mut [u8], Error> {
        let p = &mut self.0;
        if fragment.len() > MAX_CIPHERTEXT_LEN {
            return Err(record_overflow("TLSCiphertext.fragment"));
        }
        let seq = p.next_seq()?;
        let plain_len = p
            .decrypt(seq, typ, version, fragment)
            .map_err(|Unauthentic| Error::bad_record_mac())?;
        if plain_len > MAX_PLAINTEXT_LEN {
            return Err(record_overflow("TLSPlaintext.fragment"));
        }
        p.seq = seq + 1;
        let start = p.explicit_len;
        fragment
            .get_mut(start..start + plain_len)
            .ok_or(Error::internal("record plaintext bounds"))
    }
}

impl fmt::Debug for RecordOpener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordOpener")
            .field("algorithm", &self.0.alg)
            .field("seq", &self.0.seq)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::AlertDescription;
    use crate::crypto::CryptoProvider;
    use crate::crypto::ring::RingProvider;
    use alloc::vec;
    use alloc::vec::Vec;

    const APP: ContentType = ContentType::APPLICATION_DATA;
    const TLS12: ProtocolVersion = ProtocolVersion::TLS12;

    #[test]
    fn sequence_numbers_refuse_to_wrap() {
        for alg in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::ChaCha20Poly1305,
        ] {
            let aead = RingProvider.aead(alg).expect("ring has every AEAD");
            let key: Vec<u8> = (0..alg.key_len()).map(|i| 0x40 + i as u8).collect();
            let iv: Vec<u8> = (0..alg.fixed_iv_len()).map(|i| 0xa0 + i as u8).collect();
            let mut sealer = RecordSealer::new(aead, &key, &iv).expect("key and IV lengths");
            let mut opener = RecordOpener::new(aead, &key, &iv).expect("key and IV lengths");
            sealer.set_seq(u64::MAX - 1);
            opener.set_seq(u64::MAX - 1);

            // The last usable sequence number, 2^64 - 2, works both ways (and is the
            // explicit nonce with AES-GCM).
            let mut rec = vec![0u8; HEADER_LEN + sealer.overhead() + 4];
            let at = sealer.payload_offset();
            rec[at..at + 4].copy_from_slice(b"last");
            let n = sealer.seal_in_place(APP, TLS12, &mut rec, 4).expect("seal");
            assert_eq!(n, rec.len());
            if alg != AeadAlgorithm::ChaCha20Poly1305 {
                assert_eq!(
                    rec[HEADER_LEN..HEADER_LEN + 8],
                    (u64::MAX - 1).to_be_bytes()
                );
            }
            assert_eq!(sealer.seq(), u64::MAX);
            let mut f = rec[HEADER_LEN..].to_vec();
            assert_eq!(
                opener.open_in_place(APP, TLS12, &mut f).expect("open"),
                b"last"
            );
            assert_eq!(opener.seq(), u64::MAX);

            // Then both directions refuse, before touching the AEAD.
            let mut buf = vec![0u8; 64];
            let e = sealer.seal_in_place(APP, TLS12, &mut buf, 4).unwrap_err();
            assert_eq!(e.alert(), Some(AlertDescription::INTERNAL_ERROR), "{e:?}");
            assert!(buf.iter().all(|&b| b == 0), "nothing written");
            assert_eq!(sealer.seq(), u64::MAX);
            let mut f = rec[HEADER_LEN..].to_vec();
            let e = opener.open_in_place(APP, TLS12, &mut f).unwrap_err();
            assert_eq!(e.alert(), Some(AlertDescription::INTERNAL_ERROR), "{e:?}");
            assert_eq!(opener.seq(), u64::MAX);
        }
    }
}
