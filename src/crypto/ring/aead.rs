//! AES-GCM and ChaCha20-Poly1305 over `ring::aead`.

use alloc::boxed::Box;

use ring::aead;

use crate::crypto::{self, AeadAlgorithm};
use crate::error::Error;

/// A ring AEAD.
pub(crate) struct Aead(pub(crate) AeadAlgorithm);

impl crypto::Aead for Aead {
    fn algorithm(&self) -> AeadAlgorithm {
        self.0
    }

    fn with_key(&self, key: &[u8]) -> Result<Box<dyn crypto::AeadKey>, Error> {
        let alg = match self.0 {
            AeadAlgorithm::Aes128Gcm => &aead::AES_128_GCM,
            AeadAlgorithm::Aes256Gcm => &aead::AES_256_GCM,
            AeadAlgorithm::ChaCha20Poly1305 => &aead::CHACHA20_POLY1305,
            // Never built for CCM: the provider hands out `crypto::ccm` instead.
            AeadAlgorithm::Aes128Ccm8 => return Err(Error::internal("ring has no AES-CCM")),
        };
        let key =
            aead::UnboundKey::new(alg, key).map_err(|_| Error::internal("AEAD key length"))?;
        Ok(Box::new(AeadKey(aead::LessSafeKey::new(key))))
    }
}

struct AeadKey(aead::LessSafeKey);

impl crypto::AeadKey for AeadKey {
    fn seal_in_place(
        &self,
        nonce: &[u8; AeadAlgorithm::NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; AeadAlgorithm::TAG_LEN], Error> {
        let tag = self
            .0
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(*nonce),
                aead::Aad::from(aad),
                in_out,
            )
            .map_err(|_| Error::internal("AEAD seal"))?;
        let mut out = [0u8; AeadAlgorithm::TAG_LEN];
        out.copy_from_slice(tag.as_ref());
        Ok(out)
    }

    fn open_in_place(
        &self,
        nonce: &[u8; AeadAlgorithm::NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<usize, Error> {
        self.0
            .open_in_place(
                aead::Nonce::assume_unique_for_key(*nonce),
                aead::Aad::from(aad),
                in_out,
            )
            .map(|plain| plain.len())
            .map_err(|_| Error::bad_record_mac())
    }
}
