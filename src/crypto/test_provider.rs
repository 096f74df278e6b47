//! A deterministic crypto provider for transcript replay, tests and fuzzing.
//!
//! **Never use it for real traffic**: its "randomness" is a fixed queue followed by a
//! stream derived from a seed, so anyone who knows the seed knows every key.
//!
//! [`TestProvider`] makes two things deterministic:
//!
//! - [`CryptoProvider::fill_random`]: each call first takes the next byte string queued with
//!   [`TestProvider::with_random`] (which must have exactly the requested length), and once
//!   the queue is used up fills the buffer from a stream derived from the seed:
//!   block *i* is SHA-256(`"tls12 test random"` || seed || *i* as a big-endian u64).
//! - Ephemeral key-exchange keys: each [`KxGroup::start`] in a group first takes the next
//!   private key queued for that group with [`TestProvider::with_kx_private_key`], and then
//!   derives keys from the seed (SHA-256 or SHA-384 of a label, the group, the seed and a
//!   counter). X25519 runs on `x25519-dalek`, P-256 and P-384 on the `p256` and `p384`
//!   crates, with the same public-key checks as the ring provider.
//!
//! RSA key transport encryption (client side) draws its padding from the same deterministic
//! randomness, so a ClientKeyExchange is reproducible too.
//!
//! - ECDSA signatures: a P-256 or P-384 key loaded through this provider signs
//!   deterministically (RFC 6979, on the `p256` and `p384` crates), so an ECDSA
//!   ServerKeyExchange or CertificateVerify is reproducible too.
//!
//! Everything else (hashes, HMAC, AEAD, RSA keys, verification, RSA decryption) is
//! [`RingProvider`]'s. ring's RSA-PSS signatures are randomized with system randomness, so
//! they differ from run to run; for byte-exact replay of an RSA-signed handshake, sign with
//! an rsa_pkcs1_* scheme, which is deterministic.
//!
//! The state (queue positions, counters) lives in atomics, so the provider is `Send + Sync`
//! and works without `std`. It is deterministic as long as one connection (or one thread)
//! uses it at a time.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::codec::enums::NamedGroup;
use crate::codec::enums::SignatureScheme;
use crate::crypto::ecdh::{ActiveKx as EcdhKx, Secret};
use crate::crypto::ring::RingProvider;
use crate::crypto::{
    self, ActiveKx, AeadAlgorithm, CryptoProvider, HashAlgorithm, KeyKind, KxGroup,
    SignatureVerification, SigningKey,
};
use crate::error::Error;

/// A deterministic [`CryptoProvider`]: fixed randoms and ephemeral keys, then values derived
/// from a seed. See the [module docs](self).
///
/// ```
/// use tls12::enums::NamedGroup;
/// use tls12::crypto::CryptoProvider;
/// use tls12::crypto::test_provider::TestProvider;
///
/// let provider = TestProvider::new(b"seed")
///     .with_random(&[0x11; 32])
///     .with_kx_private_key(NamedGroup::X25519, &[0x20; 32])
///     .expect("a 32-byte X25519 key is valid");
/// let mut random = [0u8; 32];
/// provider.fill_random(&mut random).unwrap();
/// assert_eq!(random, [0x11; 32]);
/// ```
pub struct TestProvider {
    seed: Vec<u8>,
    randoms: Vec<Vec<u8>>,
    next_random: AtomicUsize,
    random_block: AtomicUsize,
    groups: [TestKxGroup; 3],
}

impl TestProvider {
    /// A provider whose randomness and ephemeral keys are all derived from `seed`.
    pub fn new(seed: &[u8]) -> Self {
        Self {
            seed: seed.to_vec(),
            randoms: Vec::new(),
            next_random: AtomicUsize::new(0),
            random_block: AtomicUsize::new(0),
            groups: [
                TestKxGroup::new(NamedGroup::X25519, seed),
                TestKxGroup::new(NamedGroup::SECP256R1, seed),
                TestKxGroup::new(NamedGroup::SECP384R1, seed),
            ],
        }
    }

    /// Queues `bytes` as the result of the next not-yet-queued `fill_random` call. Calls
    /// consume the queue in order; a call whose buffer length differs from the queued
    /// string's fails with an internal error (the replay has diverged).
    pub fn with_random(mut self, bytes: &[u8]) -> Self {
        self.randoms.push(bytes.to_vec());
        self
    }

    /// Queues `private` as the next ephemeral private key generated in `group`: 32 bytes
    /// for X25519 (RFC 7748 scalar, clamped when used), a big-endian scalar of 32 bytes for
    /// secp256r1 or 48 bytes for secp384r1 (non-zero, below the group order).
    ///
    /// An unsupported group or an invalid key is [`Error::Config`].
    pub fn with_kx_private_key(mut self, group: NamedGroup, private: &[u8]) -> Result<Self, Error> {
        let g = self
            .groups
            .iter_mut()
            .find(|g| g.name == group)
            .ok_or(Error::Config(
                "test provider: unsupported key-exchange group",
            ))?;
        // Validate now, so that `start` cannot fail on a queued key.
        test_secret(group, private)?;
        g.keys.push(private.to_vec());
        Ok(self)
    }

    /// How many queued randoms have been consumed so far.
    pub fn randoms_used(&self) -> usize {
        self.next_random.load(Ordering::Relaxed)
    }

    fn derived_random(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(32) {
            let i = self.random_block.fetch_add(1, Ordering::Relaxed) as u64;
            let block = derive(
                HashAlgorithm::Sha256,
                &[b"tls12 test random", &self.seed, &i.to_be_bytes()],
            );
            chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        }
    }
}

impl fmt::Debug for TestProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestProvider")
            .field("queued_randoms", &self.randoms.len())
            .field("randoms_used", &self.randoms_used())
            .finish_non_exhaustive()
    }
}

/// Hash of the concatenation of `parts`.
fn derive(alg: HashAlgorithm, parts: &[&[u8]]) -> crypto::Digest {
    let mut ctx = RingProvider.hash(alg).start();
    for p in parts {
        ctx.update(p);
    }
    ctx.current()
}

impl CryptoProvider for TestProvider {
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        let len = self.randoms.len();
        match self
            .next_random
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |i| {
                (i < len).then_some(i + 1)
            }) {
            Ok(i) => {
                let queued = self
                    .randoms
                    .get(i)
                    .ok_or(Error::internal("test provider: random queue index"))?;
                if queued.len() != buf.len() {
                    return Err(Error::internal(
                        "test provider: queued random has a different length than requested",
                    ));
                }
                buf.copy_from_slice(queued);
            }
            Err(_) => self.derived_random(buf),
        }
        Ok(())
    }

    fn hash(&self, alg: HashAlgorithm) -> &dyn crypto::Hash {
        RingProvider.hash(alg)
    }

    fn hmac(&self, alg: HashAlgorithm) -> &dyn crypto::Hmac {
        RingProvider.hmac(alg)
    }

    fn kx_groups(&self) -> Vec<&dyn KxGroup> {
        self.groups.iter().map(|g| g as &dyn KxGroup).collect()
    }

    fn kx_group(&self, name: NamedGroup) -> Option<&dyn KxGroup> {
        self.groups
            .iter()
            .find(|g| g.name == name)
            .map(|g| g as &dyn KxGroup)
    }

    fn aead(&self, alg: AeadAlgorithm) -> Option<&dyn crypto::Aead> {
        RingProvider.aead(alg)
    }

    fn load_private_key(
        &self,
        key: pki_types::PrivateKeyDer<'_>,
    ) -> Result<Arc<dyn SigningKey>, Error> {
        let der = key.secret_der().to_vec();
        // ring checks the key and picks its schemes; an ECDSA key then signs with RFC 6979.
        let ring_key = RingProvider.load_private_key(key)?;
        if ring_key.kind() != KeyKind::Ecdsa {
            return Ok(ring_key);
        }
        match DeterministicKey::from_der(&der) {
            Some(key) => Ok(Arc::new(DeterministicEcdsa { ring_key, key })),
            None => Err(Error::Config(
                "test provider: ECDSA key that ring loads but p256/p384 do not",
            )),
        }
    }

    fn signature_verification(&self) -> &SignatureVerification {
        RingProvider.signature_verification()
    }

    fn rsa_encrypt_pre_master(
        &self,
        ee_cert: &[u8],
        pre_master: &[u8; 48],
    ) -> Option<Result<Vec<u8>, Error>> {
        #[cfg(feature = "rsa-kx")]
        {
            Some(crate::crypto::rsa_kx::encrypt_pre_master(
                self, ee_cert, pre_master,
            ))
        }
        #[cfg(not(feature = "rsa-kx"))]
        {
            let _ = (ee_cert, pre_master);
            None
        }
    }
}

/// One group's queue of fixed private keys and its derivation counter.
struct TestKxGroup {
    name: NamedGroup,
    seed: Vec<u8>,
    keys: Vec<Vec<u8>>,
    next_key: AtomicUsize,
    derived: AtomicUsize,
}

impl TestKxGroup {
    fn new(name: NamedGroup, seed: &[u8]) -> Self {
        Self {
            name,
            seed: seed.to_vec(),
            keys: Vec::new(),
            next_key: AtomicUsize::new(0),
            derived: AtomicUsize::new(0),
        }
    }

    fn derived_secret(&self) -> Result<Secret, Error> {
        // A derived NIST scalar is out of range with probability about 2^-32 (P-256) or
        // 2^-190 (P-384); try the next counter value then.
        for _ in 0..16 {
            let i = self.derived.fetch_add(1, Ordering::Relaxed) as u64;
            let parts: [&[u8]; 4] = [
                b"tls12 test kx",
                &self.name.0.to_be_bytes(),
                &self.seed,
                &i.to_be_bytes(),
            ];
            let (alg, len) = match self.name {
                NamedGroup::SECP384R1 => (HashAlgorithm::Sha384, 48),
                _ => (HashAlgorithm::Sha256, 32),
            };
            let bytes = derive(alg, &parts);
            if let Ok(secret) = test_secret(self.name, &bytes.as_ref()[..len]) {
                return Ok(secret);
            }
        }
        Err(Error::internal("test provider: no valid derived key"))
    }
}

impl KxGroup for TestKxGroup {
    fn name(&self) -> NamedGroup {
        self.name
    }

    fn start(&self) -> Result<Box<dyn ActiveKx>, Error> {
        let len = self.keys.len();
        let secret = match self
            .next_key
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |i| {
                (i < len).then_some(i + 1)
            }) {
            Ok(i) => {
                let key = self
                    .keys
                    .get(i)
                    .ok_or(Error::internal("test provider: key queue index"))?;
                test_secret(self.name, key)?
            }
            Err(_) => self.derived_secret()?,
        };
        Ok(Box::new(EcdhKx::new(self.name, secret)))
    }
}

/// The queued or derived private key: `Config` if it is not one for the group.
fn test_secret(group: NamedGroup, bytes: &[u8]) -> Result<Secret, Error> {
    Secret::from_bytes(group, bytes).ok_or(Error::Config(
        "test provider: invalid ephemeral private key",
    ))
}

/// An ECDSA key whose signatures are deterministic (RFC 6979): the same message always gets
/// the same signature, so a signed handshake replays byte for byte.
struct DeterministicEcdsa {
    /// ring's view of the key: its kind and the scheme it offers.
    ring_key: Arc<dyn SigningKey>,
    key: DeterministicKey,
}

enum DeterministicKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl DeterministicKey {
    /// A P-256 or P-384 key from PKCS#8 or SEC1 DER.
    fn from_der(der: &[u8]) -> Option<Self> {
        use p256::pkcs8::DecodePrivateKey;
        if let Ok(k) =
            p256::SecretKey::from_pkcs8_der(der).or_else(|_| p256::SecretKey::from_sec1_der(der))
        {
            return Some(Self::P256(k.into()));
        }
        if let Ok(k) =
            p384::SecretKey::from_pkcs8_der(der).or_else(|_| p384::SecretKey::from_sec1_der(der))
        {
            return Some(Self::P384(k.into()));
        }
        None
    }
}

impl fmt::Debug for DeterministicEcdsa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeterministicEcdsa(..)")
    }
}

impl SigningKey for DeterministicEcdsa {
    fn kind(&self) -> KeyKind {
        KeyKind::Ecdsa
    }

    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme> {
        self.ring_key.choose_scheme(offered)
    }

    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        use p256::ecdsa::signature::Signer;
        match (&self.key, scheme) {
            (DeterministicKey::P256(k), SignatureScheme::ECDSA_SECP256R1_SHA256) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            (DeterministicKey::P384(k), SignatureScheme::ECDSA_SECP384R1_SHA384) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            _ => Err(Error::internal(
                "test provider: ECDSA key asked for a scheme it does not offer",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P256_KEY: &[u8] = include_bytes!("../../tests/data/pki/server-p256.key.der");
    const P384_KEY: &[u8] = include_bytes!("../../tests/data/pki/server-p384.key.der");

    fn key(der: &'static [u8]) -> Arc<dyn SigningKey> {
        let der = pki_types::PrivateKeyDer::try_from(der).expect("PKCS#8 DER");
        TestProvider::new(b"seed")
            .load_private_key(der)
            .expect("loads")
    }

    #[test]
    fn ecdsa_signatures_are_deterministic_and_verify() {
        for (der, scheme, alg) in [
            (
                P256_KEY,
                SignatureScheme::ECDSA_SECP256R1_SHA256,
                &ring::signature::ECDSA_P256_SHA256_ASN1,
            ),
            (
                P384_KEY,
                SignatureScheme::ECDSA_SECP384R1_SHA384,
                &ring::signature::ECDSA_P384_SHA384_ASN1,
            ),
        ] {
            let k = key(der);
            assert_eq!(k.kind(), KeyKind::Ecdsa);
            assert_eq!(
                k.choose_scheme(&[SignatureScheme::RSA_PKCS1_SHA256, scheme]),
                Some(scheme)
            );
            let a = k.sign(scheme, b"message").expect("signs");
            let b = k.sign(scheme, b"message").expect("signs");
            assert_eq!(a, b, "RFC 6979: the same message, the same signature");
            assert_ne!(a, k.sign(scheme, b"other").expect("signs"));
            // The signature verifies under the key's public key, as ring checks it.
            let p = match der {
                P256_KEY => {
                    use p256::elliptic_curve::sec1::ToSec1Point;
                    use p256::pkcs8::DecodePrivateKey;
                    p256::SecretKey::from_pkcs8_der(der)
                        .unwrap()
                        .public_key()
                        .to_sec1_point(false)
                        .as_bytes()
                        .to_vec()
                }
                _ => {
                    use p384::elliptic_curve::sec1::ToSec1Point;
                    use p384::pkcs8::DecodePrivateKey;
                    p384::SecretKey::from_pkcs8_der(der)
                        .unwrap()
                        .public_key()
                        .to_sec1_point(false)
                        .as_bytes()
                        .to_vec()
                }
            };
            ring::signature::UnparsedPublicKey::new(alg, &p)
                .verify(b"message", &a)
                .expect("a valid ECDSA signature");
        }
    }
}
