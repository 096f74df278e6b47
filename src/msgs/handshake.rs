//! The handshake message framing (RFC 5246 section 7.4): a one-byte type, a u24 length, and
//! the body, dispatched on the type.
//!
//! ServerKeyExchange and ClientKeyExchange bodies can only be read knowing the negotiated key
//! exchange, so [`HandshakeMessage::read_with`] takes a [`KxContext`]; the [`Codec`] impl uses
//! [`KxContext::Unknown`] and keeps those bodies raw.

use alloc::vec::Vec;

use super::certificate::{CertificateChain, CertificateRequest, CertificateStatus};
use super::hello::{ClientHello, ServerHello};
use super::kx::{ClientKeyExchangePayload, DigitallySigned, KxContext, ServerKeyExchangePayload};
use super::ticket::NewSessionTicket;
use crate::codec::enums::HandshakeType;
use crate::codec::{Codec, LenPrefix, LengthPrefixed, Reader};
use crate::error::{DecodeError, EncodeError};

/// The length of a handshake message header: type (1) and body length (3).
pub const HANDSHAKE_HEADER_LEN: usize = 4;

/// A handshake message: its type and its decoded body.
///
/// `typ` is what goes on the wire; for every payload but
/// [`Unknown`](HandshakePayload::Unknown) it must equal [`HandshakePayload::handshake_type`],
/// which the `From` impls and constructors below guarantee.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct HandshakeMessage {
    /// The message type.
    pub typ: HandshakeType,
    /// The body.
    pub payload: HandshakePayload,
}

/// The body of a handshake message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum HandshakePayload {
    /// HelloRequest: empty.
    HelloRequest,
    /// ClientHello.
    ClientHello(ClientHello),
    /// ServerHello.
    ServerHello(ServerHello),
    /// Certificate.
    Certificate(CertificateChain),
    /// ServerKeyExchange, as far as the [`KxContext`] allowed reading it.
    ServerKeyExchange(ServerKeyExchangePayload),
    /// CertificateRequest.
    CertificateRequest(CertificateRequest),
    /// ServerHelloDone: empty.
    ServerHelloDone,
    /// CertificateVerify: a signature over the transcript.
    CertificateVerify(DigitallySigned),
    /// ClientKeyExchange, as far as the [`KxContext`] allowed reading it.
    ClientKeyExchange(ClientKeyExchangePayload),
    /// Finished: `verify_data`, any length at this layer (the connection checks it is 12).
    Finished(Vec<u8>),
    /// NewSessionTicket (RFC 5077).
    NewSessionTicket(NewSessionTicket),
    /// CertificateStatus (RFC 6066).
    CertificateStatus(CertificateStatus),
    /// Any other type: the body, raw.
    Unknown(Vec<u8>),
}

impl HandshakePayload {
    /// The handshake type of this payload, `None` for [`Unknown`](Self::Unknown).
    pub fn handshake_type(&self) -> Option<HandshakeType> {
        Some(match self {
            HandshakePayload::HelloRequest => HandshakeType::HELLO_REQUEST,
            HandshakePayload::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            HandshakePayload::ServerHello(_) => HandshakeType::SERVER_HELLO,
            HandshakePayload::Certificate(_) => HandshakeType::CERTIFICATE,
            HandshakePayload::ServerKeyExchange(_) => HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakePayload::CertificateRequest(_) => HandshakeType::CERTIFICATE_REQUEST,
            HandshakePayload::ServerHelloDone => HandshakeType::SERVER_HELLO_DONE,
            HandshakePayload::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            HandshakePayload::ClientKeyExchange(_) => HandshakeType::CLIENT_KEY_EXCHANGE,
            HandshakePayload::Finished(_) => HandshakeType::FINISHED,
            HandshakePayload::NewSessionTicket(_) => HandshakeType::NEW_SESSION_TICKET,
            HandshakePayload::CertificateStatus(_) => HandshakeType::CERTIFICATE_STATUS,
            HandshakePayload::Unknown(_) => return None,
        })
    }

    /// Decodes the whole `body` of a message of type `typ`. Types this module does not model
    /// give [`Unknown`](Self::Unknown); bytes left after the body's structure are
    /// `TrailingData` naming the message.
    pub fn decode_body(
        typ: HandshakeType,
        body: &[u8],
        ctx: KxContext,
    ) -> Result<Self, DecodeError> {
        fn whole<T: Codec>(body: &[u8], name: &'static str) -> Result<T, DecodeError> {
            let mut r = Reader::new(body);
            let v = T::read(&mut r)?;
            r.expect_end(name)?;
            Ok(v)
        }
        fn empty(body: &[u8], name: &'static str) -> Result<(), DecodeError> {
            Reader::new(body).expect_end(name)
        }
        Ok(match typ {
            HandshakeType::HELLO_REQUEST => {
                empty(body, "HelloRequest")?;
                HandshakePayload::HelloRequest
            }
            HandshakeType::CLIENT_HELLO => {
                HandshakePayload::ClientHello(whole(body, "ClientHello")?)
            }
            HandshakeType::SERVER_HELLO => {
                HandshakePayload::ServerHello(whole(body, "ServerHello")?)
            }
            HandshakeType::CERTIFICATE => {
                HandshakePayload::Certificate(whole(body, "Certificate")?)
            }
            HandshakeType::SERVER_KEY_EXCHANGE => HandshakePayload::ServerKeyExchange(
                ServerKeyExchangePayload::decode_with(body, ctx)?,
            ),
            HandshakeType::CERTIFICATE_REQUEST => {
                HandshakePayload::CertificateRequest(whole(body, "CertificateRequest")?)
            }
            HandshakeType::SERVER_HELLO_DONE => {
                empty(body, "ServerHelloDone")?;
                HandshakePayload::ServerHelloDone
            }
            HandshakeType::CERTIFICATE_VERIFY => {
                HandshakePayload::CertificateVerify(whole(body, "CertificateVerify")?)
            }
            HandshakeType::CLIENT_KEY_EXCHANGE => HandshakePayload::ClientKeyExchange(
                ClientKeyExchangePayload::decode_with(body, ctx)?,
            ),
            HandshakeType::FINISHED => HandshakePayload::Finished(body.to_vec()),
            HandshakeType::NEW_SESSION_TICKET => {
                HandshakePayload::NewSessionTicket(whole(body, "NewSessionTicket")?)
            }
            HandshakeType::CERTIFICATE_STATUS => {
                HandshakePayload::CertificateStatus(whole(body, "CertificateStatus")?)
            }
            _ => HandshakePayload::Unknown(body.to_vec()),
        })
    }

    /// Appends the body (without the header).
    pub fn encode_body(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            HandshakePayload::HelloRequest | HandshakePayload::ServerHelloDone => {}
            HandshakePayload::ClientHello(m) => m.encode(out)?,
            HandshakePayload::ServerHello(m) => m.encode(out)?,
            HandshakePayload::Certificate(m) => m.encode(out)?,
            HandshakePayload::ServerKeyExchange(m) => m.encode(out)?,
            HandshakePayload::CertificateRequest(m) => m.encode(out)?,
            HandshakePayload::CertificateVerify(m) => m.encode(out)?,
            HandshakePayload::ClientKeyExchange(m) => m.encode(out)?,
            HandshakePayload::NewSessionTicket(m) => m.encode(out)?,
            HandshakePayload::CertificateStatus(m) => m.encode(out)?,
            HandshakePayload::Finished(b) | HandshakePayload::Unknown(b) => {
                out.extend_from_slice(b)
            }
        }
        Ok(())
    }
}

impl HandshakeMessage {
    /// Reads one message (header and body) for the key exchange `ctx`, leaving `r` after it.
    pub fn read_with(r: &mut Reader<'_>, ctx: KxContext) -> Result<Self, DecodeError> {
        let typ = HandshakeType(r.u8("Handshake.msg_type")?);
        let len = r.u24("Handshake.length")? as usize;
        let body = r.take(len, "Handshake.body")?;
        let payload = HandshakePayload::decode_body(typ, body, ctx)?;
        Ok(HandshakeMessage { typ, payload })
    }

    /// Decodes `bytes` as exactly one message for the key exchange `ctx`.
    pub fn decode_with(bytes: &[u8], ctx: KxContext) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let m = Self::read_with(&mut r, ctx)?;
        r.expect_end("Handshake")?;
        Ok(m)
    }

    /// A message whose body is already encoded (a [`ClientHelloRef`](super::ClientHelloRef)'s,
    /// say): it is sent as it is. Held as [`HandshakePayload::Unknown`], so build the typed
    /// message instead where its fields are wanted (in events).
    pub fn encoded(typ: HandshakeType, body: Vec<u8>) -> Self {
        Self::unknown(typ, body)
    }

    /// A message of a type this module does not model, with its raw body.
    pub fn unknown(typ: HandshakeType, body: Vec<u8>) -> Self {
        HandshakeMessage {
            typ,
            payload: HandshakePayload::Unknown(body),
        }
    }

    /// A HelloRequest.
    pub fn hello_request() -> Self {
        Self::typed(HandshakeType::HELLO_REQUEST, HandshakePayload::HelloRequest)
    }

    /// A ServerHelloDone.
    pub fn server_hello_done() -> Self {
        Self::typed(
            HandshakeType::SERVER_HELLO_DONE,
            HandshakePayload::ServerHelloDone,
        )
    }

    /// A CertificateVerify.
    pub fn certificate_verify(signed: DigitallySigned) -> Self {
        Self::typed(
            HandshakeType::CERTIFICATE_VERIFY,
            HandshakePayload::CertificateVerify(signed),
        )
    }

    /// A Finished carrying `verify_data`.
    pub fn finished(verify_data: Vec<u8>) -> Self {
        Self::typed(
            HandshakeType::FINISHED,
            HandshakePayload::Finished(verify_data),
        )
    }

    const fn typed(typ: HandshakeType, payload: HandshakePayload) -> Self {
        HandshakeMessage { typ, payload }
    }

    /// The message's encoding, as [`Codec::to_bytes`] gives it, taking the message: a raw
    /// body (Finished, a pre-encoded body) becomes the encoding in its own allocation, the
    /// header put in front (without reallocating when it has room for four more bytes).
    pub fn into_bytes(self) -> Result<Vec<u8>, EncodeError> {
        match self.payload {
            HandshakePayload::Finished(mut body) | HandshakePayload::Unknown(mut body) => {
                let len = u32::try_from(body.len())
                    .ok()
                    .filter(|&n| n <= 0xff_ffff)
                    .ok_or(EncodeError::new(body.len(), 0xff_ffff))?;
                let [_, a, b, c] = len.to_be_bytes();
                let n = body.len();
                body.resize(n + HANDSHAKE_HEADER_LEN, 0);
                body.copy_within(..n, HANDSHAKE_HEADER_LEN);
                if let Some(header) = body.get_mut(..HANDSHAKE_HEADER_LEN) {
                    header.copy_from_slice(&[self.typ.0, a, b, c]);
                }
                Ok(body)
            }
            _ => self.to_bytes(),
        }
    }
}

macro_rules! from_payload {
    ($($ty:ty => $var:ident, $typ:ident;)*) => {
        $(
            impl From<$ty> for HandshakeMessage {
                fn from(m: $ty) -> Self {
                    HandshakeMessage::typed(HandshakeType::$typ, HandshakePayload::$var(m))
                }
            }
        )*
    };
}

from_payload! {
    ClientHello => ClientHello, CLIENT_HELLO;
    ServerHello => ServerHello, SERVER_HELLO;
    CertificateChain => Certificate, CERTIFICATE;
    ServerKeyExchangePayload => ServerKeyExchange, SERVER_KEY_EXCHANGE;
    CertificateRequest => CertificateRequest, CERTIFICATE_REQUEST;
    ClientKeyExchangePayload => ClientKeyExchange, CLIENT_KEY_EXCHANGE;
    NewSessionTicket => NewSessionTicket, NEW_SESSION_TICKET;
    CertificateStatus => CertificateStatus, CERTIFICATE_STATUS;
}

impl Codec for HandshakeMessage {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.typ.encode(out)?;
        let lp = LengthPrefixed::begin(out, LenPrefix::U24);
        self.payload.encode_body(out)?;
        lp.finish(out)?;
        Ok(())
    }

    /// Reads with [`KxContext::Unknown`]: key exchange bodies stay raw.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::read_with(r, KxContext::Unknown)
    }

    /// Allocated once when the body is raw bytes (a pre-encoded body, say a ClientHello
    /// with a ticket), else with room for a usual message.
    fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let raw = match &self.payload {
            HandshakePayload::Finished(b) | HandshakePayload::Unknown(b) => b.len(),
            _ => 0,
        };
        let capacity = (HANDSHAKE_HEADER_LEN + raw).max(256);
        let mut out = Vec::with_capacity(capacity);
        self.encode(&mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::{NamedGroup, SignatureScheme};
    use crate::error::DecodeErrorKind;
    use crate::msgs::kx::EcdheServerKeyExchange;
    use alloc::vec;

    fn err(field: &'static str, kind: DecodeErrorKind) -> Result<HandshakeMessage, DecodeError> {
        Err(DecodeError::new(field, kind))
    }

    /// into_bytes gives to_bytes's encoding, for raw bodies with and without room for the
    /// header, and for a typed message.
    #[test]
    fn into_bytes_is_to_bytes() {
        let mut roomy = Vec::with_capacity(16);
        roomy.extend_from_slice(&[7; 12]);
        for m in [
            HandshakeMessage::finished(roomy),
            HandshakeMessage::finished(vec![7; 12]),
            HandshakeMessage::encoded(HandshakeType::CLIENT_HELLO, vec![1; 300]),
            HandshakeMessage::unknown(HandshakeType(99), Vec::new()),
            HandshakeMessage::server_hello_done(),
        ] {
            let expected = m.to_bytes().unwrap();
            assert_eq!(m.into_bytes().unwrap(), expected);
        }
    }

    #[test]
    fn empty_messages() {
        assert_eq!(
            HandshakeMessage::decode(&[0, 0, 0, 0]).unwrap(),
            HandshakeMessage::hello_request()
        );
        assert_eq!(
            HandshakeMessage::decode(&[14, 0, 0, 0]).unwrap(),
            HandshakeMessage::server_hello_done()
        );
        assert_eq!(
            HandshakeMessage::server_hello_done().to_bytes().unwrap(),
            [14, 0, 0, 0]
        );
        assert_eq!(
            HandshakeMessage::decode(&[14, 0, 0, 1, 0]),
            err("ServerHelloDone", DecodeErrorKind::TrailingData)
        );
        assert_eq!(
            HandshakeMessage::decode(&[0, 0, 0, 1, 0]),
            err("HelloRequest", DecodeErrorKind::TrailingData)
        );
    }

    #[test]
    fn header_errors() {
        assert_eq!(
            HandshakeMessage::decode(&[]),
            err("Handshake.msg_type", DecodeErrorKind::Truncated)
        );
        assert_eq!(
            HandshakeMessage::decode(&[20, 0, 0]),
            err("Handshake.length", DecodeErrorKind::Truncated)
        );
        assert_eq!(
            HandshakeMessage::decode(&[20, 0xff, 0xff, 0xff, 1]),
            err("Handshake.body", DecodeErrorKind::Truncated)
        );
        assert_eq!(
            HandshakeMessage::decode_with(&[20, 0, 0, 0, 1], KxContext::Ecdhe),
            err("Handshake", DecodeErrorKind::TrailingData)
        );
    }

    #[test]
    fn finished_any_length_and_unknown_types() {
        let b = [20, 0, 0, 3, 1, 2, 3];
        let m = HandshakeMessage::decode(&b).unwrap();
        assert_eq!(m, HandshakeMessage::finished(vec![1, 2, 3]));
        assert_eq!(m.to_bytes().unwrap(), b);
        let b = [3, 0, 0, 2, 9, 9];
        let m = HandshakeMessage::decode(&b).unwrap();
        assert_eq!(m, HandshakeMessage::unknown(HandshakeType(3), vec![9, 9]));
        assert_eq!(m.payload.handshake_type(), None);
        assert_eq!(m.to_bytes().unwrap(), b);
    }

    #[test]
    fn reads_consecutive_messages() {
        let b = [20, 0, 0, 1, 7, 14, 0, 0, 0];
        let mut r = Reader::new(&b);
        assert_eq!(
            HandshakeMessage::read(&mut r).unwrap(),
            HandshakeMessage::finished(vec![7])
        );
        assert_eq!(
            HandshakeMessage::read(&mut r).unwrap(),
            HandshakeMessage::server_hello_done()
        );
        assert!(!r.any_left());
    }

    #[test]
    fn key_exchange_depends_on_context() {
        let ske = EcdheServerKeyExchange {
            curve_type: crate::codec::enums::ECCurveType::NAMED_CURVE,
            group: NamedGroup::SECP256R1,
            public: vec![4; 65],
            signed: DigitallySigned {
                scheme: SignatureScheme::ECDSA_SECP256R1_SHA256,
                signature: vec![0x30; 70],
            },
        };
        let m = HandshakeMessage::from(ServerKeyExchangePayload::Ecdhe(ske.clone()));
        let b = m.to_bytes().unwrap();
        assert_eq!(&b[..4], &[12, 0, 0, (b.len() - 4) as u8]);
        assert_eq!(
            HandshakeMessage::decode_with(&b, KxContext::Ecdhe).unwrap(),
            m
        );
        let raw = HandshakeMessage::decode(&b).unwrap();
        assert_eq!(
            raw.payload,
            HandshakePayload::ServerKeyExchange(ServerKeyExchangePayload::Unknown(b[4..].to_vec()))
        );
        assert_eq!(raw.to_bytes().unwrap(), b);
        assert_eq!(
            HandshakeMessage::decode_with(&b, KxContext::Rsa),
            err("ServerKeyExchange", DecodeErrorKind::IllegalValue)
        );

        let cke = [16, 0, 0, 3, 2, 5, 6];
        assert_eq!(
            HandshakeMessage::decode_with(&cke, KxContext::Ecdhe).unwrap(),
            HandshakeMessage::from(ClientKeyExchangePayload::Ecdhe(vec![5, 6]))
        );
        assert_eq!(
            HandshakeMessage::decode_with(&cke, KxContext::Rsa),
            err(
                "ClientKeyExchange.encrypted_pre_master_secret",
                DecodeErrorKind::Truncated
            )
        );
        let cke = [16, 0, 0, 4, 0, 2, 5, 6];
        let m = HandshakeMessage::decode_with(&cke, KxContext::Rsa).unwrap();
        assert_eq!(
            m,
            HandshakeMessage::from(ClientKeyExchangePayload::Rsa(vec![5, 6]))
        );
        assert_eq!(m.to_bytes().unwrap(), cke);
    }

    #[test]
    fn body_errors_name_the_message() {
        // CertificateVerify with a byte after the signature.
        assert_eq!(
            HandshakeMessage::decode(&[15, 0, 0, 5, 4, 1, 0, 0, 0]),
            err("CertificateVerify", DecodeErrorKind::TrailingData)
        );
        // Certificate with a byte after the list.
        assert_eq!(
            HandshakeMessage::decode(&[11, 0, 0, 4, 0, 0, 0, 0]),
            err("Certificate", DecodeErrorKind::TrailingData)
        );
        assert_eq!(
            HandshakeMessage::decode(&[4, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0]),
            err("NewSessionTicket", DecodeErrorKind::TrailingData)
        );
        assert_eq!(
            HandshakeMessage::decode(&[13, 0, 0, 0]),
            err(
                "CertificateRequest.certificate_types",
                DecodeErrorKind::Truncated
            )
        );
        assert_eq!(
            HandshakeMessage::decode(&[1, 0, 0, 0]),
            err("ClientHello.client_version", DecodeErrorKind::Truncated)
        );
        assert_eq!(
            HandshakeMessage::decode(&[2, 0, 0, 1, 3]),
            err("ServerHello.server_version", DecodeErrorKind::Truncated)
        );
        assert_eq!(
            HandshakeMessage::decode(&[22, 0, 0, 0]),
            err("CertificateStatus.status_type", DecodeErrorKind::Truncated)
        );
    }

    #[test]
    fn from_impls_set_the_type() {
        let msgs = [
            HandshakeMessage::from(CertificateChain::default()),
            HandshakeMessage::from(NewSessionTicket {
                lifetime_hint: 1,
                ticket: vec![],
            }),
            HandshakeMessage::from(CertificateStatus::Ocsp(vec![1])),
            HandshakeMessage::certificate_verify(DigitallySigned {
                scheme: SignatureScheme::ED25519,
                signature: vec![],
            }),
            HandshakeMessage::from(CertificateRequest {
                certificate_types: vec![crate::codec::enums::ClientCertificateType::RSA_SIGN],
                signature_schemes: vec![],
                certificate_authorities: vec![],
            }),
        ];
        for m in msgs {
            assert_eq!(m.payload.handshake_type(), Some(m.typ));
            assert_eq!(HandshakeMessage::decode(&m.to_bytes().unwrap()).unwrap(), m);
        }
    }
}
