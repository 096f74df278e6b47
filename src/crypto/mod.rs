//! Crypto, reached only through traits.
//!
//! A [`CryptoProvider`] is one value carried by the configuration (no global state). It
//! supplies randomness, hashes, HMAC, key-exchange groups, AEAD ciphers, signing keys,
//! signature verification and RSA key transport. Two come with the crate: the default,
//! [`ring::RingProvider`] (feature `ring`), built on `ring`; and
//! [`rustcrypto::RustCryptoProvider`] (feature `rustcrypto`), pure Rust on the RustCrypto
//! crates, for targets without `ring` or `std`, its randomness supplied by the caller. Both
//! use the `rsa` crate for RSA key transport, behind the `rsa-kx` feature.
//! For this crate's own tests and fuzz targets only (hidden from these docs, not part of the
//! API): with the `test-provider` feature, `test_provider::TestProvider` replays fixed
//! randoms and fixed ephemeral private keys so recorded transcripts can be reproduced byte
//! for byte; with the `fuzzing` feature, `fuzz_provider::FuzzProvider` has no security at
//! all, so the whole-connection fuzz targets can forge a peer.
//!
//! AES-128-CCM-8, which ring lacks, is in [`ccm`] (RustCrypto's `ccm` crate): it needs nothing
//! from a provider, so any provider can return it from [`CryptoProvider::aead`].
//!
//! The protocol logic built on these traits lives beside them in `src/crypto/` (the PRF and
//! the key schedule) and in the record layer (record protection); neither is part of the
//! API: they are reached through the hidden `tls12::internal`.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::codec::enums::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::error::Error;

/// A hash function used by TLS 1.2 suites (PRF, transcript, signatures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

impl HashAlgorithm {
    /// Digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
        }
    }
}

/// The AEAD record ciphers (RFC 5288, RFC 7905, RFC 6655).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeadAlgorithm {
    /// AES-128-GCM: 16-byte key, 4-byte implicit salt, 8-byte explicit nonce per record.
    Aes128Gcm,
    /// AES-256-GCM: 32-byte key, 4-byte implicit salt, 8-byte explicit nonce per record.
    Aes256Gcm,
    /// ChaCha20-Poly1305: 32-byte key, 12-byte IV XORed with the sequence number.
    ChaCha20Poly1305,
    /// AES-128-CCM with an 8-byte tag (RFC 6655 `AES_128_CCM_8`): 16-byte key, 4-byte
    /// implicit salt, 8-byte explicit nonce per record, as AES-GCM.
    Aes128Ccm8,
}

impl AeadAlgorithm {
    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes128Ccm8 => 16,
            AeadAlgorithm::Aes256Gcm | AeadAlgorithm::ChaCha20Poly1305 => 32,
        }
    }

    /// Length of the implicit IV taken from the key block (`fixed_iv_length`).
    pub const fn fixed_iv_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm | AeadAlgorithm::Aes128Ccm8 => 4,
            AeadAlgorithm::ChaCha20Poly1305 => 12,
        }
    }

    /// Length of the explicit nonce carried in each record.
    pub const fn explicit_nonce_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm | AeadAlgorithm::Aes128Ccm8 => 8,
            AeadAlgorithm::ChaCha20Poly1305 => 0,
        }
    }

    /// Length of the tag each record carries: 16, or 8 for AES-128-CCM-8.
    pub const fn tag_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Ccm8 => 8,
            _ => Self::TAG_LEN,
        }
    }

    /// The longest tag, in bytes (16): the size of the array [`AeadKey::seal_in_place`]
    /// returns. See [`tag_len`](Self::tag_len) for each algorithm's own.
    pub const TAG_LEN: usize = 16;
    /// Nonce length in bytes (12 for all of them).
    pub const NONCE_LEN: usize = 12;
}

/// A hash digest or an HMAC value (up to 64 bytes).
#[derive(Clone, Copy)]
pub struct Digest {
    buf: [u8; 64],
    len: usize,
}

impl Digest {
    /// Copies `bytes` (at most 64) into a new digest.
    ///
    /// Panics if `bytes` is longer than 64: only provider code builds digests, from hashes
    /// and MACs of at most 64 bytes.
    pub fn new(bytes: &[u8]) -> Self {
        let mut buf = [0u8; 64];
        buf[..bytes.len()].copy_from_slice(bytes);
        Self {
            buf,
            len: bytes.len(),
        }
    }
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", crate::msgs::trace::Hex(self.as_ref()))
    }
}

impl PartialEq for Digest {
    fn eq(&self, other: &Self) -> bool {
        self.as_ref() == other.as_ref()
    }
}

/// A hash function.
pub trait Hash: Send + Sync {
    /// Which algorithm this is.
    fn algorithm(&self) -> HashAlgorithm;
    /// A new running context (for the handshake transcript).
    fn start(&self) -> Box<dyn HashContext>;
    /// Hashes `data` in one go.
    fn hash(&self, data: &[u8]) -> Digest;
}

/// A running hash that can be forked (to hash the transcript so far and keep going).
pub trait HashContext: Send + Sync {
    /// Absorbs `data`.
    fn update(&mut self, data: &[u8]);
    /// The digest of everything absorbed so far; the context keeps running.
    fn current(&self) -> Digest;
    /// An independent copy of this context.
    fn fork(&self) -> Box<dyn HashContext>;
}

/// HMAC over one hash function.
pub trait Hmac: Send + Sync {
    /// Which hash it is built on.
    fn algorithm(&self) -> HashAlgorithm;
    /// A keyed instance.
    fn with_key(&self, key: &[u8]) -> Box<dyn HmacKey>;
}

/// HMAC with a key bound.
pub trait HmacKey: Send + Sync {
    /// HMAC(key, concatenation of `parts`).
    fn sign(&self, parts: &[&[u8]]) -> Digest;
}

/// A key-exchange group (X25519, P-256, P-384).
pub trait KxGroup: Send + Sync {
    /// The group's code point.
    fn name(&self) -> NamedGroup;
    /// Generates an ephemeral key pair.
    fn start(&self) -> Result<Box<dyn ActiveKx>, Error>;
}

/// One side of an ephemeral key exchange in progress.
pub trait ActiveKx: Send + Sync {
    /// The group.
    fn group(&self) -> NamedGroup;
    /// Our public key in wire form (X25519: 32 bytes; NIST curves: uncompressed point).
    fn public_key(&self) -> &[u8];
    /// Completes the exchange with the peer's public key, giving the shared secret (the
    /// pre-master secret). An invalid, identity or wrong-length point is
    /// [`Error::PeerMisbehaved`] with illegal_parameter.
    fn complete(self: Box<Self>, peer_public: &[u8]) -> Result<SharedSecret, Error>;
}

/// A shared secret or pre-master secret; zeroed on drop.
pub struct SharedSecret(Vec<u8>);

impl SharedSecret {
    /// Wraps secret bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl AsRef<[u8]> for SharedSecret {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for SharedSecret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(..)")
    }
}

/// An AEAD cipher with 12-byte nonces and tags of [`AeadAlgorithm::tag_len`] bytes (16, or 8
/// for AES-128-CCM-8).
pub trait Aead: Send + Sync {
    /// Which algorithm this is.
    fn algorithm(&self) -> AeadAlgorithm;
    /// A keyed instance; fails with internal_error if `key` has the wrong length.
    fn with_key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>, Error>;
}

/// An AEAD with a key bound. The record layer builds nonces and additional data.
pub trait AeadKey: Send + Sync {
    /// Encrypts `in_out` in place and returns the tag: its first
    /// [`tag_len`](AeadAlgorithm::tag_len) bytes (all 16 but for AES-128-CCM-8, whose 8-byte
    /// tag is followed by zeros the record layer does not send).
    fn seal_in_place(
        &self,
        nonce: &[u8; AeadAlgorithm::NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; AeadAlgorithm::TAG_LEN], Error>;

    /// Decrypts `in_out` (ciphertext followed by the [`tag_len`](AeadAlgorithm::tag_len)-byte
    /// tag) in place and returns the plaintext length. Any failure (bad tag, too short) is [`Error::bad_record_mac`].
    fn open_in_place(
        &self,
        nonce: &[u8; AeadAlgorithm::NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<usize, Error>;
}

/// The kind of key a certificate carries, for choosing suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// An RSA key.
    Rsa,
    /// An ECDSA key (P-256 or P-384).
    Ecdsa,
}

/// A private key that signs handshake messages.
pub trait SigningKey: Send + Sync + fmt::Debug {
    /// What kind of key this is.
    fn kind(&self) -> KeyKind;
    /// The first scheme in `offered` (the peer's signature_algorithms, in its order) that this
    /// key can sign with, or `None`.
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme>;
    /// Signs `message` with `scheme` (one `choose_scheme` returned or one this key supports).
    /// Randomness for PSS or ECDSA comes from the provider that loaded the key.
    fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error>;
    /// The RSA pre-master decrypter for this key, if it is an RSA key and the provider
    /// supports RSA key transport.
    fn rsa_decrypter(&self) -> Option<&dyn RsaPreMasterDecrypter> {
        None
    }
}

/// Server side of RSA key transport (RFC 5246 section 7.4.7.1).
pub trait RsaPreMasterDecrypter: Send + Sync {
    /// Decrypts an EncryptedPreMasterSecret. Infallible by design: the caller passes 48
    /// random bytes drawn *before* decrypting; if the ciphertext does not decrypt to a
    /// 48-byte value, those random bytes are the result; in every case the first two bytes
    /// are `client_version` (the version of the ClientHello). The selection is constant
    /// time, so nothing about the ciphertext's validity is observable.
    fn decrypt_pre_master(
        &self,
        ciphertext: &[u8],
        client_version: ProtocolVersion,
        random_pre_master: [u8; 48],
    ) -> [u8; 48];
}

/// Everything the protocol needs from cryptography.
pub trait CryptoProvider: Send + Sync + fmt::Debug {
    /// Fills `buf` with secure random bytes.
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error>;
    /// Fills each of `bufs` with secure random bytes, as [`fill_random`](Self::fill_random)
    /// on each in order (what the default does). A provider whose randomness costs a system
    /// call may draw them in one (the ring provider does, up to 64 bytes in all).
    fn fill_random_parts(&self, bufs: &mut [&mut [u8]]) -> Result<(), Error> {
        for buf in bufs.iter_mut() {
            self.fill_random(buf)?;
        }
        Ok(())
    }
    /// The hash function `alg`.
    fn hash(&self, alg: HashAlgorithm) -> &dyn Hash;
    /// HMAC over `alg`.
    fn hmac(&self, alg: HashAlgorithm) -> &dyn Hmac;
    /// The key-exchange groups this provider implements, in default preference order.
    ///
    /// A `Vec` rather than a slice so that a provider with per-instance state (such as the
    /// deterministic test provider) can hand out references into itself.
    fn kx_groups(&self) -> Vec<&dyn KxGroup>;
    /// The AEAD `alg`, if implemented.
    fn aead(&self, alg: AeadAlgorithm) -> Option<&dyn Aead>;
    /// Loads a private key (PKCS#8, PKCS#1 RSA or SEC1 EC, DER).
    fn load_private_key(
        &self,
        key: pki_types::PrivateKeyDer<'_>,
    ) -> Result<Arc<dyn SigningKey>, Error>;
    /// The webpki verification algorithms for certificate chains and handshake signatures.
    fn signature_verification(&self) -> &SignatureVerification;
    /// Client side of RSA key transport: encrypts a 48-byte pre-master secret to the public
    /// key of the end-entity certificate `ee_cert` (PKCS#1 v1.5). `None` if unsupported.
    fn rsa_encrypt_pre_master(
        &self,
        ee_cert: &[u8],
        pre_master: &[u8; 48],
    ) -> Option<Result<Vec<u8>, Error>>;

    /// The key-exchange group `name`, if implemented.
    fn kx_group(&self, name: NamedGroup) -> Option<&dyn KxGroup> {
        self.kx_groups().iter().copied().find(|g| g.name() == name)
    }

    /// Loads the first private key in a PEM document (`RSA PRIVATE KEY`, `EC PRIVATE KEY`
    /// or `PRIVATE KEY`) with [`load_private_key`](Self::load_private_key). A missing or
    /// malformed PEM section is [`Error::Config`].
    fn load_private_key_pem(&self, pem: &[u8]) -> Result<Arc<dyn SigningKey>, Error> {
        use pki_types::pem::PemObject;
        let der = pki_types::PrivateKeyDer::from_pem_slice(pem)
            .map_err(|_| Error::Config("no private key found in PEM input"))?;
        self.load_private_key(der)
    }
}

/// [`CryptoProvider::rsa_encrypt_pre_master`] done with the `rsa` crate (drawing the
/// padding from `provider`) when the `rsa-kx` feature is on, `None` without it: what the
/// ring and RustCrypto providers both answer.
#[cfg(any(feature = "ring", feature = "rustcrypto"))]
pub(crate) fn rsa_encrypt_pre_master_with_rsa_crate(
    provider: &dyn CryptoProvider,
    ee_cert: &[u8],
    pre_master: &[u8; 48],
) -> Option<Result<Vec<u8>, Error>> {
    #[cfg(feature = "rsa-kx")]
    {
        Some(rsa_kx::encrypt_pre_master(provider, ee_cert, pre_master))
    }
    #[cfg(not(feature = "rsa-kx"))]
    {
        let _ = (provider, ee_cert, pre_master);
        None
    }
}

/// Which webpki algorithms verify which signature schemes.
#[derive(Clone, Copy)]
pub struct SignatureVerification {
    /// Every algorithm, for verifying certificate chains.
    pub all: &'static [&'static dyn pki_types::SignatureVerificationAlgorithm],
    /// Per TLS signature scheme, the algorithms that verify handshake signatures with it
    /// (ServerKeyExchange, CertificateVerify), in the order to try.
    pub mapping: &'static [(
        SignatureScheme,
        &'static [&'static dyn pki_types::SignatureVerificationAlgorithm],
    )],
}

impl SignatureVerification {
    /// The schemes we can verify, in preference order: what we offer in
    /// signature_algorithms.
    pub fn supported_schemes(&self) -> impl Iterator<Item = SignatureScheme> + '_ {
        self.mapping.iter().map(|(s, _)| *s)
    }

    /// The algorithms for `scheme`, if supported.
    pub fn algorithms_for(
        &self,
        scheme: SignatureScheme,
    ) -> Option<&'static [&'static dyn pki_types::SignatureVerificationAlgorithm]> {
        self.mapping
            .iter()
            .find(|(s, _)| *s == scheme)
            .map(|(_, a)| *a)
    }
}

impl fmt::Debug for SignatureVerification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.supported_schemes()).finish()
    }
}

/// Receives secrets in the NSS key log format, for Wireshark.
pub trait KeyLog: Send + Sync {
    /// Records one line: `label client_random_hex secret_hex` (label is `CLIENT_RANDOM` for
    /// TLS 1.2 master secrets).
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]);
    /// Whether `log` does anything (so callers can skip formatting).
    fn will_log(&self, _label: &str) -> bool {
        true
    }
}

/// The `rsa` crate's RNG traits over a provider's `fill_random`.
#[cfg(any(feature = "rustcrypto", all(feature = "rsa-kx", feature = "ring")))]
pub(crate) struct ProviderRng<'a>(pub(crate) &'a dyn CryptoProvider);

/// The provider could not produce random bytes.
#[cfg(any(feature = "rustcrypto", all(feature = "rsa-kx", feature = "ring")))]
#[derive(Debug)]
pub(crate) struct RngError;

#[cfg(any(feature = "rustcrypto", all(feature = "rsa-kx", feature = "ring")))]
impl fmt::Display for RngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("crypto provider randomness failed")
    }
}

#[cfg(any(feature = "rustcrypto", all(feature = "rsa-kx", feature = "ring")))]
impl core::error::Error for RngError {}

#[cfg(any(feature = "rustcrypto", all(feature = "rsa-kx", feature = "ring")))]
impl rsa::rand_core::TryRng for ProviderRng<'_> {
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

#[cfg(any(feature = "rustcrypto", all(feature = "rsa-kx", feature = "ring")))]
impl rsa::rand_core::TryCryptoRng for ProviderRng<'_> {}

pub mod ccm;
#[cfg(any(feature = "rustcrypto", feature = "test-provider"))]
pub(crate) mod ecdh;
// Features `fuzzing` and `test-provider`: for this crate's tests and fuzz targets only,
// not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_provider;
// The PRF and key schedule: not part of the API (`tls12::internal`); the crate's own code
// names them here.
pub(crate) use crate::internal::{key_schedule, prf};
pub mod keylog;
#[cfg(any(feature = "ring", feature = "rustcrypto"))]
pub(crate) mod kx;
#[cfg(feature = "ring")]
pub mod ring;
#[cfg(all(feature = "rsa-kx", any(feature = "ring", feature = "rustcrypto")))]
pub(crate) mod rsa_kx;
#[cfg(feature = "rustcrypto")]
pub mod rustcrypto;
#[cfg(feature = "test-provider")]
#[doc(hidden)]
pub mod test_provider;
