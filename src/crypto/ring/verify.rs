//! Signature verification through webpki's ring algorithms.

use pki_types::CertificateDer;
use webpki::ring as alg;

use crate::codec::enums::{AlertDescription, SignatureScheme};
use crate::crypto::SignatureVerification;
use crate::error::{CertificateError, Error};

/// The algorithms the ring provider verifies with.
///
/// `mapping` is in our preference order (what a client offers in signature_algorithms):
/// ECDSA first, then RSA-PSS, then RSA PKCS#1 v1.5, then Ed25519. In TLS 1.2 an ECDSA scheme
/// names only the hash, not the curve (RFC 8422 section 5.1.3), so each ECDSA scheme maps to
/// both curves.
pub static SUPPORTED_SIGNATURE_VERIFICATION: SignatureVerification = SignatureVerification {
    all: &[
        alg::ECDSA_P256_SHA256,
        alg::ECDSA_P256_SHA384,
        alg::ECDSA_P384_SHA256,
        alg::ECDSA_P384_SHA384,
        alg::ED25519,
        alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        alg::RSA_PKCS1_2048_8192_SHA256,
        alg::RSA_PKCS1_2048_8192_SHA384,
        alg::RSA_PKCS1_2048_8192_SHA512,
        alg::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        alg::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        alg::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    ],
    mapping: &[
        (
            SignatureScheme::ECDSA_SECP256R1_SHA256,
            &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
        ),
        (
            SignatureScheme::ECDSA_SECP384R1_SHA384,
            &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
        ),
        (
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_RSAE_SHA384,
            &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_RSAE_SHA512,
            &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA256,
            &[alg::RSA_PKCS1_2048_8192_SHA256],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA384,
            &[alg::RSA_PKCS1_2048_8192_SHA384],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA512,
            &[alg::RSA_PKCS1_2048_8192_SHA512],
        ),
        (SignatureScheme::ED25519, &[alg::ED25519]),
    ],
};

/// Verifies a handshake signature (ServerKeyExchange, CertificateVerify) made with the key
/// of the end-entity certificate `ee_cert_der`.
///
/// Tries each algorithm `sv` maps `scheme` to. Errors:
/// - `scheme` is not in `sv`'s mapping: [`Error::PeerMisbehaved`] with illegal_parameter
///   (the peer used a scheme we did not offer);
/// - the certificate does not parse: [`Error::Certificate`] (bad_certificate);
/// - the signature does not verify, or the key does not fit the scheme:
///   [`Error::Crypto`] with decrypt_error.
///
/// It does not check that `scheme` fits the negotiated suite's key type; the handshake
/// does that.
pub fn verify_signature(
    sv: &SignatureVerification,
    ee_cert_der: &[u8],
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let algs = sv.algorithms_for(scheme).ok_or(Error::peer(
        "peer signed with a signature scheme we did not offer",
        AlertDescription::ILLEGAL_PARAMETER,
    ))?;
    let cert = CertificateDer::from(ee_cert_der);
    let ee = webpki::EndEntityCert::try_from(&cert).map_err(|_| {
        Error::Certificate(CertificateError::other(
            "end-entity certificate does not parse",
        ))
    })?;
    let mut key_fits = false;
    for alg in algs {
        match ee.verify_signature(*alg, message, signature) {
            Ok(()) => return Ok(()),
            Err(webpki::Error::InvalidSignatureForPublicKey) => key_fits = true,
            Err(_) => {}
        }
    }
    Err(Error::Crypto {
        what: if key_fits {
            "handshake signature does not verify"
        } else {
            "handshake signature scheme does not fit the certificate's key"
        },
        alert: AlertDescription::DECRYPT_ERROR,
    })
}
