//! SHA-256/384 and HMAC over `sha2` and `hmac`.

use alloc::boxed::Box;

use hmac::KeyInit;
use sha2::{Sha256, Sha384};

use crate::crypto::{self, Digest, HashAlgorithm};

/// A `sha2` hash function.
pub(crate) struct Hash(pub(crate) HashAlgorithm);

impl crypto::Hash for Hash {
    fn algorithm(&self) -> HashAlgorithm {
        self.0
    }

    fn start(&self) -> Box<dyn crypto::HashContext> {
        match self.0 {
            HashAlgorithm::Sha256 => Box::new(HashContext(<Sha256 as sha2::Digest>::new())),
            HashAlgorithm::Sha384 => Box::new(HashContext(<Sha384 as sha2::Digest>::new())),
        }
    }

    fn hash(&self, data: &[u8]) -> Digest {
        match self.0 {
            HashAlgorithm::Sha256 => Digest::new(&<Sha256 as sha2::Digest>::digest(data)),
            HashAlgorithm::Sha384 => Digest::new(&<Sha384 as sha2::Digest>::digest(data)),
        }
    }
}

struct HashContext<D>(D);

impl<D: sha2::Digest + Clone + Send + Sync + 'static> crypto::HashContext for HashContext<D> {
    fn update(&mut self, data: &[u8]) {
        sha2::Digest::update(&mut self.0, data);
    }

    fn current(&self) -> Digest {
        Digest::new(&self.0.clone().finalize())
    }

    fn fork(&self) -> Box<dyn crypto::HashContext> {
        Box::new(HashContext(self.0.clone()))
    }
}

/// HMAC over a `sha2` hash.
pub(crate) struct Hmac(pub(crate) HashAlgorithm);

impl crypto::Hmac for Hmac {
    fn algorithm(&self) -> HashAlgorithm {
        self.0
    }

    fn with_key(&self, key: &[u8]) -> Box<dyn crypto::HmacKey> {
        match self.0 {
            HashAlgorithm::Sha256 => Box::new(HmacKey(keyed::<Sha256>(key))),
            HashAlgorithm::Sha384 => Box::new(HmacKey(keyed::<Sha384>(key))),
        }
    }
}

/// HMAC keyed with `key`: the key's inner and outer pads, absorbed once.
fn keyed<D: hmac::EagerHash>(key: &[u8]) -> hmac::Hmac<D> {
    hmac::Hmac::<D>::new_from_slice(key).expect("HMAC takes keys of any length")
}

struct HmacKey<D: hmac::EagerHash>(hmac::Hmac<D>);

impl<D> crypto::HmacKey for HmacKey<D>
where
    D: hmac::EagerHash,
    hmac::Hmac<D>: Clone + Send + Sync,
{
    fn sign(&self, parts: &[&[u8]]) -> Digest {
        use hmac::Mac;
        let mut mac = self.0.clone();
        for p in parts {
            mac.update(p);
        }
        Digest::new(&mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Hash as _, Hmac as _};

    fn hex(s: &str) -> alloc::vec::Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn sha_known_answers() {
        // FIPS 180-2 "abc".
        assert_eq!(
            Hash(HashAlgorithm::Sha256).hash(b"abc").as_ref(),
            hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        let mut ctx = Hash(HashAlgorithm::Sha384).start();
        ctx.update(b"a");
        let fork = ctx.fork();
        ctx.update(b"bc");
        assert_eq!(
            ctx.current().as_ref(),
            hex(
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
                 8086072ba1e7cc2358baeca134c825a7"
            )
        );
        assert_eq!(
            fork.current(),
            Hash(HashAlgorithm::Sha384).hash(b"a"),
            "the fork kept the state it was forked with"
        );
    }

    #[test]
    fn hmac_known_answers() {
        // RFC 4231 test case 2 ("Jefe").
        let data: &[u8] = b"what do ya want for nothing?";
        let k = Hmac(HashAlgorithm::Sha256).with_key(b"Jefe");
        assert_eq!(
            k.sign(&[&data[..4], &data[4..]]).as_ref(),
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
        let k = Hmac(HashAlgorithm::Sha384).with_key(b"Jefe");
        assert_eq!(
            k.sign(&[data]).as_ref(),
            hex(
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
                 8e2240ca5e69e2c78b3239ecfab21649"
            )
        );
        // RFC 4231 test case 6: a key longer than the block is hashed first.
        let k = Hmac(HashAlgorithm::Sha256).with_key(&[0xaa; 131]);
        assert_eq!(
            k.sign(&[b"Test Using Larger Than Block-Size Key - Hash Key First"])
                .as_ref(),
            hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        );
    }
}
