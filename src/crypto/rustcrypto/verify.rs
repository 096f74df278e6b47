//! Signature verification for webpki (certificate chains) and for handshake signatures,
//! through [`SignatureVerificationAlgorithm`]s built on `p256`, `p384`, `rsa` and `sha2`.
//!
//! webpki hands an algorithm the subjectPublicKey bits of a certificate: a SEC1 point for
//! ECDSA (uncompressed only is accepted, as ring does), a DER `RSAPublicKey` for RSA. Each algorithm names
//! the SubjectPublicKeyInfo algorithm it takes and the signature algorithm it checks, so
//! webpki only calls the ones that fit.

use pki_types::{AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::traits::PublicKeyParts;
use sha2::{Sha256, Sha384, Sha512};

use crate::codec::enums::SignatureScheme;
use crate::crypto::SignatureVerification;

/// The algorithms the RustCrypto provider verifies with, in the same order and with the
/// same mapping as the ring provider's, less Ed25519.
///
/// In TLS 1.2 an ECDSA scheme names only the hash, not the curve (RFC 8422 section 5.1.3),
/// so each ECDSA scheme maps to both curves.
pub static SUPPORTED_SIGNATURE_VERIFICATION: SignatureVerification = SignatureVerification {
    all: &[
        ECDSA_P256_SHA256,
        ECDSA_P256_SHA384,
        ECDSA_P384_SHA256,
        ECDSA_P384_SHA384,
        RSA_PSS_SHA256,
        RSA_PSS_SHA384,
        RSA_PSS_SHA512,
        RSA_PKCS1_SHA256,
        RSA_PKCS1_SHA384,
        RSA_PKCS1_SHA512,
        RSA_PKCS1_SHA256_ABSENT_PARAMS,
        RSA_PKCS1_SHA384_ABSENT_PARAMS,
        RSA_PKCS1_SHA512_ABSENT_PARAMS,
    ],
    mapping: &[
        (
            SignatureScheme::ECDSA_SECP256R1_SHA256,
            &[ECDSA_P256_SHA256, ECDSA_P384_SHA256],
        ),
        (
            SignatureScheme::ECDSA_SECP384R1_SHA384,
            &[ECDSA_P384_SHA384, ECDSA_P256_SHA384],
        ),
        (SignatureScheme::RSA_PSS_RSAE_SHA256, &[RSA_PSS_SHA256]),
        (SignatureScheme::RSA_PSS_RSAE_SHA384, &[RSA_PSS_SHA384]),
        (SignatureScheme::RSA_PSS_RSAE_SHA512, &[RSA_PSS_SHA512]),
        (SignatureScheme::RSA_PKCS1_SHA256, &[RSA_PKCS1_SHA256]),
        (SignatureScheme::RSA_PKCS1_SHA384, &[RSA_PKCS1_SHA384]),
        (SignatureScheme::RSA_PKCS1_SHA512, &[RSA_PKCS1_SHA512]),
    ],
};

#[derive(Debug, Clone, Copy)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Debug, Clone, Copy)]
enum Curve {
    P256,
    P384,
}

/// ECDSA with ASN.1 DER signatures over `curve`, the message hashed with `hash`.
#[derive(Debug)]
struct Ecdsa {
    curve: Curve,
    hash: Hash,
    signature_alg_id: AlgorithmIdentifier,
}

static ECDSA_P256_SHA256: &dyn SignatureVerificationAlgorithm = &Ecdsa {
    curve: Curve::P256,
    hash: Hash::Sha256,
    signature_alg_id: alg_id::ECDSA_SHA256,
};
static ECDSA_P256_SHA384: &dyn SignatureVerificationAlgorithm = &Ecdsa {
    curve: Curve::P256,
    hash: Hash::Sha384,
    signature_alg_id: alg_id::ECDSA_SHA384,
};
static ECDSA_P384_SHA256: &dyn SignatureVerificationAlgorithm = &Ecdsa {
    curve: Curve::P384,
    hash: Hash::Sha256,
    signature_alg_id: alg_id::ECDSA_SHA256,
};
static ECDSA_P384_SHA384: &dyn SignatureVerificationAlgorithm = &Ecdsa {
    curve: Curve::P384,
    hash: Hash::Sha384,
    signature_alg_id: alg_id::ECDSA_SHA384,
};

/// The message's digest under `hash`, for the ECDSA prehash interface.
fn digest(hash: Hash, message: &[u8]) -> crate::crypto::Digest {
    use sha2::Digest as _;
    match hash {
        Hash::Sha256 => crate::crypto::Digest::new(&Sha256::digest(message)),
        Hash::Sha384 => crate::crypto::Digest::new(&Sha384::digest(message)),
        Hash::Sha512 => crate::crypto::Digest::new(&Sha512::digest(message)),
    }
}

impl SignatureVerificationAlgorithm for Ecdsa {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        // Uncompressed points only, as ring (and so the other provider) takes them.
        if public_key.first() != Some(&0x04) {
            return Err(InvalidSignature);
        }
        let prehash = digest(self.hash, message);
        match self.curve {
            Curve::P256 => {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p256::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
                key.verify_prehash(prehash.as_ref(), &sig)
            }
            Curve::P384 => {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p384::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
                key.verify_prehash(prehash.as_ref(), &sig)
            }
        }
        .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        match self.curve {
            Curve::P256 => alg_id::ECDSA_P256,
            Curve::P384 => alg_id::ECDSA_P384,
        }
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

#[derive(Debug, Clone, Copy)]
enum Padding {
    Pkcs1,
    /// RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash (what TLS
    /// requires, RFC 8446 section 4.2.3).
    Pss,
}

/// RSA signatures with an rsaEncryption key of 2048 to 8192 bits.
#[derive(Debug)]
struct Rsa {
    padding: Padding,
    hash: Hash,
    signature_alg_id: AlgorithmIdentifier,
}

static RSA_PKCS1_SHA256: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pkcs1,
    hash: Hash::Sha256,
    signature_alg_id: alg_id::RSA_PKCS1_SHA256,
};
static RSA_PKCS1_SHA384: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pkcs1,
    hash: Hash::Sha384,
    signature_alg_id: alg_id::RSA_PKCS1_SHA384,
};
static RSA_PKCS1_SHA512: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pkcs1,
    hash: Hash::Sha512,
    signature_alg_id: alg_id::RSA_PKCS1_SHA512,
};

// The same signature algorithms with the NULL parameters absent, which RFC 4055 says
// verifiers must accept too (webpki's `RSA_PKCS1_2048_8192_SHA*_ABSENT_PARAMS`): the DER
// contents of the AlgorithmIdentifier, the OID alone.
static RSA_PKCS1_SHA256_ABSENT_PARAMS: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pkcs1,
    hash: Hash::Sha256,
    // sha256WithRSAEncryption: 1.2.840.113549.1.1.11
    signature_alg_id: AlgorithmIdentifier::from_slice(&[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
    ]),
};
static RSA_PKCS1_SHA384_ABSENT_PARAMS: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pkcs1,
    hash: Hash::Sha384,
    // sha384WithRSAEncryption: 1.2.840.113549.1.1.12
    signature_alg_id: AlgorithmIdentifier::from_slice(&[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c,
    ]),
};
static RSA_PKCS1_SHA512_ABSENT_PARAMS: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pkcs1,
    hash: Hash::Sha512,
    // sha512WithRSAEncryption: 1.2.840.113549.1.1.13
    signature_alg_id: AlgorithmIdentifier::from_slice(&[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d,
    ]),
};

static RSA_PSS_SHA256: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pss,
    hash: Hash::Sha256,
    signature_alg_id: alg_id::RSA_PSS_SHA256,
};
static RSA_PSS_SHA384: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pss,
    hash: Hash::Sha384,
    signature_alg_id: alg_id::RSA_PSS_SHA384,
};
static RSA_PSS_SHA512: &dyn SignatureVerificationAlgorithm = &Rsa {
    padding: Padding::Pss,
    hash: Hash::Sha512,
    signature_alg_id: alg_id::RSA_PSS_SHA512,
};

impl SignatureVerificationAlgorithm for Rsa {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key = rsa::PublicKey::from_pkcs1_der(public_key).map_err(|_| InvalidSignature)?;
        if !super::sign::RSA_BITS.contains(&key.n().bit_width()) || signature.len() != key.size() {
            return Err(InvalidSignature);
        }
        match (self.padding, self.hash) {
            (Padding::Pkcs1, Hash::Sha256) => key.pkcs1v15_verify::<Sha256>(message, signature),
            (Padding::Pkcs1, Hash::Sha384) => key.pkcs1v15_verify::<Sha384>(message, signature),
            (Padding::Pkcs1, Hash::Sha512) => key.pkcs1v15_verify::<Sha512>(message, signature),
            (Padding::Pss, Hash::Sha256) => key.pss_verify::<Sha256>(message, signature),
            (Padding::Pss, Hash::Sha384) => key.pss_verify::<Sha384>(message, signature),
            (Padding::Pss, Hash::Sha512) => key.pss_verify::<Sha512>(message, signature),
        }
        .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature_alg_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    use p256::elliptic_curve::sec1::ToSec1Point;

    #[test]
    fn ecdsa_takes_uncompressed_points_only() {
        let key = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let prehash = digest(Hash::Sha256, b"m");
        let sig: p256::ecdsa::Signature = key.sign_prehash(prehash.as_ref()).unwrap();
        let der = sig.to_der();
        let public = key.verifying_key().as_affine();
        let uncompressed = public.to_sec1_point(false);
        let compressed = public.to_sec1_point(true);
        let alg = ECDSA_P256_SHA256;
        assert!(
            alg.verify_signature(uncompressed.as_bytes(), b"m", der.as_bytes())
                .is_ok()
        );
        assert!(
            alg.verify_signature(compressed.as_bytes(), b"m", der.as_bytes())
                .is_err()
        );
        assert!(
            alg.verify_signature(uncompressed.as_bytes(), b"M", der.as_bytes())
                .is_err()
        );
        // The P-384 algorithm does not take a P-256 key.
        assert!(
            ECDSA_P384_SHA256
                .verify_signature(uncompressed.as_bytes(), b"m", der.as_bytes())
                .is_err()
        );
    }

    /// A valid signature by a 1024-bit key, which the `rsa` crate itself accepts, is
    /// refused (ring's floor is 2048 bits too); a signature one byte short is refused.
    #[test]
    fn rsa_takes_2048_to_8192_bit_keys_and_whole_signatures() {
        use rsa::pkcs1::EncodeRsaPublicKey;
        struct XorShift(u64);
        impl rsa::rand_core::TryRng for XorShift {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                self.try_next_u64().map(|v| v as u32)
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                Ok(self.0)
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                for b in dst {
                    *b = self.try_next_u64()? as u8;
                }
                Ok(())
            }
        }
        impl rsa::rand_core::TryCryptoRng for XorShift {}

        let mut rng = XorShift(0x1234_5678_9abc_def1);
        let weak = rsa::PrivateKey::new(&mut rng, 1024).unwrap();
        let sig = weak.pkcs1v15_sign::<Sha256>(b"m").unwrap();
        let public = weak.to_public_key();
        public.pkcs1v15_verify::<Sha256>(b"m", &sig).unwrap();
        let der = public.to_pkcs1_der().unwrap();
        assert!(
            RSA_PKCS1_SHA256
                .verify_signature(der.as_bytes(), b"m", &sig)
                .is_err()
        );

        use pki_types::pem::PemObject;
        let pem = include_bytes!("../../../tests/data/keys/rsa2048.pkcs8.pem");
        let der = pki_types::PrivatePkcs8KeyDer::from_pem_slice(pem).unwrap();
        let key = <rsa::PrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_der(
            der.secret_pkcs8_der(),
        )
        .unwrap();
        let sig = key.pkcs1v15_sign::<Sha256>(b"m").unwrap();
        let der = key.to_public_key().to_pkcs1_der().unwrap();
        assert!(
            RSA_PKCS1_SHA256
                .verify_signature(der.as_bytes(), b"m", &sig)
                .is_ok()
        );
        assert!(
            RSA_PKCS1_SHA256
                .verify_signature(der.as_bytes(), b"m", &sig[1..])
                .is_err()
        );
    }
}
