//! Certificate, CertificateRequest (RFC 5246 sections 7.4.2 and 7.4.4) and
//! CertificateStatus (RFC 6066 section 8).

use alloc::vec::Vec;

use pki_types::CertificateDer;

use super::{put_opaque_list, read_opaque_list, read_u8_list, read_u16_list};
use crate::codec::enums::{CertificateStatusType, ClientCertificateType, SignatureScheme};
use crate::codec::{Codec, LenPrefix, LengthPrefixed, Reader, put_opaque, put_vec};
use crate::error::{DecodeError, EncodeError};

/// A Certificate message: the sender's chain, leaf first.
///
/// Each certificate is `opaque ASN.1Cert<1..2^24-1>`, the list is `<0..2^24-1>`: an empty
/// list is a client declining to authenticate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertificateChain(pub Vec<CertificateDer<'static>>);

impl CertificateChain {
    /// The leaf (end-entity) certificate, if any.
    pub fn end_entity(&self) -> Option<&CertificateDer<'static>> {
        self.0.first()
    }

    /// Whether the chain is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Any number of certificates of any bytes (`CertificateDer` has no `Arbitrary`).
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for CertificateChain {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let certs: Vec<Vec<u8>> = u.arbitrary()?;
        Ok(CertificateChain(
            certs.into_iter().map(CertificateDer::from).collect(),
        ))
    }
}

impl Codec for CertificateChain {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let lp = LengthPrefixed::begin(out, LenPrefix::U24);
        for c in &self.0 {
            put_opaque(out, LenPrefix::U24, c.as_ref())?;
        }
        lp.finish(out)?;
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let field = "Certificate.certificate_list";
        let mut list = r.sub(LenPrefix::U24, field)?;
        let mut out = Vec::new();
        while list.any_left() {
            let der = list.opaque_nonempty(LenPrefix::U24, field)?;
            out.push(CertificateDer::from(der.to_vec()));
        }
        Ok(CertificateChain(out))
    }
}

/// A CertificateRequest (RFC 5246 section 7.4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct CertificateRequest {
    /// Acceptable certificate types, non-empty.
    pub certificate_types: Vec<ClientCertificateType>,
    /// Acceptable signature schemes for CertificateVerify (may be empty on the wire).
    pub signature_schemes: Vec<SignatureScheme>,
    /// DER `DistinguishedName`s of acceptable CAs, each non-empty; empty means any.
    pub certificate_authorities: Vec<Vec<u8>>,
}

impl Codec for CertificateRequest {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        put_vec(out, LenPrefix::U8, &self.certificate_types)?;
        put_vec(out, LenPrefix::U16, &self.signature_schemes)?;
        put_opaque_list(
            out,
            LenPrefix::U16,
            LenPrefix::U16,
            &self.certificate_authorities,
        )?;
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let certificate_types = read_u8_list(r, "CertificateRequest.certificate_types", true)?;
        let signature_schemes = read_u16_list(
            r,
            LenPrefix::U16,
            "CertificateRequest.supported_signature_algorithms",
            false,
        )?;
        let certificate_authorities = read_opaque_list(
            r,
            LenPrefix::U16,
            LenPrefix::U16,
            "CertificateRequest.certificate_authorities",
            false,
        )?;
        Ok(CertificateRequest {
            certificate_types,
            signature_schemes,
            certificate_authorities,
        })
    }
}

/// A CertificateStatus message (RFC 6066 section 8), sent after Certificate when the server
/// acknowledged status_request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum CertificateStatus {
    /// A DER `OCSPResponse`, `opaque<1..2^24-1>`.
    Ocsp(Vec<u8>),
    /// Any other status type, with the rest of the body kept raw.
    Unknown {
        /// The status type (never [`CertificateStatusType::OCSP`] after a decode).
        status_type: CertificateStatusType,
        /// The body after the status type.
        data: Vec<u8>,
    },
}

impl Codec for CertificateStatus {
    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            CertificateStatus::Ocsp(resp) => {
                CertificateStatusType::OCSP.encode(out)?;
                put_opaque(out, LenPrefix::U24, resp)?;
            }
            CertificateStatus::Unknown { status_type, data } => {
                status_type.encode(out)?;
                out.extend_from_slice(data);
            }
        }
        Ok(())
    }

    /// For an unknown status type, reads to the end of `r`.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let status_type = CertificateStatusType(r.u8("CertificateStatus.status_type")?);
        Ok(match status_type {
            CertificateStatusType::OCSP => CertificateStatus::Ocsp(
                r.opaque_nonempty(LenPrefix::U24, "CertificateStatus.response")?
                    .to_vec(),
            ),
            _ => CertificateStatus::Unknown {
                status_type,
                data: r.rest().to_vec(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeErrorKind;
    use alloc::vec;

    #[test]
    fn chain_known_bytes() {
        let b = [0, 0, 9, 0, 0, 2, 0x30, 0, 0, 0, 1, 0x30];
        let c = CertificateChain::decode(&b).unwrap();
        assert_eq!(c.0.len(), 2);
        assert_eq!(c.end_entity().unwrap().as_ref(), &[0x30, 0]);
        assert_eq!(c.to_bytes().unwrap(), b);
        let empty = CertificateChain::decode(&[0, 0, 0]).unwrap();
        assert!(empty.is_empty());
        assert_eq!(empty.to_bytes().unwrap(), [0, 0, 0]);
    }

    #[test]
    fn chain_errors() {
        let f = "Certificate.certificate_list";
        assert_eq!(
            CertificateChain::decode(&[0, 0, 3, 0, 0, 0]),
            Err(DecodeError::new(f, DecodeErrorKind::BadLength))
        );
        assert_eq!(
            CertificateChain::decode(&[0, 0, 4, 0, 0, 2, 0x30]),
            Err(DecodeError::new(f, DecodeErrorKind::Truncated))
        );
        assert_eq!(
            CertificateChain::decode(&[0, 0, 2, 0, 0]),
            Err(DecodeError::new(f, DecodeErrorKind::Truncated))
        );
        assert_eq!(
            CertificateChain::decode(&[0xff, 0xff, 0xff, 0]),
            Err(DecodeError::new(f, DecodeErrorKind::Truncated))
        );
        assert_eq!(
            CertificateChain::decode(&[0, 0, 0, 0]),
            Err(DecodeError::new(
                "CertificateChain",
                DecodeErrorKind::TrailingData
            ))
        );
    }

    #[test]
    fn certificate_request_known_bytes() {
        let b = [2, 1, 64, 0, 4, 4, 1, 4, 3, 0, 5, 0, 3, 0x30, 1, 2];
        let cr = CertificateRequest::decode(&b).unwrap();
        assert_eq!(
            cr.certificate_types,
            vec![
                ClientCertificateType::RSA_SIGN,
                ClientCertificateType::ECDSA_SIGN
            ]
        );
        assert_eq!(
            cr.signature_schemes,
            vec![
                SignatureScheme::RSA_PKCS1_SHA256,
                SignatureScheme::ECDSA_SECP256R1_SHA256
            ]
        );
        assert_eq!(cr.certificate_authorities, vec![vec![0x30, 1, 2]]);
        assert_eq!(cr.to_bytes().unwrap(), b);
        // Empty schemes and CAs are allowed.
        let b = [1, 1, 0, 0, 0, 0];
        assert_eq!(
            CertificateRequest::decode(&b).unwrap().to_bytes().unwrap(),
            b
        );
    }

    #[test]
    fn certificate_request_errors() {
        let e = |b: &[u8], field, kind| {
            assert_eq!(
                CertificateRequest::decode(b),
                Err(DecodeError::new(field, kind))
            )
        };
        e(
            &[0, 0, 0, 0, 0],
            "CertificateRequest.certificate_types",
            DecodeErrorKind::BadLength,
        );
        e(
            &[1, 1, 0, 1, 4, 0, 0],
            "CertificateRequest.supported_signature_algorithms",
            DecodeErrorKind::BadLength,
        );
        e(
            &[1, 1, 0, 0, 0, 2, 0, 0],
            "CertificateRequest.certificate_authorities",
            DecodeErrorKind::BadLength,
        );
        e(
            &[1, 1, 0, 0, 0, 3, 0, 2, 0],
            "CertificateRequest.certificate_authorities",
            DecodeErrorKind::Truncated,
        );
        e(
            &[1, 1, 0, 0],
            "CertificateRequest.certificate_authorities",
            DecodeErrorKind::Truncated,
        );
        e(
            &[1, 1, 0, 0, 0, 0, 0],
            "CertificateRequest",
            DecodeErrorKind::TrailingData,
        );
    }

    #[test]
    fn certificate_status() {
        let b = [1, 0, 0, 2, 0x30, 0];
        let s = CertificateStatus::decode(&b).unwrap();
        assert_eq!(s, CertificateStatus::Ocsp(vec![0x30, 0]));
        assert_eq!(s.to_bytes().unwrap(), b);
        let b = [7, 1, 2];
        let s = CertificateStatus::decode(&b).unwrap();
        assert_eq!(
            s,
            CertificateStatus::Unknown {
                status_type: CertificateStatusType(7),
                data: vec![1, 2]
            }
        );
        assert_eq!(s.to_bytes().unwrap(), b);
        assert_eq!(
            CertificateStatus::decode(&[1, 0, 0, 0]),
            Err(DecodeError::new(
                "CertificateStatus.response",
                DecodeErrorKind::BadLength
            ))
        );
        assert_eq!(
            CertificateStatus::decode(&[]),
            Err(DecodeError::new(
                "CertificateStatus.status_type",
                DecodeErrorKind::Truncated
            ))
        );
    }
}
