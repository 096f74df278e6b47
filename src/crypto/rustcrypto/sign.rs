//! Private keys that sign handshake messages: RSA (PKCS#1 v1.5 and PSS, through `rsa`) and
//! ECDSA (P-256, P-384, through `p256` and `p384`), loaded from PKCS#8, PKCS#1 or SEC1 DER.
//! Randomness (RSA blinding, PSS salts, ECDSA nonce hedging) comes from the provider that
//! loaded the key.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use p256::ecdsa::signature::RandomizedSigner;
use pki_types::PrivateKeyDer;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Sha256, Sha384, Sha512};

use super::RustCryptoProvider;
use crate::codec::enums::SignatureScheme;
use crate::crypto::{KeyKind, ProviderRng, SigningKey};
use crate::error::Error;

/// Loads a DER private key. See [`crate::crypto::CryptoProvider::load_private_key`].
pub(crate) fn load_private_key(
    key: PrivateKeyDer<'_>,
    provider: &RustCryptoProvider,
) -> Result<Arc<dyn SigningKey>, Error> {
    match key {
        PrivateKeyDer::Pkcs1(k) => {
            let key = rsa::PrivateKey::from_pkcs1_der(k.secret_pkcs1_der()).map_err(|_| {
                Error::Config("PKCS#1 RSA private key does not parse or is not 2048 to 8192 bits")
            })?;
            Ok(Arc::new(RsaSigningKey::new(key, provider)?))
        }
        PrivateKeyDer::Sec1(k) => {
            let der = k.secret_sec1_der();
            let key = if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
                EcdsaKey::P256(k.into())
            } else if let Ok(k) = p384::SecretKey::from_sec1_der(der) {
                EcdsaKey::P384(k.into())
            } else {
                return Err(Error::Config(
                    "SEC1 EC private key does not parse or is not on P-256 or P-384",
                ));
            };
            Ok(Arc::new(EcdsaSigningKey::new(key, provider)))
        }
        PrivateKeyDer::Pkcs8(k) => {
            let der = k.secret_pkcs8_der();
            if let Ok(key) = rsa::PrivateKey::from_pkcs8_der(der) {
                return Ok(Arc::new(RsaSigningKey::new(key, provider)?));
            }
            let key = if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
                EcdsaKey::P256(k.into())
            } else if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
                EcdsaKey::P384(k.into())
            } else {
                return Err(Error::Config(
                    "PKCS#8 private key is not an RSA (2048 to 8192 bits), ECDSA P-256 or \
                     ECDSA P-384 key, or does not parse",
                ));
            };
            Ok(Arc::new(EcdsaSigningKey::new(key, provider)))
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

/// The RSA modulus sizes we load, as the ring provider does.
pub(crate) const RSA_BITS: core::ops::RangeInclusive<u32> = 2048..=8192;

/// An RSA private key; with `rsa-kx` it also decrypts pre-master secrets.
struct RsaSigningKey {
    key: rsa::PrivateKey,
    provider: RustCryptoProvider,
    #[cfg(feature = "rsa-kx")]
    decrypter: crate::crypto::rsa_kx::Decrypter,
}

impl RsaSigningKey {
    fn new(key: rsa::PrivateKey, provider: &RustCryptoProvider) -> Result<Self, Error> {
        if !RSA_BITS.contains(&key.n().bit_width()) {
            return Err(Error::Config("RSA private key is not 2048 to 8192 bits"));
        }
        Ok(Self {
            #[cfg(feature = "rsa-kx")]
            decrypter: crate::crypto::rsa_kx::Decrypter::new(
                key.clone(),
                Arc::new(provider.clone()),
            ),
            key,
            provider: provider.clone(),
        })
    }
}

impl fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSigningKey")
            .field("modulus_bits", &self.key.n().bit_width())
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
        let rng = &mut ProviderRng(&self.provider);
        let k = &self.key;
        match scheme {
            SignatureScheme::RSA_PKCS1_SHA256 => {
                k.pkcs1v15_sign_with_rng::<Sha256, _>(rng, message)
            }
            SignatureScheme::RSA_PKCS1_SHA384 => {
                k.pkcs1v15_sign_with_rng::<Sha384, _>(rng, message)
            }
            SignatureScheme::RSA_PKCS1_SHA512 => {
                k.pkcs1v15_sign_with_rng::<Sha512, _>(rng, message)
            }
            SignatureScheme::RSA_PSS_RSAE_SHA256 => k.pss_sign_with_rng::<Sha256, _>(rng, message),
            SignatureScheme::RSA_PSS_RSAE_SHA384 => k.pss_sign_with_rng::<Sha384, _>(rng, message),
            SignatureScheme::RSA_PSS_RSAE_SHA512 => k.pss_sign_with_rng::<Sha512, _>(rng, message),
            _ => {
                return Err(Error::internal(
                    "RSA key asked to sign with a non-RSA scheme",
                ));
            }
        }
        .map_err(|_| Error::internal("RSA signing failed"))
    }

    #[cfg(feature = "rsa-kx")]
    fn rsa_decrypter(&self) -> Option<&dyn crate::crypto::RsaPreMasterDecrypter> {
        Some(&self.decrypter)
    }
}

enum EcdsaKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

/// An ECDSA private key on P-256 (signs ecdsa_secp256r1_sha256) or P-384 (signs
/// ecdsa_secp384r1_sha384), with ASN.1 DER signatures. Nonces are RFC 6979's, hedged with
/// fresh randomness from the provider.
struct EcdsaSigningKey {
    key: EcdsaKey,
    provider: RustCryptoProvider,
}

impl EcdsaSigningKey {
    fn new(key: EcdsaKey, provider: &RustCryptoProvider) -> Self {
        Self {
            key,
            provider: provider.clone(),
        }
    }

    fn scheme(&self) -> SignatureScheme {
        match self.key {
            EcdsaKey::P256(_) => SignatureScheme::ECDSA_SECP256R1_SHA256,
            EcdsaKey::P384(_) => SignatureScheme::ECDSA_SECP384R1_SHA384,
        }
    }
}

impl fmt::Debug for EcdsaSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcdsaSigningKey")
            .field("scheme", &self.scheme())
            .finish_non_exhaustive()
    }
}

impl SigningKey for EcdsaSigningKey {
    fn kind(&self) -> KeyKind {
        KeyKind::Ecdsa
    }

    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme> {
        offered.iter().copied().find(|s| *s == self.scheme())
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        if scheme != self.scheme() {
            return Err(Error::internal(
                "ECDSA key asked to sign with a scheme for another curve or hash",
            ));
        }
        let rng = &mut ProviderRng(&self.provider);
        const FAILED: Error = Error::internal("ECDSA signing failed");
        match &self.key {
            EcdsaKey::P256(k) => {
                let sig: p256::ecdsa::DerSignature =
                    k.try_sign_with_rng(rng, message).map_err(|_| FAILED)?;
                Ok(sig.as_bytes().to_vec())
            }
            EcdsaKey::P384(k) => {
                let sig: p384::ecdsa::DerSignature =
                    k.try_sign_with_rng(rng, message).map_err(|_| FAILED)?;
                Ok(sig.as_bytes().to_vec())
            }
        }
    }
}
