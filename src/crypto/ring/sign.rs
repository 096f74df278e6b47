//! Private keys that sign handshake messages: RSA (PKCS#1 v1.5 and PSS) and ECDSA (P-256,
//! P-384), loaded from PKCS#8, PKCS#1 or SEC1 DER.

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use pki_types::PrivateKeyDer;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};

use crate::codec::enums::SignatureScheme;
use crate::crypto::{KeyKind, SigningKey};
use crate::error::Error;

/// Loads a DER private key. See [`crate::crypto::CryptoProvider::load_private_key`].
pub(crate) fn load_private_key(key: PrivateKeyDer<'_>) -> Result<Arc<dyn SigningKey>, Error> {
    match key {
        PrivateKeyDer::Pkcs1(k) => Ok(Arc::new(RsaSigningKey::from_pkcs1(k.secret_pkcs1_der())?)),
        PrivateKeyDer::Sec1(k) => Ok(Arc::new(EcdsaSigningKey::from_sec1(k.secret_sec1_der())?)),
        PrivateKeyDer::Pkcs8(k) => {
            let der = k.secret_pkcs8_der();
            if let Ok(rsa) = RsaSigningKey::from_pkcs8(der) {
                return Ok(Arc::new(rsa));
            }
            match EcdsaSigningKey::from_pkcs8(der) {
                Ok(ec) => Ok(Arc::new(ec)),
                Err(_) => Err(Error::Config(
                    "PKCS#8 private key is not an RSA (2048 to 8192 bits), ECDSA P-256 or \
                     ECDSA P-384 key, or does not parse",
                )),
            }
        }
        _ => Err(Error::Config("unsupported private key format")),
    }
}

/// The RSA schemes an RSA key signs with.
const RSA_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// An RSA private key: `ring` signs; with the `rsa-kx` feature the `rsa` crate decrypts
/// pre-master secrets. A key that ring loads but the `rsa` crate does not (multi-prime,
/// say) still signs, and has no decrypter, so RSA key exchange is not offered with it.
pub(crate) struct RsaSigningKey {
    key: RsaKeyPair,
    #[cfg(feature = "rsa-kx")]
    decrypter: Option<crate::crypto::rsa_kx::Decrypter>,
}

impl RsaSigningKey {
    fn from_pkcs1(der: &[u8]) -> Result<Self, Error> {
        let key = RsaKeyPair::from_der(der).map_err(|_| {
            Error::Config("PKCS#1 RSA private key does not parse or is not 2048 to 8192 bits")
        })?;
        Ok(Self {
            key,
            #[cfg(feature = "rsa-kx")]
            decrypter: crate::crypto::rsa_kx::Decrypter::from_pkcs1(
                der,
                Arc::new(super::RingProvider),
            ),
        })
    }

    fn from_pkcs8(der: &[u8]) -> Result<Self, Error> {
        let key = RsaKeyPair::from_pkcs8(der).map_err(|_| {
            Error::Config("PKCS#8 RSA private key does not parse or is not 2048 to 8192 bits")
        })?;
        Ok(Self {
            key,
            #[cfg(feature = "rsa-kx")]
            decrypter: crate::crypto::rsa_kx::Decrypter::from_pkcs8(
                der,
                Arc::new(super::RingProvider),
            ),
        })
    }
}

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSigningKey")
            .field("modulus_bits", &(self.key.public().modulus_len() * 8))
            .finish_non_exhaustive()
    }
}

impl SigningKey for RsaSigningKey {
    fn kind(&self) -> KeyKind {
        KeyKind::Rsa
    }

    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme> {
        offered.iter().copied().find(|s| RSA_SCHEMES.contains(s))
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        let padding: &'static dyn signature::RsaEncoding = match scheme {
            SignatureScheme::RSA_PKCS1_SHA256 => &signature::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384 => &signature::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512 => &signature::RSA_PKCS1_SHA512,
            SignatureScheme::RSA_PSS_RSAE_SHA256 => &signature::RSA_PSS_SHA256,
            SignatureScheme::RSA_PSS_RSAE_SHA384 => &signature::RSA_PSS_SHA384,
            SignatureScheme::RSA_PSS_RSAE_SHA512 => &signature::RSA_PSS_SHA512,
            _ => {
                return Err(Error::internal(
                    "RSA key asked to sign with a non-RSA scheme",
                ));
            }
        };
        let mut sig = vec![0u8; self.key.public().modulus_len()];
        self.key
            .sign(padding, &SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::internal("RSA signing failed"))?;
        Ok(sig)
    }

    #[cfg(feature = "rsa-kx")]
    fn rsa_decrypter(&self) -> Option<&dyn crate::crypto::RsaPreMasterDecrypter> {
        self.decrypter
            .as_ref()
            .map(|d| d as &dyn crate::crypto::RsaPreMasterDecrypter)
    }
}

/// An ECDSA private key on P-256 (signs ecdsa_secp256r1_sha256) or P-384 (signs
/// ecdsa_secp384r1_sha384), with ASN.1 DER signatures.
pub(crate) struct EcdsaSigningKey {
    key: EcdsaKeyPair,
    scheme: SignatureScheme,
}

/// The curves we load, with ring's signing algorithm and the curve's OID (DER, with tag and
/// length) for wrapping a SEC1 key into PKCS#8.
const CURVES: &[(&signature::EcdsaSigningAlgorithm, SignatureScheme, &[u8])] = &[
    (
        &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        SignatureScheme::ECDSA_SECP256R1_SHA256,
        // prime256v1: 1.2.840.10045.3.1.7
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
    ),
    (
        &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        SignatureScheme::ECDSA_SECP384R1_SHA384,
        // secp384r1: 1.3.132.0.34
        &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
    ),
];

/// id-ecPublicKey: 1.2.840.10045.2.1 (DER, with tag and length).
const EC_PUBLIC_KEY_OID: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

impl EcdsaSigningKey {
    fn from_pkcs8(der: &[u8]) -> Result<Self, Error> {
        let rng = SystemRandom::new();
        for (alg, scheme, _) in CURVES {
            if let Ok(key) = EcdsaKeyPair::from_pkcs8(alg, der, &rng) {
                return Ok(Self {
                    key,
                    scheme: *scheme,
                });
            }
        }
        Err(Error::Config(
            "PKCS#8 ECDSA private key does not parse or is not on P-256 or P-384",
        ))
    }

    /// ring only reads PKCS#8, so the SEC1 `ECPrivateKey` is wrapped into a PKCS#8
    /// `PrivateKeyInfo` for each curve in turn (ring checks the curve named inside the SEC1
    /// key, if any, and the key length). ring requires the optional public key inside the
    /// SEC1 structure; OpenSSL always writes it.
    fn from_sec1(der: &[u8]) -> Result<Self, Error> {
        let rng = SystemRandom::new();
        for (alg, scheme, curve_oid) in CURVES {
            let pkcs8 = sec1_to_pkcs8(der, curve_oid)?;
            if let Ok(key) = EcdsaKeyPair::from_pkcs8(alg, &pkcs8, &rng) {
                return Ok(Self {
                    key,
                    scheme: *scheme,
                });
            }
        }
        Err(Error::Config(
            "SEC1 EC private key does not parse, is not on P-256 or P-384, or lacks its \
             public key",
        ))
    }
}

/// PrivateKeyInfo ::= SEQUENCE { version INTEGER (0), algorithm AlgorithmIdentifier
/// { id-ecPublicKey, namedCurve }, privateKey OCTET STRING (the SEC1 ECPrivateKey) }.
fn sec1_to_pkcs8(sec1: &[u8], curve_oid: &[u8]) -> Result<Vec<u8>, Error> {
    let mut alg_id = Vec::with_capacity(EC_PUBLIC_KEY_OID.len() + curve_oid.len());
    alg_id.extend_from_slice(EC_PUBLIC_KEY_OID);
    alg_id.extend_from_slice(curve_oid);

    let mut body = Vec::with_capacity(sec1.len() + 32);
    body.extend_from_slice(&[0x02, 0x01, 0x00]);
    der_tlv(&mut body, 0x30, &alg_id)?;
    der_tlv(&mut body, 0x04, sec1)?;

    let mut out = Vec::with_capacity(body.len() + 4);
    der_tlv(&mut out, 0x30, &body)?;
    Ok(out)
}

/// Appends a DER tag-length-value with a definite length of at most two bytes.
fn der_tlv(out: &mut Vec<u8>, tag: u8, value: &[u8]) -> Result<(), Error> {
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xffff {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        return Err(Error::Config("SEC1 EC private key is implausibly large"));
    }
    out.extend_from_slice(value);
    Ok(())
}

impl fmt::Debug for EcdsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcdsaSigningKey")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl SigningKey for EcdsaSigningKey {
    fn kind(&self) -> KeyKind {
        KeyKind::Ecdsa
    }

    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme> {
        offered.iter().copied().find(|s| *s == self.scheme)
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        if scheme != self.scheme {
            return Err(Error::internal(
                "ECDSA key asked to sign with a scheme for another curve or hash",
            ));
        }
        let sig = self
            .key
            .sign(&SystemRandom::new(), message)
            .map_err(|_| Error::internal("ECDSA signing failed"))?;
        Ok(sig.as_ref().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        let mut out = Vec::new();
        der_tlv(&mut out, 0x04, &[0; 3]).unwrap();
        assert_eq!(out, [0x04, 3, 0, 0, 0]);
        let mut out = Vec::new();
        der_tlv(&mut out, 0x04, &[0; 200]).unwrap();
        assert_eq!(&out[..3], &[0x04, 0x81, 200]);
        let mut out = Vec::new();
        der_tlv(&mut out, 0x30, &[0; 300]).unwrap();
        assert_eq!(&out[..4], &[0x30, 0x82, 0x01, 0x2c]);
        assert!(der_tlv(&mut Vec::new(), 0x30, &[0; 0x10000]).is_err());
    }

    #[test]
    fn garbage_keys_are_config_errors() {
        use pki_types::{PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
        for key in [
            PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(&[0x30, 0x00][..])),
            PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(&[0x30, 0x03, 1, 2][..])),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(&[][..])),
        ] {
            assert!(matches!(load_private_key(key), Err(Error::Config(_))));
        }
    }
}
