//! A crypto provider with **no security at all**, so a fuzzer can forge a whole peer.
//!
//! **Never use it for real traffic.** Everything it computes is a constant anyone can
//! produce: it exists so that the `client` and `server` fuzz targets (see
//! [`crate::fuzzing`]) reach the states behind signatures, key exchange, Finished and record
//! protection, which a fuzzer could never reach through real cryptography.
//!
//! What [`FuzzProvider`] does instead of cryptography:
//!
//! - randomness: all zero bytes;
//! - hashes and HMAC: all-zero outputs of the right length, so the PRF, the master secret,
//!   the record keys and every Finished `verify_data` are all zero bytes;
//! - key exchange: our public key is a fixed, well-formed point of the group
//!   ([`FuzzProvider::public_key`]); the peer's goes through the same length and format
//!   checks as with the real providers, and an all-zero one (the "identity") is refused
//!   with illegal_parameter; the shared secret is a non-zero constant;
//! - AEAD (AES-GCM, ChaCha20-Poly1305 and AES-128-CCM-8): the "ciphertext" is the
//!   plaintext and the tag is zero bytes, as many as the algorithm's tag (16, or 8 for
//!   CCM_8); opening checks that tag, so a forged record needs only its plaintext followed
//!   by 16 (or 8) zero bytes. The real AES-CCM of [`crate::crypto::ccm`] is not used: a
//!   forged peer could not seal a record for it;
//! - signing keys ([`FuzzSigningKey`]): the signature is [`FUZZ_SIGNATURE`]; RSA
//!   "decryption" returns the caller's random fallback with the client version in front;
//! - RSA encryption (client side): a fixed 256-byte ciphertext.
//!
//! Certificate chains and handshake signatures are checked by the verifiers in
//! [`crate::fuzzing`], which accept any chain and any non-empty signature.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use crate::codec::enums::{NamedGroup, ProtocolVersion, SignatureScheme};
use crate::crypto::kx::{check_peer_public, invalid_point};
use crate::crypto::ring::RingProvider;
use crate::crypto::{
    ActiveKx, Aead, AeadAlgorithm, AeadKey, CryptoProvider, Digest, Hash, HashAlgorithm,
    HashContext, Hmac, HmacKey, KeyKind, KxGroup, RsaPreMasterDecrypter, SharedSecret,
    SignatureVerification, SigningKey,
};
use crate::error::Error;

/// The signature every [`FuzzSigningKey`] makes.
pub const FUZZ_SIGNATURE: &[u8] = &[0x5a; 8];

/// The no-security provider. See the [module docs](self).
#[derive(Debug, Default, Clone, Copy)]
pub struct FuzzProvider;

impl FuzzProvider {
    /// Our (fixed) public key in `group`: X25519 is 32 bytes of 0x09 (the base point's
    /// first byte repeated), the NIST curves an uncompressed point of 0x01 bytes.
    pub fn public_key(group: NamedGroup) -> Option<Vec<u8>> {
        let (len, prefix) = match group {
            NamedGroup::X25519 => (32, None),
            NamedGroup::SECP256R1 => (65, Some(4u8)),
            NamedGroup::SECP384R1 => (97, Some(4u8)),
            _ => return None,
        };
        let mut v = vec![if prefix.is_some() { 0x01 } else { 0x09 }; len];
        if let Some(p) = prefix {
            v[0] = p;
        }
        Some(v)
    }
}

static HASH_256: FuzzHash = FuzzHash(HashAlgorithm::Sha256);
static HASH_384: FuzzHash = FuzzHash(HashAlgorithm::Sha384);
static KX: [FuzzKx; 3] = [
    FuzzKx(NamedGroup::X25519),
    FuzzKx(NamedGroup::SECP256R1),
    FuzzKx(NamedGroup::SECP384R1),
];
static AEADS: [FuzzAead; 4] = [
    FuzzAead(AeadAlgorithm::Aes128Gcm),
    FuzzAead(AeadAlgorithm::Aes256Gcm),
    FuzzAead(AeadAlgorithm::ChaCha20Poly1305),
    FuzzAead(AeadAlgorithm::Aes128Ccm8),
];

impl CryptoProvider for FuzzProvider {
    fn fill_random(&self, buf: &mut [u8]) -> Result<(), Error> {
        buf.fill(0);
        Ok(())
    }

    fn hash(&self, alg: HashAlgorithm) -> &dyn Hash {
        match alg {
            HashAlgorithm::Sha256 => &HASH_256,
            HashAlgorithm::Sha384 => &HASH_384,
        }
    }

    fn hmac(&self, alg: HashAlgorithm) -> &dyn Hmac {
        match alg {
            HashAlgorithm::Sha256 => &HASH_256,
            HashAlgorithm::Sha384 => &HASH_384,
        }
    }

    fn kx_groups(&self) -> Vec<&dyn KxGroup> {
        KX.iter().map(|g| g as &dyn KxGroup).collect()
    }

    fn kx_group(&self, name: NamedGroup) -> Option<&dyn KxGroup> {
        KX.iter()
            .find(|g| g.name() == name)
            .map(|g| g as &dyn KxGroup)
    }

    fn aead(&self, alg: AeadAlgorithm) -> Option<&dyn Aead> {
        AEADS.iter().find(|a| a.0 == alg).map(|a| a as &dyn Aead)
    }

    fn load_private_key(
        &self,
        key: pki_types::PrivateKeyDer<'_>,
    ) -> Result<Arc<dyn SigningKey>, Error> {
        // Parse with ring only to learn the key's kind.
        let kind = RingProvider.load_private_key(key)?.kind();
        Ok(Arc::new(FuzzSigningKey(kind)))
    }

    fn signature_verification(&self) -> &SignatureVerification {
        RingProvider.signature_verification()
    }

    fn rsa_encrypt_pre_master(
        &self,
        _ee_cert: &[u8],
        _pre_master: &[u8; 48],
    ) -> Option<Result<Vec<u8>, Error>> {
        Some(Ok(vec![0x5a; 256]))
    }
}

struct FuzzHash(HashAlgorithm);

impl Hash for FuzzHash {
    fn algorithm(&self) -> HashAlgorithm {
        self.0
    }
    fn start(&self) -> Box<dyn HashContext> {
        Box::new(FuzzHashContext(self.0))
    }
    fn hash(&self, _data: &[u8]) -> Digest {
        zeros(self.0)
    }
}

fn zeros(alg: HashAlgorithm) -> Digest {
    Digest::new(&[0u8; 64][..alg.output_len()])
}

struct FuzzHashContext(HashAlgorithm);

impl HashContext for FuzzHashContext {
    fn update(&mut self, _data: &[u8]) {}
    fn current(&self) -> Digest {
        zeros(self.0)
    }
    fn fork(&self) -> Box<dyn HashContext> {
        Box::new(FuzzHashContext(self.0))
    }
}

impl Hmac for FuzzHash {
    fn algorithm(&self) -> HashAlgorithm {
        self.0
    }
    fn with_key(&self, _key: &[u8]) -> Box<dyn HmacKey> {
        Box::new(FuzzHashContext(self.0))
    }
}

impl HmacKey for FuzzHashContext {
    fn sign(&self, _parts: &[&[u8]]) -> Digest {
        zeros(self.0)
    }
}

struct FuzzKx(NamedGroup);

impl KxGroup for FuzzKx {
    fn name(&self) -> NamedGroup {
        self.0
    }
    fn start(&self) -> Result<Box<dyn ActiveKx>, Error> {
        let public = FuzzProvider::public_key(self.0)
            .ok_or(Error::internal("fuzz provider: unsupported group"))?;
        Ok(Box::new(FuzzActiveKx {
            group: self.0,
            public,
        }))
    }
}

struct FuzzActiveKx {
    group: NamedGroup,
    public: Vec<u8>,
}

impl ActiveKx for FuzzActiveKx {
    fn group(&self) -> NamedGroup {
        self.group
    }
    fn public_key(&self) -> &[u8] {
        &self.public
    }
    fn complete(self: Box<Self>, peer_public: &[u8]) -> Result<SharedSecret, Error> {
        check_peer_public(self.group, peer_public)?;
        let coords = match self.group {
            NamedGroup::X25519 => peer_public,
            _ => peer_public.get(1..).unwrap_or_default(),
        };
        if coords.iter().all(|b| *b == 0) {
            return Err(invalid_point(self.group));
        }
        let len = if self.group == NamedGroup::SECP384R1 {
            48
        } else {
            32
        };
        Ok(SharedSecret::new(vec![0x01; len]))
    }
}

struct FuzzAead(AeadAlgorithm);

impl Aead for FuzzAead {
    fn algorithm(&self) -> AeadAlgorithm {
        self.0
    }
    fn with_key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>, Error> {
        if key.len() != self.0.key_len() {
            return Err(Error::internal("fuzz provider: wrong AEAD key length"));
        }
        Ok(Box::new(FuzzAeadKey(self.0.tag_len())))
    }
}

/// The null AEAD, keyed: the tag is this many zero bytes.
struct FuzzAeadKey(usize);

impl AeadKey for FuzzAeadKey {
    fn seal_in_place(
        &self,
        _nonce: &[u8; AeadAlgorithm::NONCE_LEN],
        _aad: &[u8],
        _in_out: &mut [u8],
    ) -> Result<[u8; AeadAlgorithm::TAG_LEN], Error> {
        Ok([0; AeadAlgorithm::TAG_LEN])
    }

    fn open_in_place(
        &self,
        _nonce: &[u8; AeadAlgorithm::NONCE_LEN],
        _aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<usize, Error> {
        let len = in_out
            .len()
            .checked_sub(self.0)
            .ok_or(Error::bad_record_mac())?;
        if in_out
            .get(len..)
            .unwrap_or_default()
            .iter()
            .any(|b| *b != 0)
        {
            return Err(Error::bad_record_mac());
        }
        Ok(len)
    }
}

/// A "signing key" of the given kind whose every signature is [`FUZZ_SIGNATURE`]. With an
/// RSA kind it also "decrypts" RSA key transport (returning the random fallback).
#[derive(Debug, Clone, Copy)]
pub struct FuzzSigningKey(pub KeyKind);

impl SigningKey for FuzzSigningKey {
    fn kind(&self) -> KeyKind {
        self.0
    }

    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<SignatureScheme> {
        offered.iter().copied().find(|s| match self.0 {
            KeyKind::Rsa => matches!(s.0, 0x0401 | 0x0501 | 0x0601 | 0x0804..=0x0806),
            KeyKind::Ecdsa => matches!(s.0, 0x0403 | 0x0503),
        })
    }

    fn sign(&self, _scheme: SignatureScheme, _message: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(FUZZ_SIGNATURE.to_vec())
    }

    fn rsa_decrypter(&self) -> Option<&dyn RsaPreMasterDecrypter> {
        (self.0 == KeyKind::Rsa).then_some(self as &dyn RsaPreMasterDecrypter)
    }
}

impl RsaPreMasterDecrypter for FuzzSigningKey {
    fn decrypt_pre_master(
        &self,
        _ciphertext: &[u8],
        client_version: ProtocolVersion,
        random_pre_master: [u8; 48],
    ) -> [u8; 48] {
        let mut pm = random_pre_master;
        pm[..2].copy_from_slice(&client_version.0.to_be_bytes());
        pm
    }
}
