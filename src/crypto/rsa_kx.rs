//! RSA key transport (RFC 5246 section 7.4.7.1) through the `rsa` crate: ring has no RSA
//! encryption.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use pki_types::CertificateDer;
use rsa::BoxedUint;
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
    /// Decrypts with the raw RSA operation (blinded, with the CRT fault check), then checks
    /// the PKCS#1 v1.5 encryption padding for a message of exactly 48 bytes in constant
    /// time, and selects, in constant time, between that message and `random_pre_master`.
    /// This is the TLS-specific check of RFC 5246 section 7.4.7.1, as OpenSSL
    /// (`RSA_PKCS1_WITH_TLS_PADDING`), BoringSSL and Go make it: because the length is known,
    /// the padding check reads every byte at a fixed position.
    ///
    /// The `rsa` crate's own PKCS#1 v1.5 decryption is not used: its implicit rejection
    /// turns a bad padding into a synthetic message whose length is itself pseudo-random,
    /// so about one bad ciphertext in 250 would "decrypt" to 48 bytes and be taken.
    ///
    /// A ciphertext of the wrong length, or not below the modulus, is visible from the
    /// ciphertext alone and selects the random bytes, as does an internal failure. Blinding
    /// randomness comes from the provider that loaded the key.
    fn decrypt_pre_master(
        &self,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        random_pre_master: [u8; 48],
    ) -> [u8; 48] {
        let mut random_pre_master = Zeroizing::new(random_pre_master);
        if let Some(em) = self.raw_decrypt(ciphertext) {
            let (good, candidate) = check_tls_padding(&em);
            // Keeps `random_pre_master` where `good` is false, takes the candidate if true.
            (*random_pre_master).conditional_assign(&*candidate, good);
        }
        let mut out = *random_pre_master;
        out[..2].copy_from_slice(&client_version.0.to_be_bytes());
        out
    }
}

impl Decrypter {
    /// `EM = I2OSP(RSADP(K, OS2IP(C)), k)` (RFC 8017 section 7.2.2 steps 1 and 2), or
    /// `None` where that fails: a ciphertext that is not `k` bytes or not below the modulus,
    /// or a failed RNG or fault check.
    fn raw_decrypt(&self, ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let k = self.key.size();
        if ciphertext.len() != k {
            return None;
        }
        let c = BoxedUint::from_be_slice(ciphertext, self.key.n_bits_precision()).ok()?;
        let m =
            rsa::hazmat::rsa_decrypt_and_check(&self.key, Some(&mut ProviderRng(&*self.rng)), &c)
                .ok()
                .map(Zeroizing::new)?;
        // The storage precision is whole limbs, at least `k` bytes; m < n, so the bytes
        // before the last `k` are zero.
        let bytes = Zeroizing::new(m.to_be_bytes());
        let skip = bytes.len().checked_sub(k)?;
        Some(Zeroizing::new(bytes.get(skip..)?.to_vec()))
    }
}

/// The PKCS#1 v1.5 type 2 check for a 48-byte message, in constant time:
/// `EM = 0x00 || 0x02 || PS || 0x00 || M` with `PS` nonzero and `M` the last 48 bytes. Returns
/// whether the padding holds and `M` (garbage when it does not). An `EM` too short for 8
/// bytes of padding (a modulus under 472 bits, which no loaded key has) never holds.
fn check_tls_padding(em: &[u8]) -> (Choice, Zeroizing<[u8; 48]>) {
    let mut candidate = Zeroizing::new([0u8; 48]);
    let Some(separator) = em.len().checked_sub(49).filter(|&s| s >= 10) else {
        return (Choice::from(0), candidate);
    };
    let mut good = em[0].ct_eq(&0) & em[1].ct_eq(&2) & em[separator].ct_eq(&0);
    for b in &em[2..separator] {
        good &= !b.ct_eq(&0);
    }
    candidate.copy_from_slice(&em[separator + 1..]);
    (good, candidate)
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

#[cfg(test)]
mod padding_tests {
    use super::check_tls_padding;
    use alloc::vec;
    use alloc::vec::Vec;

    fn em(k: usize) -> Vec<u8> {
        let mut em = vec![0x5a; k];
        em[0] = 0;
        em[1] = 2;
        em[k - 49] = 0;
        for (i, b) in em[k - 48..].iter_mut().enumerate() {
            *b = i as u8;
        }
        em
    }

    fn holds(em: &[u8]) -> bool {
        bool::from(check_tls_padding(em).0)
    }

    #[test]
    fn only_the_exact_layout_holds() {
        let good = em(256);
        let (ok, m) = check_tls_padding(&good);
        assert!(bool::from(ok));
        assert_eq!(m[..], good[256 - 48..]);
        // The smallest layout: 8 bytes of padding.
        assert!(holds(&em(59)));
        assert!(!holds(&em(58)), "7 bytes of padding");
        assert!(!holds(&[]));
        for (at, value) in [(0, 1), (1, 1), (1, 0), (2, 0), (100, 0), (206, 0), (207, 1)] {
            let mut bad = good.clone();
            bad[at] = value;
            assert!(!holds(&bad), "byte {at} = {value}");
        }
        // A zero in the message itself is fine.
        let mut zero_in_message = good.clone();
        zero_in_message[255] = 0;
        assert!(holds(&zero_in_message));
    }
}
