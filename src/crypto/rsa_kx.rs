//! RSA key transport (RFC 5246 section 7.4.7.1) through the `rsa` crate: ring has no RSA
//! encryption.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use pki_types::CertificateDer;
#[cfg(feature = "ring")]
use rsa::pkcs1::DecodeRsaPrivateKey;
#[cfg(feature = "ring")]
use rsa::pkcs8::DecodePrivateKey;
use rsa::pkcs8::der::Decode;
use rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
use rsa::traits::PublicKeyParts;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::codec::enums::ProtocolVersion;
use crate::crypto::{CryptoProvider, ProviderRng, RsaPreMasterDecrypter};
use crate::error::{CertificateError, Error};

/// Encrypts `pre_master` to the RSA key of the end-entity certificate `ee_cert` with
/// PKCS#1 v1.5 padding, drawing the padding bytes from `provider`.
pub(crate) fn encrypt_pre_master(
    provider: &dyn CryptoProvider,
    ee_cert: &[u8],
    pre_master: &[u8; 48],
) -> Result<Vec<u8>, Error> {
    let cert = CertificateDer::from(ee_cert);
    let ee = webpki::EndEntityCert::try_from(&cert).map_err(|_| {
        Error::Certificate(CertificateError::other(
            "end-entity certificate does not parse",
        ))
    })?;
    let spki_der = ee.subject_public_key_info();
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der.as_ref())
        .map_err(|_| Error::Certificate(CertificateError::Unsupported))?;
    // rsaEncryption only: the `rsa` crate would also take an RSASSA-PSS key, which must not
    // be used for encryption.
    if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
        return Err(Error::Certificate(CertificateError::Unsupported));
    }
    let key = rsa::PublicKey::try_from(spki)
        .map_err(|_| Error::Certificate(CertificateError::Unsupported))?;
    // The `rsa` crate takes moduli from 1024 bits; the signature algorithms we verify with
    // start at 2048, and so does key transport.
    if key.size() * 8 < MIN_RSA_BITS {
        return Err(Error::Certificate(CertificateError::Unsupported));
    }
    key.pkcs1v15_encrypt_with_rng(&mut ProviderRng(provider), pre_master)
        .map_err(|_| Error::internal("RSA pre-master encryption failed"))
}

/// The smallest RSA modulus we encrypt a pre-master secret to.
const MIN_RSA_BITS: usize = 2048;

/// The server side: an RSA private key held by the `rsa` crate, and the provider whose
/// randomness blinds the decryption.
pub(crate) struct Decrypter {
    key: rsa::PrivateKey,
    rng: Arc<dyn CryptoProvider>,
}

impl Decrypter {
    /// The key in PKCS#1 DER, if the `rsa` crate can use it.
    #[cfg(feature = "ring")]
    pub(crate) fn from_pkcs1(der: &[u8], rng: Arc<dyn CryptoProvider>) -> Option<Self> {
        rsa::PrivateKey::from_pkcs1_der(der)
            .ok()
            .map(|key| Self { key, rng })
    }

    /// The key in PKCS#8 DER, if the `rsa` crate can use it.
    #[cfg(feature = "ring")]
    pub(crate) fn from_pkcs8(der: &[u8], rng: Arc<dyn CryptoProvider>) -> Option<Self> {
        rsa::PrivateKey::from_pkcs8_der(der)
            .ok()
            .map(|key| Self { key, rng })
    }

    /// A key the `rsa` crate has already loaded.
    #[cfg(feature = "rustcrypto")]
    pub(crate) fn new(key: rsa::PrivateKey, rng: Arc<dyn CryptoProvider>) -> Self {
        Self { key, rng }
    }
}

impl RsaPreMasterDecrypter for Decrypter {
    /// Decrypts with the `rsa` crate's implicit rejection (a bad padding yields a synthetic
    /// message rather than an error), then selects, in constant time, between that message
    /// and `random_pre_master` on whether it is exactly 48 bytes long. The `rsa` crate
    /// returns an error only for conditions visible from the ciphertext alone (wrong length,
    /// value not below the modulus) or an internal failure; that also selects the random
    /// bytes. Blinding randomness comes from the provider that loaded the key.
    fn decrypt_pre_master(
        &self,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        random_pre_master: [u8; 48],
    ) -> [u8; 48] {
        let mut candidate = Zeroizing::new([0u8; 48]);
        let mut random_pre_master = Zeroizing::new(random_pre_master);
        let mut good = Choice::from(0);
        if let Ok(msg) = self
            .key
            .pkcs1v15_decrypt_with_rng(&mut ProviderRng(&*self.rng), ciphertext)
        {
            let msg = Zeroizing::new(msg);
            let n = msg.len().min(48);
            candidate[..n].copy_from_slice(&msg[..n]);
            good = msg.len().ct_eq(&48);
        }
        // Keeps `random_pre_master` where `good` is false, takes the candidate where true.
        (*random_pre_master).conditional_assign(&*candidate, good);
        let mut out = *random_pre_master;
        out[..2].copy_from_slice(&client_version.0.to_be_bytes());
        out
    }
}

impl fmt::Debug for Decrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Decrypter(..)")
    }
}

#[cfg(all(test, feature = "ring"))]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_encrypt_to_a_1024_bit_key() {
        let weak = include_bytes!("../../tests/data/pki/weak-rsa1024.crt.der");
        let p = crate::crypto::ring::RingProvider;
        assert_eq!(
            encrypt_pre_master(&p, weak, &[3; 48]),
            Err(Error::Certificate(CertificateError::Unsupported))
        );
        let good = include_bytes!("../../tests/data/pki/server-rsa.crt.der");
        let ct = encrypt_pre_master(&p, good, &[3; 48]);
        assert_eq!(ct.map(|c| c.len()), Ok(256));
    }
}
