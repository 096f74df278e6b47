//! The default crypto provider, built on `ring` (and `rsa` for RSA key transport).
//!
//! Private keys are loaded from DER ([`pki_types::PrivateKeyDer`]); PEM is read by the caller
//! with [`pki_types::pem::PemObject`] (for example `PrivateKeyDer::from_pem_slice`), or with
//! [`CryptoProvider::load_private_key_pem`].

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use ring::rand::{SecureRandom, SystemRandom};

use crate::codec::enums::NamedGroup;
use crate::crypto::{
    self, AeadAlgorithm, CryptoProvider, HashAlgorithm, KxGroup, SignatureVerification, SigningKey,
};
use crate::error::Error;

mod aead;
mod hash;
mod kx;
mod sign;
mod verify;

pub use verify::{SUPPORTED_SIGNATURE_VERIFICATION, verify_signature};

/// The default provider: `ring` for everything it has, the `rsa` crate for RSA key transport
/// (feature `rsa-kx`, off by default).
///
/// - Randomness: `ring::rand::SystemRandom` (the operating system's RNG). This is the only
///   source of randomness in the crate.
/// - Record protection: AES-GCM and ChaCha20-Poly1305 from ring; AES-128-CCM-8 from
///   [`crypto::ccm`] (RustCrypto's `ccm`), which ring lacks.
/// - Key exchange: X25519, secp256r1, secp384r1, in that preference order.
/// - Signing keys: RSA (2048 to 8192 bits; rsa_pss_rsae_* and rsa_pkcs1_* with SHA-256/384/512)
///   and ECDSA P-256 / P-384 (ecdsa_secp256r1_sha256 / ecdsa_secp384r1_sha384), from PKCS#8,
///   PKCS#1 (RSA) or SEC1 (EC) DER.
/// - Verification: [`SUPPORTED_SIGNATURE_VERIFICATION`]; see [`verify_signature`].
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
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        SystemRandom::new()
            .fill(buf)
            .map_err(|_| Error::internal("system randomness failed"))
    }

    /// One draw from the system for all of `bufs` when they come to at most 64 bytes (a
    /// client random and a session ID): a system call each would cost more than the
    /// bytes.
    fn fill_random_parts(&self, bufs: &mut [&mut [u8]]) -> Result<(), Error> {
        const AT_ONCE: usize = 64;
        let total = bufs.iter().map(|b| b.len()).sum::<usize>();
        if total > AT_ONCE {
            for buf in bufs.iter_mut() {
                self.fill_random(buf)?;
            }
            return Ok(());
        }
        let mut drawn = zeroize::Zeroizing::new([0u8; AT_ONCE]);
        let drawn = drawn.get_mut(..total).unwrap_or_default();
        self.fill_random(drawn)?;
        let mut rest: &[u8] = drawn;
        for buf in bufs.iter_mut() {
            let (mine, after) = rest
                .split_at_checked(buf.len())
                .ok_or(Error::internal("random parts add up"))?;
            buf.copy_from_slice(mine);
            rest = after;
        }
        Ok(())
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

    fn kx_groups(&self) -> Vec<&dyn KxGroup> {
        vec![&kx::X25519, &kx::SECP256R1, &kx::SECP384R1]
    }

    /// Without building the list: every connection looks its groups up (the connection
    /// constructors check the configuration's groups).
    fn kx_group(&self, name: NamedGroup) -> Option<&dyn KxGroup> {
        Some(match name {
            NamedGroup::X25519 => &kx::X25519,
            NamedGroup::SECP256R1 => &kx::SECP256R1,
            NamedGroup::SECP384R1 => &kx::SECP384R1,
            _ => return None,
        })
    }

    fn aead(&self, alg: AeadAlgorithm) -> Option<&dyn crypto::Aead> {
        Some(match alg {
            AeadAlgorithm::Aes128Gcm => &AES128GCM,
            AeadAlgorithm::Aes256Gcm => &AES256GCM,
            AeadAlgorithm::ChaCha20Poly1305 => &CHACHA20,
            // ring has no CCM: the provider-independent one.
            AeadAlgorithm::Aes128Ccm8 => &crypto::ccm::AES_128_CCM_8,
        })
    }

    fn load_private_key(
        &self,
        key: pki_types::PrivateKeyDer<'_>,
    ) -> Result<Arc<dyn SigningKey>, Error> {
        sign::load_private_key(key)
    }

    fn signature_verification(&self) -> &SignatureVerification {
        &SUPPORTED_SIGNATURE_VERIFICATION
    }

    fn rsa_encrypt_pre_master(
        &self,
        ee_cert: &[u8],
        pre_master: &[u8; 48],
    ) -> Option<Result<Vec<u8>, Error>> {
        crypto::rsa_encrypt_pre_master_with_rsa_crate(self, ee_cert, pre_master)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_key_transport_follows_the_feature() {
        let key = RingProvider
            .load_private_key_pem(include_bytes!("../../../tests/data/keys/rsa2048.pkcs8.pem"))
            .unwrap();
        let cert = include_bytes!("../../../tests/data/keys/rsa2048.crt.der");
        let enc = RingProvider.rsa_encrypt_pre_master(cert, &[3; 48]);
        assert_eq!(enc.is_some(), cfg!(feature = "rsa-kx"));
        assert_eq!(key.rsa_decrypter().is_some(), cfg!(feature = "rsa-kx"));
    }

    #[test]
    fn kx_group_agrees_with_kx_groups() {
        for g in RingProvider.kx_groups() {
            let found = RingProvider
                .kx_group(g.name())
                .expect("listed group is found");
            assert_eq!(found.name(), g.name());
        }
        assert!(RingProvider.kx_group(NamedGroup(0x1234)).is_none());
    }

    #[test]
    fn random_is_filled() {
        let mut buf = [0u8; 32];
        RingProvider.fill_random(&mut buf).unwrap();
        assert_ne!(buf, [0; 32]);
    }

    #[test]
    fn random_parts_are_each_filled_and_differ() {
        // At once (64 bytes in all) and one by one (more).
        for len in [32, 40] {
            let (mut a, mut b) = ([0u8; 40], [0u8; 40]);
            RingProvider
                .fill_random_parts(&mut [&mut a[..len], &mut b[..len]])
                .unwrap();
            assert_ne!(a[..len], [0; 40][..len]);
            assert_ne!(b[..len], [0; 40][..len]);
            assert_ne!(a[..len], b[..len]);
        }
        RingProvider.fill_random_parts(&mut []).unwrap();
    }
}
