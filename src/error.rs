//! The one error type of the crate.
//!
//! Every error is fatal: once a connection returns one, it returns the same error from then
//! on, after sending the alert that [`Error::alert`] names (if any). Each variant is a category
//! (decode, peer misbehaved, negotiation, certificate, crypto, alert received, config, API
//! misuse, internal); each carries what went wrong and maps to exactly one alert description.

use alloc::string::ToString;
use alloc::sync::Arc;
use core::fmt;

use crate::codec::enums::AlertDescription;

/// What kind of malformation a [`DecodeError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended before the field did (or a length prefix points past the end).
    Truncated,
    /// Bytes remained after a whole message or a length-delimited field was decoded.
    TrailingData,
    /// A length or count is not allowed by the protocol (empty where it must not be,
    /// odd length of a list of u16, ...).
    BadLength,
    /// The field is well formed but carries a value that is not allowed here.
    IllegalValue,
    /// The same extension appears twice in one message.
    Duplicate,
    /// A record exceeds the protocol maximum (record_overflow).
    TooLarge,
    /// A handshake message announces a length over the configured maximum.
    MessageTooLarge,
    /// A record header names an unknown content type.
    UnknownContentType,
    /// A record header names a protocol version we do not speak.
    BadVersion,
}

/// Bytes from the peer that do not decode. Names the field that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// The field (or message) being decoded, e.g. `"ClientHello.cipher_suites"`.
    pub field: &'static str,
    /// What was wrong with it.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    /// A new decode error for `field`.
    pub const fn new(field: &'static str, kind: DecodeErrorKind) -> Self {
        Self { field, kind }
    }

    /// The alert a peer must receive for this error.
    pub const fn alert(&self) -> AlertDescription {
        match self.kind {
            DecodeErrorKind::Truncated
            | DecodeErrorKind::TrailingData
            | DecodeErrorKind::BadLength => AlertDescription::DECODE_ERROR,
            DecodeErrorKind::IllegalValue | DecodeErrorKind::MessageTooLarge => {
                AlertDescription::ILLEGAL_PARAMETER
            }
            DecodeErrorKind::Duplicate => AlertDescription::UNSUPPORTED_EXTENSION,
            DecodeErrorKind::TooLarge => AlertDescription::RECORD_OVERFLOW,
            DecodeErrorKind::UnknownContentType => AlertDescription::UNEXPECTED_MESSAGE,
            DecodeErrorKind::BadVersion => AlertDescription::PROTOCOL_VERSION,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DecodeErrorKind::Truncated => "truncated",
            DecodeErrorKind::TrailingData => "has trailing data",
            DecodeErrorKind::BadLength => "has a bad length",
            DecodeErrorKind::IllegalValue => "has an illegal value",
            DecodeErrorKind::Duplicate => "is duplicated",
            DecodeErrorKind::TooLarge => "is too large",
            DecodeErrorKind::MessageTooLarge => "is over the maximum handshake message size",
            DecodeErrorKind::UnknownContentType => "has an unknown content type",
            DecodeErrorKind::BadVersion => "has an unsupported version",
        };
        write!(f, "{} {}", self.field, what)
    }
}

/// A value too long for the length prefix it is encoded under (RFC 5246 section 4.3).
///
/// Encoding never panics: this is what it returns instead. Peer values we keep are bounded
/// where they enter, so from a connection this is an internal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeError {
    /// The length of the body that did not fit.
    pub len: usize,
    /// The most its length prefix can carry.
    pub max: usize,
}

impl EncodeError {
    /// A body of `len` bytes under a prefix that carries at most `max`.
    pub const fn new(len: usize, max: usize) -> Self {
        Self { len, max }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a body of {} bytes overflows its length prefix (at most {})",
            self.len, self.max
        )
    }
}

/// Why a certificate was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertificateError {
    /// The peer sent no certificate where one is required.
    Missing,
    /// The chain does not lead to a trusted root.
    UnknownIssuer,
    /// Outside its validity period at the time given.
    Expired,
    /// Not yet valid at the time given.
    NotValidYet,
    /// The certificate is not valid for the name we connected to.
    NotValidForName,
    /// A signature on the chain, or the handshake signature made with its key, is wrong.
    BadSignature,
    /// The key or algorithm is not one we accept.
    Unsupported,
    /// The chain has more certificates than the configured maximum
    /// (`CommonConfig::max_peer_chain_len`).
    ChainTooLong,
    /// Anything else webpki or a custom verifier reported, kept as this error's source.
    Other(OtherError),
}

/// What a custom verifier (or webpki, for the cases without a variant of their own) gave as
/// the reason a certificate was rejected: any error type, kept as the `source()` of the
/// [`CertificateError`] and so of the connection's [`Error`].
///
/// ```
/// use tls12::{CertificateError, OtherError};
/// #[derive(Debug)]
/// struct Revoked;
/// impl core::fmt::Display for Revoked {
///     fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
///         f.write_str("revoked by our own list")
///     }
/// }
/// impl core::error::Error for Revoked {}
///
/// let e = CertificateError::Other(OtherError::new(Revoked));
/// assert_eq!(e.to_string(), "certificate rejected: revoked by our own list");
/// let source = core::error::Error::source(&e).unwrap();
/// assert!(source.downcast_ref::<Revoked>().is_some());
/// ```
#[derive(Clone)]
pub struct OtherError(Arc<dyn core::error::Error + Send + Sync>);

impl OtherError {
    /// Wraps `error`.
    pub fn new(error: impl core::error::Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// A reason given as text.
    pub fn msg(reason: &'static str) -> Self {
        Self::new(Message(reason))
    }

    /// The wrapped error.
    pub fn get(&self) -> &(dyn core::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

/// Two are equal when they are the same error or read the same.
impl PartialEq for OtherError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for OtherError {}

impl fmt::Debug for OtherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OtherError({:?})", self.0)
    }
}

impl fmt::Display for OtherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A reason given as text.
#[derive(Debug)]
struct Message(&'static str);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl core::error::Error for Message {}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("certificate rejected: ")?;
        match self {
            CertificateError::Missing => f.write_str("no certificate where one is required"),
            CertificateError::UnknownIssuer => f.write_str("unknown issuer"),
            CertificateError::Expired => f.write_str("expired"),
            CertificateError::NotValidYet => f.write_str("not valid yet"),
            CertificateError::NotValidForName => f.write_str("not valid for the server name"),
            CertificateError::BadSignature => f.write_str("bad signature"),
            CertificateError::Unsupported => f.write_str("unsupported key or algorithm"),
            CertificateError::ChainTooLong => f.write_str("chain longer than allowed"),
            CertificateError::Other(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for CertificateError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            CertificateError::Other(e) => Some(e.get()),
            _ => None,
        }
    }
}

impl CertificateError {
    /// An [`Other`](Self::Other) error with a reason given as text.
    pub fn other(reason: &'static str) -> Self {
        CertificateError::Other(OtherError::msg(reason))
    }
}

impl CertificateError {
    /// The alert a peer must receive for this error.
    pub const fn alert(&self) -> AlertDescription {
        match self {
            CertificateError::Missing => AlertDescription::HANDSHAKE_FAILURE,
            CertificateError::UnknownIssuer => AlertDescription::UNKNOWN_CA,
            CertificateError::Expired | CertificateError::NotValidYet => {
                AlertDescription::CERTIFICATE_EXPIRED
            }
            CertificateError::NotValidForName => AlertDescription::BAD_CERTIFICATE,
            CertificateError::BadSignature => AlertDescription::DECRYPT_ERROR,
            CertificateError::Unsupported => AlertDescription::UNSUPPORTED_CERTIFICATE,
            CertificateError::ChainTooLong => AlertDescription::BAD_CERTIFICATE,
            CertificateError::Other(_) => AlertDescription::BAD_CERTIFICATE,
        }
    }
}

/// The one error type. Every error is fatal and sticky; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer's bytes do not decode.
    Decode(DecodeError),
    /// The peer sent something well formed that the protocol forbids at this point
    /// (a message out of order, an unsolicited extension, a wrong Finished, ...).
    PeerMisbehaved {
        /// What it did.
        what: &'static str,
        /// The alert we send for it.
        alert: AlertDescription,
    },
    /// Nothing acceptable to both sides (no common suite, group, version, ALPN, ...).
    Negotiation {
        /// What could not be agreed.
        what: &'static str,
        /// The alert we send for it.
        alert: AlertDescription,
    },
    /// The peer's certificate was rejected.
    Certificate(CertificateError),
    /// A cryptographic check failed (record authentication, a signature, ...). A provider
    /// failure that is not the peer's doing is [`Internal`](Self::Internal).
    Crypto {
        /// Which operation.
        what: &'static str,
        /// The alert we send for it.
        alert: AlertDescription,
    },
    /// The peer sent a fatal alert (or a warning alert other than close_notify where we treat
    /// it as fatal). We send nothing back.
    AlertReceived(AlertDescription),
    /// The configuration cannot work (no suites, no certificate, ...). No alert is sent.
    Config(&'static str),
    /// The caller used the API wrongly (write after close, ...). No alert is sent.
    Api(&'static str),
    /// The transport ended without the peer's close_notify: the data may be truncated.
    UnexpectedEof,
    /// A message we were about to send does not fit its length prefixes (a configuration
    /// too large for the wire, say). We send internal_error.
    Encode(EncodeError),
    /// Something failed on our side, not the peer's: a broken internal invariant (a bug in
    /// this crate) or a crypto provider that could not do its part (no randomness, a
    /// signing or key generation failure). We send internal_error.
    Internal(&'static str),
}

impl Error {
    /// A peer-misbehaved error with its alert.
    pub const fn peer(what: &'static str, alert: AlertDescription) -> Self {
        Error::PeerMisbehaved { what, alert }
    }

    /// A message arrived that the handshake state does not allow.
    pub const fn unexpected(what: &'static str) -> Self {
        Error::PeerMisbehaved {
            what,
            alert: AlertDescription::UNEXPECTED_MESSAGE,
        }
    }

    /// A negotiation failure with its alert.
    pub const fn negotiation(what: &'static str, alert: AlertDescription) -> Self {
        Error::Negotiation { what, alert }
    }

    /// Record authentication failed: always bad_record_mac, whatever the cause.
    pub const fn bad_record_mac() -> Self {
        Error::Crypto {
            what: "record authentication failed",
            alert: AlertDescription::BAD_RECORD_MAC,
        }
    }

    /// An [`Internal`](Error::Internal) error: our fault (a broken invariant, a failing
    /// provider), not the peer's.
    pub const fn internal(what: &'static str) -> Self {
        Error::Internal(what)
    }

    /// The alert description we send to the peer for this error, if any.
    pub fn alert(&self) -> Option<AlertDescription> {
        match self {
            Error::Decode(e) => Some(e.alert()),
            Error::PeerMisbehaved { alert, .. }
            | Error::Negotiation { alert, .. }
            | Error::Crypto { alert, .. } => Some(*alert),
            Error::Certificate(e) => Some(e.alert()),
            Error::Encode(_) | Error::Internal(_) => Some(AlertDescription::INTERNAL_ERROR),
            Error::AlertReceived(_) | Error::Config(_) | Error::Api(_) | Error::UnexpectedEof => {
                None
            }
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        Error::Encode(e)
    }
}

impl From<CertificateError> for Error {
    fn from(e: CertificateError) -> Self {
        Error::Certificate(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode(e) => write!(f, "decode error: {e}"),
            Error::PeerMisbehaved { what, alert } => write!(f, "peer misbehaved: {what} ({alert})"),
            Error::Negotiation { what, alert } => write!(f, "negotiation failed: {what} ({alert})"),
            Error::Certificate(e) => fmt::Display::fmt(e, f),
            Error::Crypto { what, alert } => write!(f, "crypto: {what} ({alert})"),
            Error::AlertReceived(a) => write!(f, "received fatal alert: {a}"),
            Error::Config(what) => write!(f, "configuration: {what}"),
            Error::Api(what) => write!(f, "API misuse: {what}"),
            Error::UnexpectedEof => {
                f.write_str("transport closed without close_notify (truncation)")
            }
            Error::Encode(e) => write!(f, "encode error: {e}"),
            Error::Internal(what) => write!(f, "internal error: {what}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Decode(e) => Some(e),
            Error::Encode(e) => Some(e),
            Error::Certificate(e) => Some(e),
            _ => None,
        }
    }
}
impl core::error::Error for DecodeError {}
impl core::error::Error for EncodeError {}

/// A TLS error as an IO error, for `?` in `Read`/`Write` code (see [`crate::Stream`]). The
/// `tls12::Error` is kept as the source: `io_error.get_ref()` and `downcast` give it back.
///
/// [`Error::UnexpectedEof`] (a truncation) is [`std::io::ErrorKind::UnexpectedEof`]; what
/// the peer sent or did is [`std::io::ErrorKind::InvalidData`]; a configuration, API,
/// encoding or internal error on our side is [`std::io::ErrorKind::Other`].
#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        use std::io::ErrorKind;
        let kind = match &e {
            Error::UnexpectedEof => ErrorKind::UnexpectedEof,
            Error::Decode(_)
            | Error::PeerMisbehaved { .. }
            | Error::Negotiation { .. }
            | Error::Certificate(_)
            | Error::Crypto { .. }
            | Error::AlertReceived(_) => ErrorKind::InvalidData,
            Error::Config(_) | Error::Api(_) | Error::Encode(_) | Error::Internal(_) => {
                ErrorKind::Other
            }
        };
        std::io::Error::new(kind, e)
    }
}
