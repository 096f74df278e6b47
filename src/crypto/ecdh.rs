//! Ephemeral ECDH over the RustCrypto curves (X25519 over `x25519-dalek`, secp256r1 and
//! secp384r1 over `p256` and `p384`), shared by the RustCrypto provider, which draws the
//! private keys from its random source, and the test provider, which takes them from a
//! queue or derives them. Private keys are wiped on drop by the curve crates.

use alloc::vec::Vec;

use p256::elliptic_curve::sec1::ToSec1Point;

use crate::codec::enums::NamedGroup;
use crate::crypto::kx::{check_peer_public, check_shared_secret, invalid_point};
use crate::crypto::{self, SharedSecret};
use crate::error::Error;

/// An ephemeral private key in one of the three groups.
pub(crate) enum Secret {
    X25519(x25519_dalek::StaticSecret),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
}

impl Secret {
    /// The key with these bytes: 32 for X25519 (any value: clamped when used) and P-256,
    /// 48 for P-384. `None` for another length, another group, or a NIST scalar that is
    /// zero or not below the group order.
    pub(crate) fn from_bytes(group: NamedGroup, bytes: &[u8]) -> Option<Self> {
        match group {
            NamedGroup::X25519 => {
                let b: [u8; 32] = bytes.try_into().ok()?;
                Some(Secret::X25519(x25519_dalek::StaticSecret::from(b)))
            }
            NamedGroup::SECP256R1 if bytes.len() == 32 => {
                p256::SecretKey::from_slice(bytes).ok().map(Secret::P256)
            }
            NamedGroup::SECP384R1 if bytes.len() == 48 => {
                p384::SecretKey::from_slice(bytes).ok().map(Secret::P384)
            }
            _ => None,
        }
    }

    /// The public key in wire form: 32 bytes for X25519, an uncompressed point otherwise.
    fn public_key(&self) -> Vec<u8> {
        match self {
            Secret::X25519(s) => x25519_dalek::PublicKey::from(s).as_bytes().to_vec(),
            Secret::P256(s) => s.public_key().to_sec1_point(false).as_bytes().to_vec(),
            Secret::P384(s) => s.public_key().to_sec1_point(false).as_bytes().to_vec(),
        }
    }
}

/// A key exchange started with [`Secret`]: its public key computed once.
pub(crate) struct ActiveKx {
    group: NamedGroup,
    secret: Secret,
    public: Vec<u8>,
}

impl ActiveKx {
    pub(crate) fn new(group: NamedGroup, secret: Secret) -> Self {
        let public = secret.public_key();
        Self {
            group,
            secret,
            public,
        }
    }
}

impl crypto::ActiveKx for ActiveKx {
    fn group(&self) -> NamedGroup {
        self.group
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn complete(self: alloc::boxed::Box<Self>, peer_public: &[u8]) -> Result<SharedSecret, Error> {
        check_peer_public(self.group, peer_public)?;
        let secret = match &self.secret {
            Secret::X25519(s) => {
                let peer: [u8; 32] = peer_public
                    .try_into()
                    .map_err(|_| invalid_point(self.group))?;
                let shared = s.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
                shared.as_bytes().to_vec()
            }
            Secret::P256(s) => {
                let peer = p256::PublicKey::from_sec1_bytes(peer_public)
                    .map_err(|_| invalid_point(self.group))?;
                let shared = p256::ecdh::diffie_hellman(s.to_nonzero_scalar(), peer.as_affine());
                shared.raw_secret_bytes().to_vec()
            }
            Secret::P384(s) => {
                let peer = p384::PublicKey::from_sec1_bytes(peer_public)
                    .map_err(|_| invalid_point(self.group))?;
                let shared = p384::ecdh::diffie_hellman(s.to_nonzero_scalar(), peer.as_affine());
                shared.raw_secret_bytes().to_vec()
            }
        };
        check_shared_secret(self.group, SharedSecret::new(secret))
    }
}
