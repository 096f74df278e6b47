//! SHA-256/384 and HMAC over `ring::digest` and `ring::hmac`.

use alloc::boxed::Box;

use ring::{digest, hmac};

use crate::crypto::{self, Digest, HashAlgorithm};

/// A ring hash function.
pub(crate) struct Hash(pub(crate) HashAlgorithm);

impl Hash {
    fn ring_alg(&self) -> &'static digest::Algorithm {
        match self.0 {
            HashAlgorithm::Sha256 => &digest::SHA256,
            HashAlgorithm::Sha384 => &digest::SHA384,
        }
    }
}

impl crypto::Hash for Hash {
    fn algorithm(&self) -> HashAlgorithm {
        self.0
    }

    fn start(&self) -> Box<dyn crypto::HashContext> {
        Box::new(HashContext(digest::Context::new(self.ring_alg())))
    }

    fn hash(&self, data: &[u8]) -> Digest {
        Digest::new(digest::digest(self.ring_alg(), data).as_ref())
    }
}

struct HashContext(digest::Context);

impl crypto::HashContext for HashContext {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn current(&self) -> Digest {
        Digest::new(self.0.clone().finish().as_ref())
    }

    fn fork(&self) -> Box<dyn crypto::HashContext> {
        Box::new(HashContext(self.0.clone()))
    }
}

/// HMAC over a ring hash.
pub(crate) struct Hmac(pub(crate) HashAlgorithm);

impl crypto::Hmac for Hmac {
    fn algorithm(&self) -> HashAlgorithm {
        self.0
    }

    fn with_key(&self, key: &[u8]) -> Box<dyn crypto::HmacKey> {
        let alg = match self.0 {
            HashAlgorithm::Sha256 => hmac::HMAC_SHA256,
            HashAlgorithm::Sha384 => hmac::HMAC_SHA384,
        };
        Box::new(HmacKey(hmac::Key::new(alg, key)))
    }
}

struct HmacKey(hmac::Key);

impl crypto::HmacKey for HmacKey {
    fn sign(&self, parts: &[&[u8]]) -> Digest {
        let mut ctx = hmac::Context::with_key(&self.0);
        for p in parts {
            ctx.update(p);
        }
        Digest::new(ctx.sign().as_ref())
    }
}
