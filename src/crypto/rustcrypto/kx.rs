//! Ephemeral ECDH: X25519 over `x25519-dalek`, secp256r1 and secp384r1 over `p256` and
//! `p384`. Private keys are drawn from the provider's [`RandomSource`] and wiped on drop.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use p256::elliptic_curve::sec1::ToSec1Point;
use zeroize::Zeroizing;

use super::RandomSource;
use crate::codec::enums::NamedGroup;
use crate::crypto::kx::{check_peer_public, check_shared_secret, invalid_point};
use crate::crypto::{self, SharedSecret};
use crate::error::Error;

/// A key-exchange group drawing its private keys from a random source.
#[derive(Clone)]
pub(crate) struct Group {
    name: NamedGroup,
    rng: Arc<dyn RandomSource>,
}

impl Group {
    pub(crate) fn new(name: NamedGroup, rng: Arc<dyn RandomSource>) -> Self {
        Self { name, rng }
    }
}

impl crypto::KxGroup for Group {
    fn name(&self) -> NamedGroup {
        self.name
    }

    fn start(&self) -> Result<Box<dyn crypto::ActiveKx>, Error> {
        let secret = Secret::generate(self.name, &*self.rng)?;
        let public = secret.public_key();
        Ok(Box::new(ActiveKx {
            group: self.name,
            secret,
            public,
        }))
    }
}

enum Secret {
    X25519(x25519_dalek::StaticSecret),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
}

impl Secret {
    /// A fresh private key. X25519 takes any 32 bytes (clamped when used); a NIST scalar
    /// that is zero or not below the group order (probability about 2^-32 for P-256,
    /// 2^-190 for P-384) is drawn again.
    fn generate(group: NamedGroup, rng: &dyn RandomSource) -> Result<Self, Error> {
        match group {
            NamedGroup::X25519 => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                rng.fill(&mut *bytes)?;
                Ok(Secret::X25519(x25519_dalek::StaticSecret::from(*bytes)))
            }
            NamedGroup::SECP256R1 => {
                let mut bytes = Zeroizing::new([0u8; 32]);
                for _ in 0..8 {
                    rng.fill(&mut *bytes)?;
                    if let Ok(k) = p256::SecretKey::from_slice(&*bytes) {
                        return Ok(Secret::P256(k));
                    }
                }
                Err(Error::internal("no valid P-256 private key from the RNG"))
            }
            NamedGroup::SECP384R1 => {
                let mut bytes = Zeroizing::new([0u8; 48]);
                for _ in 0..8 {
                    rng.fill(&mut *bytes)?;
                    if let Ok(k) = p384::SecretKey::from_slice(&*bytes) {
                        return Ok(Secret::P384(k));
                    }
                }
                Err(Error::internal("no valid P-384 private key from the RNG"))
            }
            _ => Err(Error::internal("key exchange in an unsupported group")),
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

struct ActiveKx {
    group: NamedGroup,
    secret: Secret,
    public: Vec<u8>,
}

impl crypto::ActiveKx for ActiveKx {
    fn group(&self) -> NamedGroup {
        self.group
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn complete(self: Box<Self>, peer_public: &[u8]) -> Result<SharedSecret, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::enums::AlertDescription;
    use crate::crypto::KxGroup as _;

    fn group(name: NamedGroup) -> Group {
        Group::new(name, super::super::tests::counter_provider().rng)
    }

    #[test]
    fn roundtrip_and_lengths() {
        for (name, len, secret_len) in [
            (NamedGroup::X25519, 32, 32),
            (NamedGroup::SECP256R1, 65, 32),
            (NamedGroup::SECP384R1, 97, 48),
        ] {
            let a = group(name).start().unwrap();
            let b = group(name).start().unwrap();
            assert_eq!(a.public_key().len(), len);
            assert_ne!(a.public_key(), b.public_key());
            let (pa, pb) = (a.public_key().to_vec(), b.public_key().to_vec());
            let sa = a.complete(&pb).unwrap();
            let sb = b.complete(&pa).unwrap();
            assert_eq!(sa.as_ref(), sb.as_ref());
            assert_eq!(sa.as_ref().len(), secret_len);
        }
    }

    #[test]
    fn bad_peer_keys_are_illegal_parameter() {
        // A low-order X25519 point (all zero) gives an all-zero secret; a NIST point off
        // the curve does not decode.
        let e = group(NamedGroup::X25519)
            .start()
            .unwrap()
            .complete(&[0; 32])
            .unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        let mut off = alloc::vec![4u8; 65];
        off[64] ^= 1;
        let e = group(NamedGroup::SECP256R1)
            .start()
            .unwrap()
            .complete(&off)
            .unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
    }

    #[test]
    fn a_scalar_out_of_range_is_drawn_again() {
        struct HighThenLow(core::sync::atomic::AtomicUsize);
        impl RandomSource for HighThenLow {
            fn fill(&self, buf: &mut [u8]) -> Result<(), Error> {
                let n = self.0.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
                buf.fill(if n == 0 { 0xff } else { 0x01 });
                Ok(())
            }
        }
        let rng = Arc::new(HighThenLow(0.into()));
        let g = Group::new(NamedGroup::SECP256R1, rng.clone());
        assert!(g.start().is_ok());
        assert_eq!(rng.0.load(core::sync::atomic::Ordering::Relaxed), 2);
    }
}
