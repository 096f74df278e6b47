//! AES-GCM and ChaCha20-Poly1305 over `aes-gcm` and `chacha20poly1305`, keyed as
//! [`InOutKey`](crate::crypto::ccm::InOutKey)s (as CCM_8 is); wiped on drop (the crates'
//! `zeroize` feature).

use alloc::boxed::Box;

use aes_gcm::aead::KeyInit;
use aes_gcm::{Aes128Gcm, Aes256Gcm};
use chacha20poly1305::ChaCha20Poly1305;

use crate::crypto::ccm::InOutKey as AeadKey;
use crate::crypto::{self, AeadAlgorithm};
use crate::error::Error;

/// A RustCrypto AEAD.
pub(crate) struct Aead(pub(crate) AeadAlgorithm);

impl crypto::Aead for Aead {
    fn algorithm(&self) -> AeadAlgorithm {
        self.0
    }

    fn with_key(&self, key: &[u8]) -> Result<Box<dyn crypto::AeadKey>, Error> {
        const LEN: Error = Error::internal("AEAD key length");
        Ok(match self.0 {
            AeadAlgorithm::Aes128Gcm => {
                Box::new(AeadKey(Aes128Gcm::new_from_slice(key).map_err(|_| LEN)?))
            }
            AeadAlgorithm::Aes256Gcm => {
                Box::new(AeadKey(Aes256Gcm::new_from_slice(key).map_err(|_| LEN)?))
            }
            AeadAlgorithm::ChaCha20Poly1305 => Box::new(AeadKey(
                ChaCha20Poly1305::new_from_slice(key).map_err(|_| LEN)?,
            )),
            #[allow(unreachable_patterns)] // Algorithms added later are not implemented here.
            _ => return Err(Error::internal("AEAD not implemented by this provider")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Aead as _;

    #[test]
    fn seal_open_and_tamper() {
        for alg in [
            AeadAlgorithm::Aes128Gcm,
            AeadAlgorithm::Aes256Gcm,
            AeadAlgorithm::ChaCha20Poly1305,
        ] {
            let key = Aead(alg).with_key(&[9; 32][..alg.key_len()]).unwrap();
            let nonce = [3u8; 12];
            let mut buf = b"hello record".to_vec();
            let tag = key.seal_in_place(&nonce, b"aad", &mut buf).unwrap();
            assert_ne!(&buf[..], b"hello record");
            buf.extend_from_slice(&tag);
            let mut copy = buf.clone();
            assert_eq!(key.open_in_place(&nonce, b"aad", &mut copy), Ok(12));
            assert_eq!(&copy[..12], b"hello record");
            let mut bad = buf.clone();
            bad[0] ^= 1;
            assert_eq!(
                key.open_in_place(&nonce, b"aad", &mut bad),
                Err(Error::bad_record_mac())
            );
            let mut bad = buf.clone();
            assert_eq!(
                key.open_in_place(&nonce, b"aaD", &mut bad),
                Err(Error::bad_record_mac())
            );
            assert_eq!(
                key.open_in_place(&nonce, b"aad", &mut [0u8; 15]),
                Err(Error::bad_record_mac())
            );
            assert!(Aead(alg).with_key(&[0; 7]).is_err());
        }
    }

    /// AES-128-GCM test case 3 of the GCM specification (McGrew and Viega), and the
    /// ChaCha20-Poly1305 vector of RFC 8439 section 2.8.2: the tag and the first bytes.
    #[test]
    fn known_answers() {
        let hex = |s: &str| -> alloc::vec::Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let key = Aead(AeadAlgorithm::Aes128Gcm)
            .with_key(&hex("feffe9928665731c6d6a8f9467308308"))
            .unwrap();
        let mut pt = hex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
        );
        let nonce: [u8; 12] = hex("cafebabefacedbaddecaf888").try_into().unwrap();
        let tag = key.seal_in_place(&nonce, &[], &mut pt).unwrap();
        assert_eq!(
            &pt[..8],
            hex("42831ec2217774244b7221b784d0d49c")[..8].to_vec()
        );
        assert_eq!(tag.to_vec(), hex("4d5c2af327cd64a62cf35abd2ba6fab4"));

        let key = Aead(AeadAlgorithm::ChaCha20Poly1305)
            .with_key(&hex(
                "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
            ))
            .unwrap();
        let mut pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one \
                       tip for the future, sunscreen would be it."
            .to_vec();
        let nonce: [u8; 12] = hex("070000004041424344454647").try_into().unwrap();
        let tag = key
            .seal_in_place(&nonce, &hex("50515253c0c1c2c3c4c5c6c7"), &mut pt)
            .unwrap();
        assert_eq!(&pt[..4], &hex("d31a8d34")[..]);
        assert_eq!(tag.to_vec(), hex("1ae10b594f09e26a7e902ecbd0600691"));
    }
}
