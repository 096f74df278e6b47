//! The default crypto provider, built on `ring` (and `rsa` for RSA key transport).

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::crypto::{
    self, AeadAlgorithm, CryptoProvider, HashAlgorithm, KxGroup, SignatureVerification, SigningKey,
};
use crate::error::Error;

mod aead;
mod hash;

/// The default provider: `ring` for everything it has.
#[derive(Debug, Default, Clone, Copy)]
pub struct RingProvider;

static SHA256: hash::Hash = hash::Hash(HashAlgorithm::Sha256);
static SHA384: hash::Hash = hash::Hash(HashAlgorithm::Sha384);
static HMAC_SHA256: hash::Hmac = hash::Hmac(HashAlgorithm::Sha256);
static HMAC_SHA384: hash::Hmac = hash::Hmac(HashAlgorithm::Sha384);
static AES128GCM: aead::Aead = aead::Aead(AeadAlgorithm::Aes128Gcm);
static AES256GCM: aead::Aead = aead::Aead(AeadAlgorithm::Aes256Gcm);
static CHACHA20: aead::Aead = aead::Aead(AeadAlgorithm::ChaCha20Poly1305);

impl CryptoProvider for RingProvider {
    fn fill_random(&self, _buf: &mut [u8]) -> Result<(), Error> {
        Err(Error::internal("random: not yet implemented"))
    }

    fn hash(&self, alg: HashAlgorithm) -> &dyn crypto::Hash {
        match alg {
            HashAlgorithm::Sha256 => &SHA256,
            HashAlgorithm::Sha384 => &SHA384,
        }
    }

    fn hmac(&self, alg: HashAlgorithm) -> &dyn crypto::Hmac {
        match alg {
            HashAlgorithm::Sha256 => &HMAC_SHA256,
            HashAlgorithm::Sha384 => &HMAC_SHA384,
        }
    }

    fn kx_groups(&self) -> &[&dyn KxGroup] {
        &[]
    }

    fn aead(&self, alg: AeadAlgorithm) -> Option<&dyn crypto::Aead> {
        Some(match alg {
            AeadAlgorithm::Aes128Gcm => &AES128GCM,
            AeadAlgorithm::Aes256Gcm => &AES256GCM,
            AeadAlgorithm::ChaCha20Poly1305 => &CHACHA20,
        })
    }

    fn load_private_key(
        &self,
        _key: pki_types::PrivateKeyDer<'_>,
    ) -> Result<Arc<dyn SigningKey>, Error> {
        Err(Error::Config("private keys: not yet implemented"))
    }

    fn signature_verification(&self) -> &SignatureVerification {
        static NONE: SignatureVerification = SignatureVerification {
            all: &[],
            mapping: &[],
        };
        &NONE
    }

    fn rsa_encrypt_pre_master(
        &self,
        _ee_cert: &[u8],
        _pre_master: &[u8; 48],
    ) -> Option<Result<Vec<u8>, Error>> {
        None
    }
}
