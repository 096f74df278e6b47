//! A pure-Rust crypto provider on the RustCrypto crates (feature `rustcrypto`).
//!
//! No C, no assembly and no `std`: it builds for targets `ring` does not support, and it
//! reads no entropy of its own. Randomness comes from the caller, in one of these ways:
//!
//! - [`RustCryptoProvider::new`] (feature `std`) or [`RustCryptoProvider::with_rng`]: any
//!   `rand_core` generator ([`TryCryptoRng`]), kept behind a lock ([`std::sync::Mutex`], or a
//!   lock the caller supplies through [`crate::sync::MakeLock`]);
//! - [`RustCryptoProvider::from_fn`]: a function that fills a buffer (a hardware RNG
//!   register, say), which does its own synchronisation;
//! - [`RustCryptoProvider::from_source`]: any [`RandomSource`];
//! - [`RustCryptoProvider::from_os_rng`] (feature `std`): the operating system's generator
//!   through `getrandom`; also the [`Default`].
//!
//! What it implements:
//!
//! - Hashes and HMAC: SHA-256, SHA-384 (`sha2`, `hmac`).
//! - AEAD: AES-128-GCM, AES-256-GCM (`aes-gcm`), ChaCha20-Poly1305 (`chacha20poly1305`).
//!   [`CryptoProvider::aead`] returns `None` for any other algorithm.
//! - Key exchange: X25519 (`x25519-dalek`), secp256r1 (`p256`), secp384r1 (`p384`), in that
//!   preference order, with the same checks on peer keys and shared secrets as the ring
//!   provider.
//! - Signing keys: RSA (2048 to 8192 bits; rsa_pss_rsae_* and rsa_pkcs1_* with
//!   SHA-256/384/512, through `rsa`), ECDSA P-256 and P-384 (ecdsa_secp256r1_sha256,
//!   ecdsa_secp384r1_sha384; RFC 6979 nonces hedged with fresh randomness), from PKCS#8,
//!   PKCS#1 (RSA) or SEC1 (EC) DER.
//! - Verification: [`SUPPORTED_SIGNATURE_VERIFICATION`], webpki certificate chains and
//!   handshake signatures through [`pki_types::SignatureVerificationAlgorithm`]s built on
//!   the same crates. No Ed25519.
//! - RSA key transport with the `rsa-kx` feature, as with the ring provider.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use std::sync::Arc;
//! use tls12::crypto::CryptoProvider;
//! use tls12::crypto::rustcrypto::RustCryptoProvider;
//!
//! let provider = RustCryptoProvider::from_os_rng();
//! let mut random = [0u8; 32];
//! provider.fill_random(&mut random).unwrap();
//! let provider: Arc<dyn CryptoProvider> = Arc::new(provider);
//! # let _ = provider;
//! # }
//! ```

use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use rand_core::TryCryptoRng;

use crate::codec::enums::NamedGroup;
use crate::crypto::{
    self, AeadAlgorithm, CryptoProvider, HashAlgorithm, KxGroup, SignatureVerification, SigningKey,
};
use crate::error::Error;
use crate::sync::{Locked, MakeLock};

mod aead;
mod hash;
mod kx;
mod sign;
mod verify;

pub use verify::SUPPORTED_SIGNATURE_VERIFICATION;

/// Where a [`RustCryptoProvider`] draws its randomness from: client and server randoms,
/// ephemeral keys, ECDSA nonce hedging, RSA-PSS salts and RSA blinding, session ticket keys.
pub trait RandomSource: Send + Sync {
    /// Fills `buf` with cryptographically secure random bytes, or fails (the handshake
    /// then fails with an internal error).
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error>;
}

/// A function that fills a buffer with random bytes.
struct FnSource(fn(&mut [u8]) -> Result<(), Error>);

impl RandomSource for FnSource {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        (self.0)(buf)
    }
}

/// A `rand_core` generator behind a lock.
struct LockedRng<R>(Locked<R>);

impl<R: TryCryptoRng + Send + 'static> RandomSource for LockedRng<R> {
    fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
        match self.0.with(|rng| rng.try_fill_bytes(buf).is_ok()) {
            Some(true) => Ok(()),
            Some(false) => Err(Error::internal("random number generator failed")),
            None => Err(Error::internal(
                "random number generator lock not available",
            )),
        }
    }
}

/// The pure-Rust provider. See the [module docs](self).
///
/// Cloning is cheap and shares the random source.
#[derive(Clone)]
pub struct RustCryptoProvider {
    rng: Arc<dyn RandomSource>,
    groups: [kx::Group; 3],
}

impl RustCryptoProvider {
    /// A provider drawing randomness from `source`.
    pub fn from_source(source: Arc<dyn RandomSource>) -> Self {
        Self {
            groups: [
                kx::Group::new(NamedGroup::X25519, source.clone()),
                kx::Group::new(NamedGroup::SECP256R1, source.clone()),
                kx::Group::new(NamedGroup::SECP384R1, source.clone()),
            ],
            rng: source,
        }
    }

    /// A provider drawing randomness from `fill`, which fills its buffer with secure random
    /// bytes or fails. It may be called from several connections at once.
    ///
    /// ```
    /// use tls12::crypto::rustcrypto::RustCryptoProvider;
    ///
    /// fn hardware_rng(buf: &mut [u8]) -> Result<(), tls12::Error> {
    ///     // Read the device's RNG register here.
    /// #   buf.iter_mut().for_each(|b| *b = 0x55);
    ///     Ok(())
    /// }
    ///
    /// let provider = RustCryptoProvider::from_fn(hardware_rng);
    /// ```
    pub fn from_fn(fill: fn(&mut [u8]) -> Result<(), Error>) -> Self {
        Self::from_source(Arc::new(FnSource(fill)))
    }

    /// A provider drawing randomness from `rng`, kept behind a lock made by `M` (see
    /// [`crate::sync`]). A failing generator, or a lock that declines, fails the operation
    /// that wanted the randomness with an internal error.
    pub fn with_rng<M: MakeLock, R: TryCryptoRng + Send + 'static>(rng: R) -> Self {
        Self::from_source(Arc::new(LockedRng(Locked::new::<M>(rng))))
    }

    /// A provider drawing randomness from `rng`, behind a [`std::sync::Mutex`].
    #[cfg(feature = "std")]
    pub fn new<R: TryCryptoRng + Send + 'static>(rng: R) -> Self {
        Self::with_rng::<crate::sync::StdLock, R>(rng)
    }

    /// A provider drawing randomness from the operating system (`getrandom`).
    #[cfg(feature = "std")]
    pub fn from_os_rng() -> Self {
        Self::from_fn(|buf| {
            getrandom::fill(buf).map_err(|_| Error::internal("operating system randomness failed"))
        })
    }
}

/// The operating system's randomness ([`RustCryptoProvider::from_os_rng`]).
#[cfg(feature = "std")]
impl Default for RustCryptoProvider {
    fn default() -> Self {
        Self::from_os_rng()
    }
}

impl fmt::Debug for RustCryptoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RustCryptoProvider").finish_non_exhaustive()
    }
}

static SHA256: hash::Hash = hash::Hash(HashAlgorithm::Sha256);
static SHA384: hash::Hash = hash::Hash(HashAlgorithm::Sha384);
static HMAC_SHA256: hash::Hmac = hash::Hmac(HashAlgorithm::Sha256);
static HMAC_SHA384: hash::Hmac = hash::Hmac(HashAlgorithm::Sha384);
static AES128GCM: aead::Aead = aead::Aead(AeadAlgorithm::Aes128Gcm);
static AES256GCM: aead::Aead = aead::Aead(AeadAlgorithm::Aes256Gcm);
static CHACHA20: aead::Aead = aead::Aead(AeadAlgorithm::ChaCha20Poly1305);

impl CryptoProvider for RustCryptoProvider {
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        self.rng.fill(buf)
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
        let [x25519, p256, p384] = &self.groups;
        vec![x25519, p256, p384]
    }

    #[allow(unreachable_patterns)] // Algorithms added later (CCM) are not implemented here.
    fn aead(&self, alg: AeadAlgorithm) -> Option<&dyn crypto::Aead> {
        match alg {
            AeadAlgorithm::Aes128Gcm => Some(&AES128GCM),
            AeadAlgorithm::Aes256Gcm => Some(&AES256GCM),
            AeadAlgorithm::ChaCha20Poly1305 => Some(&CHACHA20),
            AeadAlgorithm::Aes128Ccm8 => Some(&crypto::ccm::AES_128_CCM_8),
        }
    }

    fn load_private_key(
        &self,
        key: pki_types::PrivateKeyDer<'_>,
    ) -> Result<Arc<dyn SigningKey>, Error> {
        sign::load_private_key(key, self)
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

    /// Not random at all: a counter, so tests are deterministic.
    pub(super) fn counter_provider() -> RustCryptoProvider {
        use core::sync::atomic::{AtomicU8, Ordering};
        static NEXT: AtomicU8 = AtomicU8::new(1);
        RustCryptoProvider::from_fn(|buf| {
            for b in buf {
                *b = NEXT.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
    }

    #[test]
    fn fill_random_uses_the_function() {
        let p = RustCryptoProvider::from_fn(|buf| {
            buf.fill(7);
            Ok(())
        });
        let mut buf = [0u8; 5];
        p.fill_random(&mut buf).unwrap();
        assert_eq!(buf, [7; 5]);

        let failing = RustCryptoProvider::from_fn(|_| Err(Error::internal("no entropy")));
        assert_eq!(
            failing.fill_random(&mut buf),
            Err(Error::internal("no entropy"))
        );
        // Key generation reports the failure too, rather than using a weak key.
        for g in failing.kx_groups() {
            assert!(g.start().is_err(), "{:?}", g.name());
        }
    }

    /// A `rand_core` generator: a counter, or always failing.
    struct Counter(u8, bool);

    #[derive(Debug)]
    struct Broken;

    impl core::fmt::Display for Broken {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("broken")
        }
    }

    impl core::error::Error for Broken {}

    impl rand_core::TryRng for Counter {
        type Error = Broken;
        fn try_next_u32(&mut self) -> Result<u32, Broken> {
            let mut b = [0; 4];
            self.try_fill_bytes(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }
        fn try_next_u64(&mut self) -> Result<u64, Broken> {
            let mut b = [0; 8];
            self.try_fill_bytes(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Broken> {
            if self.1 {
                return Err(Broken);
            }
            for b in dst {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }

    impl TryCryptoRng for Counter {}

    #[cfg(feature = "std")]
    #[test]
    fn new_draws_from_the_rng_it_is_given() {
        let p = RustCryptoProvider::new(Counter(0, false));
        let mut a = [0u8; 3];
        p.fill_random(&mut a).unwrap();
        assert_eq!(a, [1, 2, 3]);
        // Clones share the generator: the sequence goes on.
        let q = p.clone();
        q.fill_random(&mut a).unwrap();
        assert_eq!(a, [4, 5, 6]);
        let broken = RustCryptoProvider::new(Counter(0, true));
        assert_eq!(
            broken.fill_random(&mut a),
            Err(Error::internal("random number generator failed"))
        );
    }

    #[cfg(feature = "std")]
    #[test]
    fn os_rng_fills() {
        let p = RustCryptoProvider::default();
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        p.fill_random(&mut a).unwrap();
        p.fill_random(&mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn a_declining_lock_fails_randomness() {
        use crate::sync::tests::Declining;
        struct Zero;
        impl rand_core::TryRng for Zero {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(0)
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(0)
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                dst.fill(0);
                Ok(())
            }
        }
        impl TryCryptoRng for Zero {}
        let p = RustCryptoProvider::with_rng::<Declining, _>(Zero);
        assert!(p.fill_random(&mut [0u8; 4]).is_err());
    }

    #[test]
    fn every_aead_and_group() {
        let p = counter_provider();
        for alg in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::ChaCha20Poly1305,
        ] {
            assert_eq!(p.aead(alg).map(|a| a.algorithm()), Some(alg));
        }
        let names: Vec<_> = p.kx_groups().iter().map(|g| g.name()).collect();
        assert_eq!(
            names,
            [
                NamedGroup::X25519,
                NamedGroup::SECP256R1,
                NamedGroup::SECP384R1
            ]
        );
    }
}
