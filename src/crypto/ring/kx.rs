//! Ephemeral ECDH over `ring::agreement`: X25519, secp256r1, secp384r1.

use alloc::boxed::Box;

use ring::agreement;
use ring::rand::SystemRandom;

use crate::codec::enums::{AlertDescription, NamedGroup};
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

/// Checks the wire form of a peer's public key for `group` before any arithmetic: the
/// length, and for the NIST curves the uncompressed-point prefix (RFC 8422 section 5.4.1:
/// only the uncompressed format is allowed once no point formats other than uncompressed
/// are negotiated, which is all we ever negotiate).
///
/// Shared with the test provider so both reject exactly the same inputs.
pub(crate) fn check_peer_public(group: NamedGroup, peer_public: &[u8]) -> Result<(), Error> {
    let expected_len = match group {
        NamedGroup::X25519 => 32,
        NamedGroup::SECP256R1 => 65,
        NamedGroup::SECP384R1 => 97,
        _ => return Err(Error::internal("key exchange in an unsupported group")),
    };
    if group != NamedGroup::X25519 && peer_public.first() != Some(&0x04) {
        return Err(Error::peer(
            "peer ECDH public key is not an uncompressed point",
            AlertDescription::ILLEGAL_PARAMETER,
        ));
    }
    if peer_public.len() != expected_len {
        return Err(Error::peer(
            "peer ECDH public key has the wrong length",
            AlertDescription::ILLEGAL_PARAMETER,
        ));
    }
    Ok(())
}

/// The error for a public key that decodes to no valid point (off the curve, coordinates out
/// of range, or a low-order X25519 point).
pub(crate) fn invalid_point(group: NamedGroup) -> Error {
    if group == NamedGroup::X25519 {
        Error::peer(
            "peer X25519 public key gives an all-zero shared secret",
            AlertDescription::ILLEGAL_PARAMETER,
        )
    } else {
        Error::peer(
            "peer ECDH public key is not a valid point",
            AlertDescription::ILLEGAL_PARAMETER,
        )
    }
}

/// Rejects an all-zero shared secret (RFC 7748 section 6.1, RFC 8422 section 5.11), in
/// constant time over the secret's bytes.
pub(crate) fn check_shared_secret(
    group: NamedGroup,
    secret: SharedSecret,
) -> Result<SharedSecret, Error> {
    use subtle::ConstantTimeEq;
    let zero = secret
        .as_ref()
        .iter()
        .fold(subtle::Choice::from(1), |acc, b| acc & b.ct_eq(&0));
    if bool::from(zero) {
        return Err(invalid_point(group));
    }
    Ok(secret)
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

    #[test]
    fn check_rejects_compressed_and_short() {
        let e = check_peer_public(NamedGroup::SECP256R1, &[0x02; 33]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        let e = check_peer_public(NamedGroup::X25519, &[1; 31]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
        let e = check_peer_public(NamedGroup::SECP384R1, &[]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::ILLEGAL_PARAMETER));
    }
}
