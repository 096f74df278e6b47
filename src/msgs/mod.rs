//! Handshake, alert and change_cipher_spec messages: parse and encode side by side.
//!
//! One file per message family, following RFC 5246 section 7 and the extensions TLS 1.2
//! peers use (RFC 8422, 5077, 6066, 7301, 7627, 5746, 8449):
//!
//! - [`handshake`] holds the handshake header and [`HandshakeMessage`], dispatching on type.
//! - [`hello`] holds [`ClientHello`], [`ServerHello`], [`Random`], [`SessionId`], and
//!   [`ClientHelloWire`]: a ClientHello checked where it lies, which the server reads
//!   (every check of a ClientHello is made there; the owned hello is it copied).
//! - [`extensions`] holds [`ClientExtension`] and [`ServerExtension`], and
//!   [`ClientExtensionWire`], a client extension checked where it lies.
//! - [`certificate`] holds [`CertificateChain`], [`CertificateRequest`], [`CertificateStatus`].
//! - [`kx`] holds key exchange messages and [`DigitallySigned`]; [`KxContext`] says how to
//!   read them.
//! - [`ticket`] holds [`NewSessionTicket`].
//! - [`alert`] and [`ccs`] hold the two non-handshake content types.
//!
//! # Decoding contract
//!
//! Every decoder is total: any byte string gives a value or a [`DecodeError`] naming the
//! field, never a panic, and no allocation is sized by a length field that has not been checked
//! against the input. Decoding is also *canonical*: whenever `T::decode(bytes)` succeeds,
//! encoding the value gives `bytes` back exactly. Unknown code points and unknown extensions
//! are kept, not dropped, so that holds for anything a peer may send; what cannot be
//! represented is rejected. The handshake transcript can therefore be hashed from either the
//! received bytes or the re-encoded message.
//!
//! Decoders check structure only (lengths, vector bounds, values the wire format forbids);
//! whether a message or extension is acceptable at this point of the handshake is for the
//! handshake layer to decide.
//!
//! # Example
//!
//! ```
//! use tls12::internal::codec::Codec;
//! use tls12::internal::codec::enums::{CipherSuite, CompressionMethod, ProtocolVersion};
//! use tls12::internal::msgs::{
//!     ClientExtension, ClientHello, HandshakeMessage, HandshakePayload, KxContext, Random,
//!     SessionId,
//! };
//!
//! let hello = ClientHello {
//!     version: ProtocolVersion::TLS12,
//!     random: Random([7; 32]),
//!     session_id: SessionId::EMPTY,
//!     cipher_suites: vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
//!     compression_methods: vec![CompressionMethod::NULL],
//!     extensions: Some(vec![
//!         ClientExtension::host_name(b"example.com"),
//!         ClientExtension::ExtendedMasterSecret,
//!     ]),
//! };
//! // Encoding is total: a value too long for a length prefix is an `EncodeError`.
//! let bytes = HandshakeMessage::from(hello.clone()).to_bytes()?;
//! assert_eq!(&bytes[..4], &[1, 0, 0, bytes.len() as u8 - 4]);
//!
//! let msg = HandshakeMessage::decode_with(&bytes, KxContext::Unknown)?;
//! let HandshakePayload::ClientHello(decoded) = &msg.payload else { unreachable!() };
//! assert_eq!(decoded.server_name(), Some(&b"example.com"[..]));
//! assert!(decoded.extended_master_secret());
//! assert_eq!(decoded, &hello);
//! # Ok::<(), tls12::Error>(())
//! ```
//!
//! [`DecodeError`]: crate::error::DecodeError

use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use crate::codec::enums::WireName;
use crate::codec::{Codec, LenPrefix, Reader};
use crate::error::{DecodeError, DecodeErrorKind};

pub mod alert;
pub mod ccs;
pub mod certificate;
pub mod extensions;
pub mod handshake;
pub mod hello;
pub mod kx;
pub mod ticket;
pub mod trace;

pub use alert::AlertMessage;
pub use ccs::ChangeCipherSpec;
pub use certificate::{CertificateChain, CertificateRequest, CertificateStatus};
pub use extensions::{
    CertificateStatusRequest, ClientExtension, ClientExtensionRef, ClientExtensionWire,
    OcspStatusRequest, ServerExtension, ServerNameEntry, ServerNames,
};
pub use handshake::{HANDSHAKE_HEADER_LEN, HandshakeMessage, HandshakePayload};
pub use hello::{ClientHello, ClientHelloRef, ClientHelloWire, Random, ServerHello, SessionId};
pub use kx::{
    ClientKeyExchangePayload, DigitallySigned, EcdhePskClientKeyExchange,
    EcdhePskServerKeyExchange, EcdheServerKeyExchange, KxContext, ServerKeyExchangePayload,
    ecdhe_params, signed_message,
};
pub use ticket::NewSessionTicket;
pub use trace::RecordTrace;

/// A length-prefixed vector of fixed-width code points, checked and left where it lies on
/// the wire: what a decoder hands out instead of collecting the values into a `Vec`.
pub struct WireItems<'a, T> {
    bytes: &'a [u8],
    _item: PhantomData<fn() -> T>,
}

impl<T> Clone for WireItems<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for WireItems<'_, T> {}

impl<'a, T: Codec + WireName> WireItems<'a, T> {
    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = T> + 'a {
        // Every chunk is whole (the length was checked), so no read fails.
        self.bytes
            .chunks_exact(T::WIDTH)
            .filter_map(|c| T::read(&mut Reader::new(c)).ok())
    }

    /// Whether `value` is among them.
    pub fn contains(&self, value: &T) -> bool
    where
        T: PartialEq,
    {
        self.iter().any(|v| v == *value)
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.bytes.len() / T::WIDTH
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The values, collected.
    pub fn to_vec(&self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        out.extend(self.iter());
        out
    }
}

impl<T: Codec + WireName + fmt::Debug> fmt::Debug for WireItems<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Reads a length-prefixed vector of fixed-width items (`T::WIDTH` bytes each), in place.
/// A length that is not a whole number of items is `BadLength`, as is an empty vector when
/// `nonempty` is set.
pub(crate) fn read_wire_items<'a, T: WireName>(
    r: &mut Reader<'a>,
    len: LenPrefix,
    field: &'static str,
    nonempty: bool,
) -> Result<WireItems<'a, T>, DecodeError> {
    let bytes = r.opaque(len, field)?;
    if bytes.len() % T::WIDTH != 0 || (nonempty && bytes.is_empty()) {
        return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
    }
    Ok(WireItems {
        bytes,
        _item: PhantomData,
    })
}

/// Reads a length-prefixed vector of two-byte items. An odd length is `BadLength`, as is an
/// empty vector when `nonempty` is set.
pub(crate) fn read_u16_list<T: Codec + WireName>(
    r: &mut Reader<'_>,
    len: LenPrefix,
    field: &'static str,
    nonempty: bool,
) -> Result<Vec<T>, DecodeError> {
    read_wire_items(r, len, field, nonempty).map(|items| items.to_vec())
}

/// Reads a length-prefixed vector of one-byte items, optionally requiring it to be non-empty.
pub(crate) fn read_u8_list<T: Codec + WireName>(
    r: &mut Reader<'_>,
    field: &'static str,
    nonempty: bool,
) -> Result<Vec<T>, DecodeError> {
    read_wire_items(r, LenPrefix::U8, field, nonempty).map(|items| items.to_vec())
}

/// A length-prefixed vector of length-prefixed, non-empty opaque values
/// (`opaque Item<1..2^n-1>; Item list<..>`), checked and left where it lies.
#[derive(Clone, Copy)]
pub struct OpaqueItems<'a> {
    bytes: &'a [u8],
    inner: LenPrefix,
}

impl<'a> OpaqueItems<'a> {
    /// The values in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut r = Reader::new(self.bytes);
        let inner = self.inner;
        // Every value was read once already, so no read fails.
        core::iter::from_fn(move || {
            if r.any_left() {
                r.opaque(inner, "").ok()
            } else {
                None
            }
        })
    }

    /// Whether `value` is among them.
    pub fn contains(&self, value: &[u8]) -> bool {
        self.iter().any(|v| v == value)
    }

    /// The values, copied.
    pub fn to_vec(&self) -> Vec<Vec<u8>> {
        self.iter().map(<[u8]>::to_vec).collect()
    }
}

impl fmt::Debug for OpaqueItems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Reads a vector of non-empty opaque values in place (see [`OpaqueItems`]).
pub(crate) fn read_opaque_items<'a>(
    r: &mut Reader<'a>,
    outer: LenPrefix,
    inner: LenPrefix,
    field: &'static str,
    nonempty: bool,
) -> Result<OpaqueItems<'a>, DecodeError> {
    let bytes = r.opaque(outer, field)?;
    if nonempty && bytes.is_empty() {
        return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
    }
    let mut sub = Reader::new(bytes);
    while sub.any_left() {
        sub.opaque_nonempty(inner, field)?;
    }
    Ok(OpaqueItems { bytes, inner })
}

/// Reads a length-prefixed vector of length-prefixed opaque values, each non-empty
/// (`opaque Item<1..2^n-1>; Item list<..>`).
pub(crate) fn read_opaque_list(
    r: &mut Reader<'_>,
    outer: LenPrefix,
    inner: LenPrefix,
    field: &'static str,
    nonempty: bool,
) -> Result<Vec<Vec<u8>>, DecodeError> {
    read_opaque_items(r, outer, inner, field, nonempty).map(|items| items.to_vec())
}

/// Writes a length-prefixed vector of length-prefixed opaque values.
pub(crate) fn put_opaque_list(
    out: &mut Vec<u8>,
    outer: LenPrefix,
    inner: LenPrefix,
    items: &[Vec<u8>],
) -> Result<(), crate::error::EncodeError> {
    let lp = crate::codec::LengthPrefixed::begin(out, outer);
    for it in items {
        crate::codec::put_opaque(out, inner, it)?;
    }
    lp.finish(out)
}
