//! AES-128-CCM with an 8-byte tag (RFC 3610; `AES_128_CCM_8` of RFC 6655), built on the
//! RustCrypto `ccm` and `aes` crates: ring has no CCM.
//!
//! It needs nothing from a provider, so any [`CryptoProvider`](super::CryptoProvider) can hand
//! out [`AES_128_CCM_8`] from its `aead` method (the [`RingProvider`](super::ring::RingProvider)
//! does). In TLS 1.2 the record layer uses it as it uses AES-GCM (RFC 6655 section 3): the
//! nonce is a 4-byte salt from the key block and an 8-byte explicit nonce, the additional data
//! is the same 13 bytes, and each record carries an 8-byte tag instead of 16.
//!
//! The expanded AES key is wiped when the keyed instance drops (`aes`'s `zeroize` feature).

use alloc::boxed::Box;

use aes::Aes128;
use ccm::aead::array::Array;
use ccm::aead::{AeadCore, AeadInOut, KeyInit, Tag};
use ccm::consts::{U8, U12};

use crate::crypto::{self, AeadAlgorithm};
use crate::error::Error;

/// AES-128-CCM, 8-byte tags, 12-byte nonces (the TLS 1.2 CCM_8 suites).
pub static AES_128_CCM_8: Aes128Ccm8 = Aes128Ccm8;

/// The AEAD of [`AES_128_CCM_8`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Aes128Ccm8;

type Cipher = ccm::Ccm<Aes128, U8, U12>;

impl crypto::Aead for Aes128Ccm8 {
    fn algorithm(&self) -> AeadAlgorithm {
        AeadAlgorithm::Aes128Ccm8
    }

    fn with_key(&self, key: &[u8]) -> Result<Box<dyn crypto::AeadKey>, Error> {
        let cipher = Cipher::new_from_slice(key).map_err(|_| Error::internal("AEAD key length"))?;
        Ok(Box::new(InOutKey(cipher)))
    }
}

/// A keyed RustCrypto AEAD with 12-byte nonces, sealing and opening records in place
/// through `aead`'s `AeadInOut`: AES-128-CCM-8 here, AES-GCM and ChaCha20-Poly1305 in the
/// RustCrypto provider. Its tag is at most 16 bytes; a shorter one (CCM_8's 8) fills the
/// front of the 16 the record layer takes.
pub(crate) struct InOutKey<A>(pub(crate) A);

impl<A> crypto::AeadKey for InOutKey<A>
where
    A: AeadInOut + AeadCore<NonceSize = U12> + Send + Sync,
{
    fn seal_in_place(
        &self,
        nonce: &[u8; AeadAlgorithm::NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; AeadAlgorithm::TAG_LEN], Error> {
        let tag = self
            .0
            .encrypt_inout_detached(&Array::from(*nonce), aad, in_out.into())
            .map_err(|_| Error::internal("AEAD seal"))?;
        let mut out = [0u8; AeadAlgorithm::TAG_LEN];
        out.get_mut(..tag.len())
            .ok_or(Error::internal("AEAD tag length"))?
            .copy_from_slice(&tag);
        Ok(out)
    }

    fn open_in_place(
        &self,
        nonce: &[u8; AeadAlgorithm::NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<usize, Error> {
        let plain_len = in_out
            .len()
            .checked_sub(Tag::<A>::default().len())
            .ok_or_else(Error::bad_record_mac)?;
        let (ciphertext, tag) = in_out.split_at_mut(plain_len);
        let tag = Tag::<A>::try_from(&*tag).map_err(|_| Error::bad_record_mac())?;
        self.0
            .decrypt_inout_detached(&Array::from(*nonce), aad, ciphertext.into(), &tag)
            .map_err(|_| Error::bad_record_mac())?;
        Ok(plain_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tag length of [`Aes128Ccm8`].
    const TAG_LEN: usize = AeadAlgorithm::Aes128Ccm8.tag_len();
    use crate::crypto::Aead;
    use alloc::vec::Vec;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// NIST SP 800-38C appendix C, Example 3: a 12-byte nonce and an 8-byte tag, as in the
    /// TLS 1.2 CCM_8 suites (20 bytes of additional data, 24 of payload).
    #[test]
    fn nist_sp800_38c_example_3() {
        let key = unhex("404142434445464748494a4b4c4d4e4f");
        let nonce: [u8; 12] = unhex("101112131415161718191a1b").try_into().unwrap();
        let aad = unhex("000102030405060708090a0b0c0d0e0f10111213");
        let plain = unhex("202122232425262728292a2b2c2d2e2f3031323334353637");
        let expect = unhex("e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951");
        let k = AES_128_CCM_8.with_key(&key).unwrap();
        let mut buf = plain.clone();
        let tag = k.seal_in_place(&nonce, &aad, &mut buf).unwrap();
        buf.extend_from_slice(&tag[..8]);
        assert_eq!(buf, expect);
        assert_eq!(
            &tag[8..],
            &[0; 8],
            "the unused half of the tag array is zeros"
        );
        let n = k.open_in_place(&nonce, &aad, &mut buf).unwrap();
        assert_eq!(&buf[..n], &plain[..]);
    }

    #[test]
    fn every_corruption_is_bad_record_mac() {
        let k = AES_128_CCM_8.with_key(&[7; 16]).unwrap();
        let nonce = [9; 12];
        let mut sealed = b"hello".to_vec();
        let tag = k.seal_in_place(&nonce, b"aad", &mut sealed).unwrap();
        sealed.extend_from_slice(&tag[..TAG_LEN]);
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert_eq!(
                k.open_in_place(&nonce, b"aad", &mut bad),
                Err(Error::bad_record_mac())
            );
        }
        let mut other_aad = sealed.clone();
        assert_eq!(
            k.open_in_place(&nonce, b"aaD", &mut other_aad),
            Err(Error::bad_record_mac())
        );
        for short in 0..TAG_LEN {
            let mut s = sealed[..short].to_vec();
            assert_eq!(
                k.open_in_place(&nonce, b"aad", &mut s),
                Err(Error::bad_record_mac())
            );
        }
        let mut empty_ok = tag_only(&*k, &nonce);
        assert_eq!(k.open_in_place(&nonce, b"", &mut empty_ok), Ok(0));
        assert!(
            AES_128_CCM_8.with_key(&[0; 32]).is_err(),
            "16-byte keys only"
        );
    }

    fn tag_only(k: &dyn crypto::AeadKey, nonce: &[u8; 12]) -> Vec<u8> {
        let tag = k.seal_in_place(nonce, b"", &mut []).unwrap();
        tag[..TAG_LEN].to_vec()
    }
}
