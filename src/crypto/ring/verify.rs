//! Signature verification through webpki's ring algorithms.

use pki_types::CertificateDer;
use webpki::ring as alg;

use crate::codec::enums::SignatureScheme;
use crate::crypto::SignatureVerification;
use crate::error::Error;

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
/// of the end-entity certificate `ee_cert_der`: [`crate::verify::verify_handshake_signature`]
/// with the arguments in another order, for any provider's `sv`.
pub fn verify_signature(
    sv: &SignatureVerification,
    ee_cert_der: &[u8],
    scheme: SignatureScheme,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    crate::verify::verify_handshake_signature(
        sv,
        message,
        &CertificateDer::from(ee_cert_der),
        scheme,
        signature,
    )
}
