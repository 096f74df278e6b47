//! Ephemeral ECDH: X25519, secp256r1 and secp384r1 (`crate::crypto::ecdh`), with private
//! keys drawn from the provider's [`RandomSource`] and wiped on drop.

use alloc::boxed::Box;
use alloc::sync::Arc;

use zeroize::Zeroizing;

use super::RandomSource;
use crate::codec::enums::NamedGroup;
use crate::crypto::ecdh::{ActiveKx, Secret};
use crate::crypto::{self};
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
        let secret = generate(self.name, &*self.rng)?;
        Ok(Box::new(ActiveKx::new(self.name, secret)))
    }
}

/// A fresh private key. X25519 takes any 32 bytes (clamped when used); a NIST scalar that
/// is zero or not below the group order (probability about 2^-32 for P-256, 2^-190 for
/// P-384) is drawn again.
fn generate(group: NamedGroup, rng: &dyn RandomSource) -> Result<Secret, Error> {
    let len = match group {
        NamedGroup::X25519 | NamedGroup::SECP256R1 => 32,
        NamedGroup::SECP384R1 => 48,
        _ => return Err(Error::internal("key exchange in an unsupported group")),
    };
    let mut bytes = Zeroizing::new([0u8; 48]);
    let bytes = &mut bytes[..len];
    for _ in 0..8 {
        rng.fill(bytes)?;
        if let Some(secret) = Secret::from_bytes(group, bytes) {
            return Ok(secret);
        }
    }
    Err(Error::internal("no valid private key from the RNG"))
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
