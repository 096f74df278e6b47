//! Ephemeral ECDH over `ring::agreement`: X25519, secp256r1, secp384r1.

use alloc::boxed::Box;

use ring::agreement;
use ring::rand::SystemRandom;

use crate::codec::enums::NamedGroup;
use crate::crypto::kx::{check_peer_public, check_shared_secret, invalid_point};
use crate::crypto::{self, SharedSecret};
use crate::error::Error;

/// A ring key-exchange group.
pub(crate) struct KxGroup {
    pub(crate) name: NamedGroup,
    alg: &'static agreement::Algorithm,
}

pub(crate) static X25519: KxGroup = KxGroup {
    name: NamedGroup::X25519,
    alg: &agreement::X25519,
};

pub(crate) static SECP256R1: KxGroup = KxGroup {
    name: NamedGroup::SECP256R1,
    alg: &agreement::ECDH_P256,
};

pub(crate) static SECP384R1: KxGroup = KxGroup {
    name: NamedGroup::SECP384R1,
    alg: &agreement::ECDH_P384,
};

impl crypto::KxGroup for KxGroup {
    fn name(&self) -> NamedGroup {
        self.name
    }

    fn start(&self) -> Result<Box<dyn crypto::ActiveKx>, Error> {
        let rng = SystemRandom::new();
        let private = agreement::EphemeralPrivateKey::generate(self.alg, &rng)
            .map_err(|_| Error::internal("ephemeral key generation failed"))?;
        let public = private
            .compute_public_key()
            .map_err(|_| Error::internal("ephemeral public key computation failed"))?;
        Ok(Box::new(ActiveKx {
            group: self.name,
            alg: self.alg,
            private,
            public,
        }))
    }
}

struct ActiveKx {
    group: NamedGroup,
    alg: &'static agreement::Algorithm,
    private: agreement::EphemeralPrivateKey,
    public: agreement::PublicKey,
}

impl crypto::ActiveKx for ActiveKx {
    fn group(&self) -> NamedGroup {
        self.group
    }

    fn public_key(&self) -> &[u8] {
        self.public.as_ref()
    }

    fn complete(self: Box<Self>, peer_public: &[u8]) -> Result<SharedSecret, Error> {
        check_peer_public(self.group, peer_public)?;
        let peer = agreement::UnparsedPublicKey::new(self.alg, peer_public);
        let secret = agreement::agree_ephemeral(self.private, &peer, |s| s.to_vec())
            .map_err(|_| invalid_point(self.group))?;
        check_shared_secret(self.group, SharedSecret::new(secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KxGroup as _;

    #[test]
    fn public_key_lengths() {
        for (g, len) in [(&X25519, 32), (&SECP256R1, 65), (&SECP384R1, 97)] {
            let kx = g.start().expect("system randomness works in tests");
            assert_eq!(kx.public_key().len(), len);
            assert_eq!(kx.group(), g.name);
        }
    }
}
