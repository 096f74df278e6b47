//! RSA key transport (RFC 5246 section 7.4.7.1) through the `rsa` crate: ring has no RSA
//! encryption.

use alloc::vec::Vec;
use core::fmt;

use pki_types::CertificateDer;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::pkcs8::der::Decode;
use rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
use rsa::rand_core::{TryCryptoRng, TryRng};
use rsa::traits::PublicKeyParts;

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::codec::enums::ProtocolVersion;
use crate::crypto::{CryptoProvider, RsaPreMasterDecrypter};
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

/// The server side: an RSA private key held by the `rsa` crate.
pub(crate) struct Decrypter {
    key: rsa::PrivateKey,
}

impl Decrypter {
    /// The key in PKCS#1 DER, if the `rsa` crate can use it.
    pub(crate) fn from_pkcs1(der: &[u8]) -> Option<Self> {
        rsa::PrivateKey::from_pkcs1_der(der)
            .ok()
            .map(|key| Self { key })
    }

    /// The key in PKCS#8 DER, if the `rsa` crate can use it.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Option<Self> {
        rsa::PrivateKey::from_pkcs8_der(der)
            .ok()
            .map(|key| Self { key })
    }
}

impl RsaPreMasterDecrypter for Decrypter {
    /// Decrypts with the `rsa` crate's implicit rejection (a bad padding yields a synthetic
    /// message rather than an error), then selects, in constant time, between that message
    /// and `random_pre_master` on whether it is exactly 48 bytes long. The `rsa` crate
    /// returns an error only for conditions visible from the ciphertext alone (wrong length,
    /// value not below the modulus) or an internal failure; that also selects the random
    /// bytes. Blinding randomness comes from the system RNG through ring.
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
            .pkcs1v15_decrypt_with_rng(&mut ProviderRng(&super::RingProvider), ciphertext)
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

/// The `rsa` crate's RNG trait over a provider's `fill_random`.
pub(crate) struct ProviderRng<'a>(pub(crate) &'a dyn CryptoProvider);

/// The provider could not produce random bytes.
#[derive(Debug)]
pub(crate) struct RngError;

impl fmt::Display for RngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("crypto provider randomness failed")
    }
}

impl core::error::Error for RngError {}

impl TryRng for ProviderRng<'_> {
    type Error = RngError;

    fn try_next_u32(&mut self) -> Result<u32, RngError> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, RngError> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), RngError> {
        self.0.fill_random(dst).map_err(|_| RngError)
    }
}

impl TryCryptoRng for ProviderRng<'_> {}

impl fmt::Debug for Decrypter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Decrypter(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_encrypt_to_a_1024_bit_key() {
        let weak = include_bytes!("../../../tests/data/pki/weak-rsa1024.crt.der");
        assert_eq!(
            encrypt_pre_master(&super::super::RingProvider, weak, &[3; 48]),
            Err(Error::Certificate(CertificateError::Unsupported))
        );
        let good = include_bytes!("../../../tests/data/pki/server-rsa.crt.der");
        let ct = encrypt_pre_master(&super::super::RingProvider, good, &[3; 48]);
        assert_eq!(ct.map(|c| c.len()), Ok(256));
    }
}
