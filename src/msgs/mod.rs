//! Handshake, alert and change_cipher_spec messages: parse and encode side by side.
//!
//! One file per message family, following RFC 5246 section 7 and the extensions TLS 1.2
//! peers use (RFC 8422, 5077, 6066, 7301, 7627, 5746, 8449):
//!
//! - [`handshake`] holds the handshake header and [`HandshakeMessage`], dispatching on type.
//! - [`hello`] holds [`ClientHello`], [`ServerHello`], [`Random`], [`SessionId`].
//! - [`extensions`] holds [`ClientExtension`] and [`ServerExtension`].
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
    CertificateStatusRequest, ClientExtension, ClientExtensionRef, OcspStatusRequest,
    ServerExtension, ServerNameEntry,
};
pub use handshake::{HANDSHAKE_HEADER_LEN, HandshakeMessage, HandshakePayload};
pub use hello::{ClientHello, ClientHelloRef, Random, ServerHello, SessionId};
pub use kx::{
    ClientKeyExchangePayload, DigitallySigned, EcdhePskClientKeyExchange,
    EcdhePskServerKeyExchange, EcdheServerKeyExchange, KxContext, ServerKeyExchangePayload,
    ecdhe_params, signed_message,
};
pub use ticket::NewSessionTicket;
pub use trace::RecordTrace;

/// Reads a length-prefixed vector of two-byte items. An odd length is `BadLength`, as is an
/// empty vector when `nonempty` is set.
pub(crate) fn read_u16_list<T: Codec>(
    r: &mut Reader<'_>,
    len: LenPrefix,
    field: &'static str,
    nonempty: bool,
) -> Result<Vec<T>, DecodeError> {
    let mut sub = r.sub(len, field)?;
    if sub.left() % 2 != 0 || (nonempty && !sub.any_left()) {
        return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
    }
    let mut out = Vec::with_capacity(sub.left() / 2);
    while sub.any_left() {
        out.push(T::read(&mut sub).map_err(|e| DecodeError::new(field, e.kind))?);
    }
    Ok(out)
}

/// Reads a length-prefixed vector of one-byte items, optionally requiring it to be non-empty.
pub(crate) fn read_u8_list<T: Codec>(
    r: &mut Reader<'_>,
    field: &'static str,
    nonempty: bool,
) -> Result<Vec<T>, DecodeError> {
    let mut sub = r.sub(LenPrefix::U8, field)?;
    if nonempty && !sub.any_left() {
        return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
    }
    let mut out = Vec::with_capacity(sub.left());
    while sub.any_left() {
        out.push(T::read(&mut sub).map_err(|e| DecodeError::new(field, e.kind))?);
    }
    Ok(out)
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
    let mut sub = r.sub(outer, field)?;
    if nonempty && !sub.any_left() {
        return Err(DecodeError::new(field, DecodeErrorKind::BadLength));
    }
    let mut out = Vec::new();
    while sub.any_left() {
        out.push(sub.opaque_nonempty(inner, field)?.to_vec());
    }
    Ok(out)
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
