//! Key exchange messages: ServerKeyExchange, ClientKeyExchange (RFC 5246 sections 7.4.3
//! and 7.4.7, RFC 8422 sections 5.4 and 5.7, RFC 4279 section 2, RFC 5489 section 2) and the
//! `digitally-signed` struct they and CertificateVerify use (RFC 5246 section 4.7).
//!
//! Neither key exchange message says what it contains: that depends on the negotiated cipher
//! suite, which the decoder learns through [`KxContext`]. Without it they decode to an
//! `Unknown` variant holding the body, which [`ServerKeyExchangePayload::decode_with`] and
//! [`ClientKeyExchangePayload::decode_with`] can interpret later.

use alloc::vec::Vec;

use super::hello::Random;
use crate::codec::enums::{ECCurveType, NamedGroup, SignatureScheme};
use crate::codec::{Codec, LenPrefix, Reader, put_opaque};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::suites::KeyExchange;

/// The negotiated key exchange, which decides how ServerKeyExchange and ClientKeyExchange
/// bodies are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KxContext {
    /// Not known (yet): both messages decode to their `Unknown` variant.
    #[default]
    Unknown,
    /// ECDHE_RSA or ECDHE_ECDSA: a signed ServerECDHParams, and the client's point.
    Ecdhe,
    /// RSA key transport: no ServerKeyExchange, and the encrypted pre-master secret.
    Rsa,
    /// PSK (RFC 4279 section 2): the identity hint, and the client's identity.
    Psk,
    /// ECDHE_PSK (RFC 5489 section 2): the hint and unsigned ServerECDHParams, and the
    /// client's identity and point.
    EcdhePsk,
}

impl From<KeyExchange> for KxContext {
    /// How a suite with key exchange `kx` reads its key exchange messages.
    fn from(kx: KeyExchange) -> Self {
        match kx {
            KeyExchange::Ecdhe => KxContext::Ecdhe,
            KeyExchange::Rsa => KxContext::Rsa,
            KeyExchange::Psk => KxContext::Psk,
            KeyExchange::EcdhePsk => KxContext::EcdhePsk,
        }
    }
}

/// A `digitally-signed` value in its TLS 1.2 form: the scheme, then
/// `opaque signature<0..2^16-1>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct DigitallySigned {
    /// The signature and hash algorithm pair.
    pub scheme: SignatureScheme,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl Codec for DigitallySigned {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.scheme.encode(out)?;
        put_opaque(out, LenPrefix::U16, &self.signature)?;
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let scheme = SignatureScheme(r.u16("DigitallySigned.algorithm")?);
        let signature = r
            .opaque(LenPrefix::U16, "DigitallySigned.signature")?
            .to_vec();
        Ok(DigitallySigned { scheme, signature })
    }
}

/// An ECDHE ServerKeyExchange (RFC 8422 section 5.4): `ServerECDHParams` and its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct EcdheServerKeyExchange {
    /// Always [`ECCurveType::NAMED_CURVE`] after a decode (explicit curves are rejected).
    pub curve_type: ECCurveType,
    /// The group of the server's ephemeral key.
    pub group: NamedGroup,
    /// The server's ephemeral public key, `opaque point<1..2^8-1>`.
    pub public: Vec<u8>,
    /// The signature over `client_random || server_random || params`.
    pub signed: DigitallySigned,
}

impl EcdheServerKeyExchange {
    /// The encoded `ServerECDHParams` (`curve_type || group || len || point`): what the
    /// signature covers, after the two randoms. See [`signed_message`].
    pub fn params(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        self.encode_params(&mut out)?;
        Ok(out)
    }

    /// The message the server signs or the client verifies: both randoms, then
    /// [`params`](Self::params).
    pub fn signed_message(
        &self,
        client_random: &Random,
        server_random: &Random,
    ) -> Result<Vec<u8>, EncodeError> {
        Ok(signed_message(
            client_random,
            server_random,
            &self.params()?,
        ))
    }

    fn encode_params(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.curve_type.encode(out)?;
        self.group.encode(out)?;
        put_opaque(out, LenPrefix::U8, &self.public)
    }
}

impl Codec for EcdheServerKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.encode_params(out)?;
        self.signed.encode(out)?;
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let curve_type = ECCurveType(r.u8("ServerKeyExchange.curve_type")?);
        if curve_type != ECCurveType::NAMED_CURVE {
            return Err(DecodeError::new(
                "ServerKeyExchange.curve_type",
                DecodeErrorKind::IllegalValue,
            ));
        }
        let group = NamedGroup(r.u16("ServerKeyExchange.named_curve")?);
        let public = r
            .opaque_nonempty(LenPrefix::U8, "ServerKeyExchange.public")?
            .to_vec();
        let signed = DigitallySigned::read(r)
            .map_err(|e| DecodeError::new("ServerKeyExchange.signed_params", e.kind))?;
        Ok(EcdheServerKeyExchange {
            curve_type,
            group,
            public,
            signed,
        })
    }
}

/// Encodes `ServerECDHParams` for a named curve: `named_curve(3) || group || len || point`.
/// This is what a server signs (after the randoms) and then sends in its ServerKeyExchange.
///
/// `public` must be at most 255 bytes (every group this crate supports has points of at most
/// 133 bytes); a longer one is an [`EncodeError`].
pub fn ecdhe_params(group: NamedGroup, public: &[u8]) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(4 + public.len());
    ECCurveType::NAMED_CURVE.encode(&mut out)?;
    group.encode(&mut out)?;
    put_opaque(&mut out, LenPrefix::U8, public)?;
    Ok(out)
}

/// The bytes a ServerKeyExchange signature covers: `client_random || server_random || params`.
pub fn signed_message(client_random: &Random, server_random: &Random, params: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + params.len());
    out.extend_from_slice(&client_random.0);
    out.extend_from_slice(&server_random.0);
    out.extend_from_slice(params);
    out
}

/// An ECDHE_PSK ServerKeyExchange (RFC 5489 section 2): the PSK identity hint, then
/// `ServerECDHParams`, unsigned (the PSK authenticates them through the Finished messages).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct EcdhePskServerKeyExchange {
    /// `opaque psk_identity_hint<0..2^16-1>` (empty: no hint).
    pub hint: Vec<u8>,
    /// Always [`ECCurveType::NAMED_CURVE`] after a decode (explicit curves are rejected).
    pub curve_type: ECCurveType,
    /// The group of the server's ephemeral key.
    pub group: NamedGroup,
    /// The server's ephemeral public key, `opaque point<1..2^8-1>`.
    pub public: Vec<u8>,
}

impl Codec for EcdhePskServerKeyExchange {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_opaque(out, LenPrefix::U16, &self.hint)?;
        self.curve_type.encode(out)?;
        self.group.encode(out)?;
        put_opaque(out, LenPrefix::U8, &self.public)
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let hint = r
            .opaque(LenPrefix::U16, "ServerKeyExchange.psk_identity_hint")?
            .to_vec();
        let curve_type = ECCurveType(r.u8("ServerKeyExchange.curve_type")?);
        if curve_type != ECCurveType::NAMED_CURVE {
            return Err(DecodeError::new(
                "ServerKeyExchange.curve_type",
                DecodeErrorKind::IllegalValue,
            ));
        }
        let group = NamedGroup(r.u16("ServerKeyExchange.named_curve")?);
        let public = r
            .opaque_nonempty(LenPrefix::U8, "ServerKeyExchange.public")?
            .to_vec();
        Ok(EcdhePskServerKeyExchange {
            hint,
            curve_type,
            group,
            public,
        })
    }
}

/// An ECDHE_PSK ClientKeyExchange (RFC 5489 section 2): the PSK identity, then the client's
/// ephemeral public key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct EcdhePskClientKeyExchange {
    /// `opaque psk_identity<0..2^16-1>`.
    pub identity: Vec<u8>,
    /// `opaque point<1..2^8-1>`.
    pub public: Vec<u8>,
}

/// The body of a ServerKeyExchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum ServerKeyExchangePayload {
    /// ECDHE parameters and their signature.
    Ecdhe(EcdheServerKeyExchange),
    /// PSK (RFC 4279 section 2): `opaque psk_identity_hint<0..2^16-1>`.
    Psk(Vec<u8>),
    /// ECDHE_PSK: the hint and unsigned ECDHE parameters.
    EcdhePsk(EcdhePskServerKeyExchange),
    /// Read without knowing the key exchange: the body, raw.
    Unknown(Vec<u8>),
}

impl ServerKeyExchangePayload {
    /// Reads a whole ServerKeyExchange body for the key exchange `ctx`.
    ///
    /// With [`KxContext::Rsa`] there is no ServerKeyExchange: any body is `IllegalValue`.
    pub fn decode_with(body: &[u8], ctx: KxContext) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let out = match ctx {
            KxContext::Unknown => ServerKeyExchangePayload::Unknown(r.rest().to_vec()),
            KxContext::Ecdhe => {
                ServerKeyExchangePayload::Ecdhe(EcdheServerKeyExchange::read(&mut r)?)
            }
            KxContext::Rsa => {
                return Err(DecodeError::new(
                    "ServerKeyExchange",
                    DecodeErrorKind::IllegalValue,
                ));
            }
            KxContext::Psk => ServerKeyExchangePayload::Psk(
                r.opaque(LenPrefix::U16, "ServerKeyExchange.psk_identity_hint")?
                    .to_vec(),
            ),
            KxContext::EcdhePsk => {
                ServerKeyExchangePayload::EcdhePsk(EcdhePskServerKeyExchange::read(&mut r)?)
            }
        };
        r.expect_end("ServerKeyExchange")?;
        Ok(out)
    }

    /// Appends the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            ServerKeyExchangePayload::Ecdhe(e) => e.encode(out)?,
            ServerKeyExchangePayload::Psk(hint) => put_opaque(out, LenPrefix::U16, hint)?,
            ServerKeyExchangePayload::EcdhePsk(e) => e.encode(out)?,
            ServerKeyExchangePayload::Unknown(b) => out.extend_from_slice(b),
        }
        Ok(())
    }
}

/// The body of a ClientKeyExchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum ClientKeyExchangePayload {
    /// The client's ephemeral ECDH public key, `opaque point<1..2^8-1>` (RFC 8422 5.7).
    Ecdhe(Vec<u8>),
    /// The RSA-encrypted pre-master secret, `opaque<0..2^16-1>` (RFC 5246 7.4.7.1).
    Rsa(Vec<u8>),
    /// The PSK identity, `opaque psk_identity<0..2^16-1>` (RFC 4279 section 2).
    Psk(Vec<u8>),
    /// The PSK identity and the client's ephemeral ECDH public key (RFC 5489 section 2).
    EcdhePsk(EcdhePskClientKeyExchange),
    /// Read without knowing the key exchange: the body, raw.
    Unknown(Vec<u8>),
}

impl ClientKeyExchangePayload {
    /// Reads a whole ClientKeyExchange body for the key exchange `ctx`.
    pub fn decode_with(body: &[u8], ctx: KxContext) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let out = match ctx {
            KxContext::Unknown => ClientKeyExchangePayload::Unknown(r.rest().to_vec()),
            KxContext::Ecdhe => ClientKeyExchangePayload::Ecdhe(
                r.opaque_nonempty(LenPrefix::U8, "ClientKeyExchange.ecdh_Yc")?
                    .to_vec(),
            ),
            KxContext::Rsa => ClientKeyExchangePayload::Rsa(
                r.opaque(
                    LenPrefix::U16,
                    "ClientKeyExchange.encrypted_pre_master_secret",
                )?
                .to_vec(),
            ),
            KxContext::Psk => ClientKeyExchangePayload::Psk(
                r.opaque(LenPrefix::U16, "ClientKeyExchange.psk_identity")?
                    .to_vec(),
            ),
            KxContext::EcdhePsk => {
                let identity = r
                    .opaque(LenPrefix::U16, "ClientKeyExchange.psk_identity")?
                    .to_vec();
                let public = r
                    .opaque_nonempty(LenPrefix::U8, "ClientKeyExchange.ecdh_Yc")?
                    .to_vec();
                ClientKeyExchangePayload::EcdhePsk(EcdhePskClientKeyExchange { identity, public })
            }
        };
        r.expect_end("ClientKeyExchange")?;
        Ok(out)
    }

    /// Appends the body.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            ClientKeyExchangePayload::Ecdhe(p) => put_opaque(out, LenPrefix::U8, p)?,
            ClientKeyExchangePayload::Rsa(c) => put_opaque(out, LenPrefix::U16, c)?,
            ClientKeyExchangePayload::Psk(identity) => put_opaque(out, LenPrefix::U16, identity)?,
            ClientKeyExchangePayload::EcdhePsk(e) => {
                put_opaque(out, LenPrefix::U16, &e.identity)?;
                put_opaque(out, LenPrefix::U8, &e.public)?;
            }
            ClientKeyExchangePayload::Unknown(b) => out.extend_from_slice(b),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn ske_bytes() -> Vec<u8> {
        let mut b = vec![3, 0, 0x1d, 4, 1, 2, 3, 4];
        b.extend_from_slice(&[4, 1, 0, 2, 0xee, 0xff]);
        b
    }

    #[test]
    fn ecdhe_ske_known_bytes() {
        let b = ske_bytes();
        let ske = ServerKeyExchangePayload::decode_with(&b, KxContext::Ecdhe).unwrap();
        let ServerKeyExchangePayload::Ecdhe(e) = &ske else {
            panic!("not ecdhe")
        };
        assert_eq!(e.group, NamedGroup::X25519);
        assert_eq!(e.public, vec![1, 2, 3, 4]);
        assert_eq!(e.signed.scheme, SignatureScheme::RSA_PKCS1_SHA256);
        assert_eq!(e.signed.signature, vec![0xee, 0xff]);
        assert_eq!(e.params().unwrap(), &b[..8]);
        assert_eq!(
            ecdhe_params(NamedGroup::X25519, &[1, 2, 3, 4]).unwrap(),
            &b[..8]
        );
        let msg = e
            .signed_message(&Random([1; 32]), &Random([2; 32]))
            .unwrap();
        assert_eq!(&msg[..32], &[1; 32]);
        assert_eq!(&msg[32..64], &[2; 32]);
        assert_eq!(&msg[64..], &b[..8]);
        let mut out = Vec::new();
        ske.encode(&mut out).unwrap();
        assert_eq!(out, b);
        assert_eq!(
            ServerKeyExchangePayload::decode_with(&b, KxContext::Unknown).unwrap(),
            ServerKeyExchangePayload::Unknown(b.clone())
        );
    }

    #[test]
    fn ecdhe_ske_errors() {
        let e = |b: &[u8]| ServerKeyExchangePayload::decode_with(b, KxContext::Ecdhe).unwrap_err();
        let mut b = ske_bytes();
        b[0] = 1;
        assert_eq!(
            e(&b),
            DecodeError::new(
                "ServerKeyExchange.curve_type",
                DecodeErrorKind::IllegalValue
            )
        );
        assert_eq!(
            e(&[3, 0, 0x1d, 0, 4, 1, 0, 0]),
            DecodeError::new("ServerKeyExchange.public", DecodeErrorKind::BadLength)
        );
        assert_eq!(
            e(&[3, 0]),
            DecodeError::new("ServerKeyExchange.named_curve", DecodeErrorKind::Truncated)
        );
        let b = ske_bytes();
        assert_eq!(
            e(&b[..b.len() - 1]),
            DecodeError::new(
                "ServerKeyExchange.signed_params",
                DecodeErrorKind::Truncated
            )
        );
        assert_eq!(
            e(&b[..8]),
            DecodeError::new(
                "ServerKeyExchange.signed_params",
                DecodeErrorKind::Truncated
            )
        );
        let mut long = b.clone();
        long.push(0);
        assert_eq!(
            e(&long),
            DecodeError::new("ServerKeyExchange", DecodeErrorKind::TrailingData)
        );
        assert_eq!(
            ServerKeyExchangePayload::decode_with(&b, KxContext::Rsa).unwrap_err(),
            DecodeError::new("ServerKeyExchange", DecodeErrorKind::IllegalValue)
        );
    }

    #[test]
    fn client_key_exchange() {
        let ecdhe = [2, 9, 9];
        let cke = ClientKeyExchangePayload::decode_with(&ecdhe, KxContext::Ecdhe).unwrap();
        assert_eq!(cke, ClientKeyExchangePayload::Ecdhe(vec![9, 9]));
        let mut out = Vec::new();
        cke.encode(&mut out).unwrap();
        assert_eq!(out, ecdhe);
        let rsa = [0, 2, 9, 9];
        let cke = ClientKeyExchangePayload::decode_with(&rsa, KxContext::Rsa).unwrap();
        assert_eq!(cke, ClientKeyExchangePayload::Rsa(vec![9, 9]));
        let mut out = Vec::new();
        cke.encode(&mut out).unwrap();
        assert_eq!(out, rsa);
        assert_eq!(
            ClientKeyExchangePayload::decode_with(&rsa, KxContext::Unknown).unwrap(),
            ClientKeyExchangePayload::Unknown(rsa.to_vec())
        );
        assert_eq!(
            ClientKeyExchangePayload::decode_with(&[0], KxContext::Ecdhe).unwrap_err(),
            DecodeError::new("ClientKeyExchange.ecdh_Yc", DecodeErrorKind::BadLength)
        );
        assert_eq!(
            ClientKeyExchangePayload::decode_with(&[], KxContext::Ecdhe).unwrap_err(),
            DecodeError::new("ClientKeyExchange.ecdh_Yc", DecodeErrorKind::Truncated)
        );
        assert_eq!(
            ClientKeyExchangePayload::decode_with(&[1, 9, 9], KxContext::Ecdhe).unwrap_err(),
            DecodeError::new("ClientKeyExchange", DecodeErrorKind::TrailingData)
        );
        assert_eq!(
            ClientKeyExchangePayload::decode_with(&[0, 3, 1], KxContext::Rsa).unwrap_err(),
            DecodeError::new(
                "ClientKeyExchange.encrypted_pre_master_secret",
                DecodeErrorKind::Truncated
            )
        );
    }

    #[test]
    fn psk_key_exchange_known_bytes() {
        // PSK: the hint alone, and the identity alone.
        let ske = [0, 3, b'h', b'i', b'n'];
        let m = ServerKeyExchangePayload::decode_with(&ske, KxContext::Psk).unwrap();
        assert_eq!(m, ServerKeyExchangePayload::Psk(b"hin".to_vec()));
        let mut out = Vec::new();
        m.encode(&mut out).unwrap();
        assert_eq!(out, ske);
        let empty = ServerKeyExchangePayload::decode_with(&[0, 0], KxContext::Psk).unwrap();
        assert_eq!(empty, ServerKeyExchangePayload::Psk(Vec::new()));
        let cke = [0, 2, b'i', b'd'];
        let m = ClientKeyExchangePayload::decode_with(&cke, KxContext::Psk).unwrap();
        assert_eq!(m, ClientKeyExchangePayload::Psk(b"id".to_vec()));
        let mut out = Vec::new();
        m.encode(&mut out).unwrap();
        assert_eq!(out, cke);

        // ECDHE_PSK: hint then unsigned params; identity then point.
        let ske = [0, 1, b'h', 3, 0, 0x1d, 2, 7, 8];
        let m = ServerKeyExchangePayload::decode_with(&ske, KxContext::EcdhePsk).unwrap();
        assert_eq!(
            m,
            ServerKeyExchangePayload::EcdhePsk(EcdhePskServerKeyExchange {
                hint: b"h".to_vec(),
                curve_type: ECCurveType::NAMED_CURVE,
                group: NamedGroup::X25519,
                public: vec![7, 8],
            })
        );
        let mut out = Vec::new();
        m.encode(&mut out).unwrap();
        assert_eq!(out, ske);
        let cke = [0, 1, b'i', 2, 7, 8];
        let m = ClientKeyExchangePayload::decode_with(&cke, KxContext::EcdhePsk).unwrap();
        assert_eq!(
            m,
            ClientKeyExchangePayload::EcdhePsk(EcdhePskClientKeyExchange {
                identity: b"i".to_vec(),
                public: vec![7, 8],
            })
        );
        let mut out = Vec::new();
        m.encode(&mut out).unwrap();
        assert_eq!(out, cke);
    }

    #[test]
    fn psk_key_exchange_errors() {
        let ske = |b: &[u8], c| ServerKeyExchangePayload::decode_with(b, c).unwrap_err();
        let cke = |b: &[u8], c| ClientKeyExchangePayload::decode_with(b, c).unwrap_err();
        let err = DecodeError::new;
        use DecodeErrorKind::*;
        assert_eq!(
            ske(&[0, 4, 1], KxContext::Psk),
            err("ServerKeyExchange.psk_identity_hint", Truncated)
        );
        assert_eq!(
            ske(&[0, 0, 1], KxContext::Psk),
            err("ServerKeyExchange", TrailingData)
        );
        assert_eq!(
            ske(&[0, 0, 1, 0, 0x1d, 1, 1], KxContext::EcdhePsk),
            err("ServerKeyExchange.curve_type", IllegalValue)
        );
        assert_eq!(
            ske(&[0, 0, 3, 0, 0x1d, 0], KxContext::EcdhePsk),
            err("ServerKeyExchange.public", BadLength)
        );
        assert_eq!(
            ske(&[0, 0, 3, 0, 0x1d, 1, 1, 0], KxContext::EcdhePsk),
            err("ServerKeyExchange", TrailingData)
        );
        assert_eq!(
            cke(&[0], KxContext::Psk),
            err("ClientKeyExchange.psk_identity", Truncated)
        );
        assert_eq!(
            cke(&[0, 0, 9], KxContext::Psk),
            err("ClientKeyExchange", TrailingData)
        );
        assert_eq!(
            cke(&[0, 1, b'i'], KxContext::EcdhePsk),
            err("ClientKeyExchange.ecdh_Yc", Truncated)
        );
        assert_eq!(
            cke(&[0, 1, b'i', 0], KxContext::EcdhePsk),
            err("ClientKeyExchange.ecdh_Yc", BadLength)
        );
        // A value too long for its prefix does not encode.
        let long = ClientKeyExchangePayload::Psk(vec![0; 0x10000]);
        assert_eq!(
            long.encode(&mut Vec::new()),
            Err(EncodeError::new(0x10000, 0xffff))
        );
        assert_eq!(KxContext::from(KeyExchange::EcdhePsk), KxContext::EcdhePsk);
        assert_eq!(KxContext::from(KeyExchange::Psk), KxContext::Psk);
    }

    #[test]
    fn digitally_signed() {
        let b = [8, 4, 0, 1, 0xab];
        let d = DigitallySigned::decode(&b).unwrap();
        assert_eq!(d.scheme, SignatureScheme::RSA_PSS_RSAE_SHA256);
        assert_eq!(d.to_bytes().unwrap(), b);
        assert_eq!(
            DigitallySigned::decode(&[8, 4, 0, 2, 0xab]).unwrap_err(),
            DecodeError::new("DigitallySigned.signature", DecodeErrorKind::Truncated)
        );
        assert_eq!(
            DigitallySigned::decode(&[8]).unwrap_err(),
            DecodeError::new("DigitallySigned.algorithm", DecodeErrorKind::Truncated)
        );
    }
}
