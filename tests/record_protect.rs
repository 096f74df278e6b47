//! Record protection: AEAD known answers, TLS record cross-checks, tampering, limits.
//!
//! Sources of expected values:
//! - AES-GCM: test cases 2, 4, 14 and 16 of McGrew & Viega, "The Galois/Counter Mode of
//!   Operation (GCM)" (the NIST submission; also in NIST's gcmEncryptExtIV vectors).
//! - ChaCha20-Poly1305: RFC 8439 section 2.8.2.
//! - TLS records: no public TLS 1.2 AEAD record vectors exist (RFC 5288 and RFC 7905 have
//!   none), so sealed records are compared byte for byte with records built directly with
//!   `ring::aead` from the RFC constructions, and records are exchanged with rustls: a real
//!   rustls TLS 1.2 handshake per suite, whose master secret (from its key log) feeds our
//!   key schedule; we open rustls's records (including both Finished messages, checked
//!   against our verify_data) and rustls opens ours.
//!
//! Our side runs on the provider `TLS12_PROVIDER` names (`tests/common`): ring by default,
//! RustCrypto in CI's second run, so each AEAD is checked against `ring::aead` and rustls.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use tls12::Error;
use tls12::crypto::{Aead, AeadAlgorithm, HashAlgorithm};
use tls12::error::DecodeErrorKind;
use tls12::internal::codec::enums::{AlertDescription, ContentType, ProtocolVersion};
use tls12::internal::key_schedule::{
    CLIENT_FINISHED, KeyBlockLayout, MasterSecret, SERVER_FINISHED,
};
use tls12::internal::record::protect::{
    HEADER_LEN, MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN, RecordOpener, RecordSealer,
};

const ALL: [AeadAlgorithm; 3] = [
    AeadAlgorithm::Aes128Gcm,
    AeadAlgorithm::Aes256Gcm,
    AeadAlgorithm::ChaCha20Poly1305,
];

const APP: ContentType = ContentType::APPLICATION_DATA;
const TLS12: ProtocolVersion = ProtocolVersion::TLS12;

/// Hex with any whitespace in it (the vectors are wrapped).
fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).expect("test hex")
}

mod common;

/// Our side runs on the provider `TLS12_PROVIDER` names (`tests/common`).
#[test]
fn runs_on_the_provider_named_by_tls12_provider() {
    common::assert_is_the_named_provider(&**common::provider_ref());
}

fn aead(alg: AeadAlgorithm) -> &'static dyn Aead {
    common::provider_ref().aead(alg).unwrap()
}

fn test_key(alg: AeadAlgorithm) -> (Vec<u8>, Vec<u8>) {
    let key = (0..alg.key_len()).map(|i| 0x40 + i as u8).collect();
    let iv = (0..alg.fixed_iv_len()).map(|i| 0xa0 + i as u8).collect();
    (key, iv)
}

fn pair(alg: AeadAlgorithm) -> (RecordSealer, RecordOpener) {
    let (key, iv) = test_key(alg);
    (
        RecordSealer::new(aead(alg), &key, &iv).unwrap(),
        RecordOpener::new(aead(alg), &key, &iv).unwrap(),
    )
}

/// Seals `payload` into a new record buffer.
fn seal(sealer: &mut RecordSealer, typ: ContentType, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; HEADER_LEN + sealer.overhead() + payload.len()];
    let start = sealer.payload_offset();
    buf[start..start + payload.len()].copy_from_slice(payload);
    let n = sealer
        .seal_in_place(typ, TLS12, &mut buf, payload.len())
        .unwrap();
    assert_eq!(n, buf.len());
    buf
}

/// Moves `opener` on to sequence number `seq` by opening that many records sealed with the
/// same keys (the sequence number cannot be set from outside the crate).
fn advance(opener: &mut RecordOpener, alg: AeadAlgorithm, seq: u64) {
    let (mut sealer, _) = pair(alg);
    for _ in 0..seq {
        let mut f = seal(&mut sealer, APP, b"skip")[HEADER_LEN..].to_vec();
        opener.open_in_place(APP, TLS12, &mut f).unwrap();
    }
    assert_eq!(opener.seq(), seq);
}

/// A sealer on these keys whose next record has sequence number `seq`.
fn sealer_at(aead: &dyn Aead, key: &[u8], iv: &[u8], seq: u64) -> RecordSealer {
    let mut sealer = RecordSealer::new(aead, key, iv).unwrap();
    let mut buf = vec![0u8; HEADER_LEN + sealer.overhead()];
    for _ in 0..seq {
        sealer.seal_in_place(APP, TLS12, &mut buf, 0).unwrap();
    }
    assert_eq!(sealer.seq(), seq);
    sealer
}

fn is_record_overflow(e: &Error) -> bool {
    matches!(e, Error::Decode(d) if d.kind == DecodeErrorKind::TooLarge)
        && e.alert() == Some(AlertDescription::RECORD_OVERFLOW)
}

// ---------------------------------------------------------------------------------------
// Known answers through the provider's AeadKey

struct Kat {
    alg: AeadAlgorithm,
    key: &'static str,
    nonce: &'static str,
    aad: &'static str,
    plain: &'static str,
    cipher: &'static str,
    tag: &'static str,
}

const GCM_P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                     1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const GCM_A: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

const KATS: &[Kat] = &[
    // McGrew & Viega test case 2.
    Kat {
        alg: AeadAlgorithm::Aes128Gcm,
        key: "00000000000000000000000000000000",
        nonce: "000000000000000000000000",
        aad: "",
        plain: "00000000000000000000000000000000",
        cipher: "0388dace60b6a392f328c2b971b2fe78",
        tag: "ab6e47d42cec13bdf53a67b21257bddf",
    },
    // McGrew & Viega test case 4.
    Kat {
        alg: AeadAlgorithm::Aes128Gcm,
        key: "feffe9928665731c6d6a8f9467308308",
        nonce: "cafebabefacedbaddecaf888",
        aad: GCM_A,
        plain: GCM_P,
        cipher: "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
                 21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        tag: "5bc94fbc3221a5db94fae95ae7121a47",
    },
    // McGrew & Viega test case 14.
    Kat {
        alg: AeadAlgorithm::Aes256Gcm,
        key: "0000000000000000000000000000000000000000000000000000000000000000",
        nonce: "000000000000000000000000",
        aad: "",
        plain: "00000000000000000000000000000000",
        cipher: "cea7403d4d606b6e074ec5d3baf39d18",
        tag: "d0d1c8a799996bf0265b98b5d48ab919",
    },
    // McGrew & Viega test case 16.
    Kat {
        alg: AeadAlgorithm::Aes256Gcm,
        key: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
        nonce: "cafebabefacedbaddecaf888",
        aad: GCM_A,
        plain: GCM_P,
        cipher: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
                 8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        tag: "76fc6ece0f4e1768cddf8853bb2d551b",
    },
    // RFC 8439 section 2.8.2.
    Kat {
        alg: AeadAlgorithm::ChaCha20Poly1305,
        key: "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
        nonce: "070000004041424344454647",
        aad: "50515253c0c1c2c3c4c5c6c7",
        plain: "4c616469657320616e642047656e746c656d656e206f662074686520636c6173\
                73206f66202739393a204966204920636f756c64206f6666657220796f75206f\
                6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73\
                637265656e20776f756c642062652069742e",
        cipher: "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6\
                 3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36\
                 92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc\
                 3ff4def08e4b7a9de576d26586cec64b6116",
        tag: "1ae10b594f09e26a7e902ecbd0600691",
    },
];

#[test]
fn aead_known_answers() {
    for (i, kat) in KATS.iter().enumerate() {
        let key = aead(kat.alg).with_key(&unhex(kat.key)).unwrap();
        let nonce: [u8; 12] = unhex(kat.nonce).try_into().unwrap();
        let aad = unhex(kat.aad);
        let mut buf = unhex(kat.plain);
        let tag = key.seal_in_place(&nonce, &aad, &mut buf).unwrap();
        assert_eq!(buf, unhex(kat.cipher), "vector {i} ciphertext");
        assert_eq!(tag[..], unhex(kat.tag)[..], "vector {i} tag");

        buf.extend_from_slice(&tag);
        let n = key.open_in_place(&nonce, &aad, &mut buf).unwrap();
        assert_eq!(buf[..n], unhex(kat.plain)[..], "vector {i} opens");

        let mut bad = unhex(kat.cipher);
        let mut bad_tag = unhex(kat.tag);
        bad_tag[15] ^= 1;
        bad.extend_from_slice(&bad_tag);
        assert_eq!(
            key.open_in_place(&nonce, &aad, &mut bad),
            Err(Error::bad_record_mac())
        );
    }
}

// ---------------------------------------------------------------------------------------
// Byte-for-byte cross-check with records built directly with ring

/// A whole record sealed with raw `ring::aead`, following RFC 5246/5288/7905 directly.
fn ring_record(
    alg: AeadAlgorithm,
    key: &[u8],
    fixed_iv: &[u8],
    seq: u64,
    typ: ContentType,
    payload: &[u8],
) -> Vec<u8> {
    use ring::aead;
    // GCM: nonce = salt || seq, and seq is sent as the explicit nonce (RFC 5288).
    // ChaCha20-Poly1305: nonce = IV XOR (0^4 || seq), nothing sent (RFC 7905).
    let (ring_alg, nonce, explicit): (_, [u8; 12], Vec<u8>) = match alg {
        AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => {
            let mut n = [0u8; 12];
            n[..4].copy_from_slice(fixed_iv);
            n[4..].copy_from_slice(&seq.to_be_bytes());
            let alg = if alg == AeadAlgorithm::Aes128Gcm {
                &aead::AES_128_GCM
            } else {
                &aead::AES_256_GCM
            };
            (alg, n, seq.to_be_bytes().to_vec())
        }
        _ => {
            let mut n: [u8; 12] = fixed_iv.try_into().unwrap();
            for (a, b) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
                *a ^= b;
            }
            (&aead::CHACHA20_POLY1305, n, Vec::new())
        }
    };
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(ring_alg, key).unwrap());
    let mut aad = Vec::new();
    aad.extend_from_slice(&seq.to_be_bytes());
    aad.push(typ.0);
    aad.extend_from_slice(&[3, 3]);
    aad.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    let mut body = payload.to_vec();
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::from(&aad),
        &mut body,
    )
    .unwrap();
    let frag_len = explicit.len() + body.len();
    let mut rec = vec![typ.0, 3, 3];
    rec.extend_from_slice(&(frag_len as u16).to_be_bytes());
    rec.extend_from_slice(&explicit);
    rec.extend_from_slice(&body);
    rec
}

#[test]
fn sealed_records_match_raw_ring() {
    for alg in ALL {
        let (key, iv) = test_key(alg);
        let (mut sealer, mut opener) = pair(alg);
        for (seq, len) in [0usize, 1, 15, 16, 17, 100, 1000, MAX_PLAINTEXT_LEN]
            .into_iter()
            .enumerate()
        {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7 + seq) as u8).collect();
            let typ = if seq % 2 == 0 {
                APP
            } else {
                ContentType::HANDSHAKE
            };
            let ours = seal(&mut sealer, typ, &payload);
            let expected = ring_record(alg, &key, &iv, seq as u64, typ, &payload);
            assert_eq!(ours, expected, "{alg:?} record {seq}");
            if alg != AeadAlgorithm::ChaCha20Poly1305 {
                // The explicit nonce is the sequence number.
                assert_eq!(ours[5..13], (seq as u64).to_be_bytes());
            }
            let mut frag = expected[HEADER_LEN..].to_vec();
            let plain = opener.open_in_place(typ, TLS12, &mut frag).unwrap();
            assert_eq!(plain, &payload[..]);
        }
    }
}

#[test]
fn gcm_opener_uses_the_explicit_nonce_it_receives() {
    // A peer may send any explicit nonce (RFC 5288 only requires uniqueness); the opener
    // must take it from the record, not from the sequence number.
    for alg in [AeadAlgorithm::Aes128Gcm, AeadAlgorithm::Aes256Gcm] {
        use ring::aead;
        let (key, iv) = test_key(alg);
        let ring_alg = if alg == AeadAlgorithm::Aes128Gcm {
            &aead::AES_128_GCM
        } else {
            &aead::AES_256_GCM
        };
        let rkey = aead::LessSafeKey::new(aead::UnboundKey::new(ring_alg, &key).unwrap());
        let explicit = [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4];
        let mut nonce = [0u8; 12];
        nonce[..4].copy_from_slice(&iv);
        nonce[4..].copy_from_slice(&explicit);
        let payload = b"explicit nonce from the wire";
        let mut aad = vec![0u8; 8];
        aad.extend_from_slice(&[23, 3, 3, 0, payload.len() as u8]);
        let mut body = payload.to_vec();
        rkey.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(&aad),
            &mut body,
        )
        .unwrap();
        let mut frag = explicit.to_vec();
        frag.extend_from_slice(&body);
        let (_, mut opener) = pair(alg);
        let plain = opener.open_in_place(APP, TLS12, &mut frag).unwrap();
        assert_eq!(plain, payload);
    }
}

// ---------------------------------------------------------------------------------------
// Round trips, sequence numbers, limits

#[test]
fn roundtrip_all_suites() {
    for alg in ALL {
        let (mut sealer, mut opener) = pair(alg);
        assert_eq!(sealer.algorithm(), alg);
        assert_eq!(opener.algorithm(), alg);
        assert_eq!(sealer.overhead(), alg.explicit_nonce_len() + 16);
        assert_eq!(opener.overhead(), sealer.overhead());
        assert_eq!(sealer.payload_offset(), 5 + alg.explicit_nonce_len());
        for (i, len) in [
            0,
            1,
            2,
            31,
            32,
            33,
            4096,
            MAX_PLAINTEXT_LEN - 1,
            MAX_PLAINTEXT_LEN,
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(sealer.seq(), i as u64);
            assert_eq!(opener.seq(), i as u64);
            let payload: Vec<u8> = (0..len).map(|j| (j ^ i) as u8).collect();
            let mut rec = seal(&mut sealer, APP, &payload);
            assert_eq!(rec[0], 23);
            assert_eq!(rec[1..3], [3, 3]);
            assert_eq!(
                u16::from_be_bytes([rec[3], rec[4]]) as usize,
                rec.len() - HEADER_LEN
            );
            let plain = opener
                .open_in_place(APP, TLS12, &mut rec[HEADER_LEN..])
                .unwrap();
            assert_eq!(plain, &payload[..]);
        }
    }
}

#[test]
fn seal_leaves_bytes_after_the_record_alone() {
    for alg in ALL {
        let (mut sealer, mut opener) = pair(alg);
        let mut buf = vec![0x55u8; 200];
        let start = sealer.payload_offset();
        buf[start..start + 10].copy_from_slice(b"0123456789");
        let n = sealer.seal_in_place(APP, TLS12, &mut buf, 10).unwrap();
        assert_eq!(n, HEADER_LEN + sealer.overhead() + 10);
        assert!(buf[n..].iter().all(|&b| b == 0x55));
        let plain = opener
            .open_in_place(APP, TLS12, &mut buf[HEADER_LEN..n])
            .unwrap();
        assert_eq!(plain, b"0123456789");
    }
}

#[test]
fn seal_refuses_oversized_payload_and_short_buffer() {
    for alg in ALL {
        let (mut sealer, _) = pair(alg);
        let mut buf = vec![0u8; MAX_PLAINTEXT_LEN + 100];
        assert!(matches!(
            sealer.seal_in_place(APP, TLS12, &mut buf, MAX_PLAINTEXT_LEN + 1),
            Err(Error::Api(_))
        ));
        let need = HEADER_LEN + sealer.overhead() + 10;
        let mut short = vec![0u8; need - 1];
        assert!(matches!(
            sealer.seal_in_place(APP, TLS12, &mut short, 10),
            Err(Error::Api(_))
        ));
        assert_eq!(sealer.seq(), 0, "failures consume no sequence number");
        let mut exact = vec![0u8; need];
        assert_eq!(sealer.seal_in_place(APP, TLS12, &mut exact, 10), Ok(need));
        assert_eq!(sealer.seq(), 1);
    }
}

#[test]
fn open_refuses_oversized_fragment() {
    for alg in ALL {
        let (_, mut opener) = pair(alg);
        let mut frag = vec![0u8; MAX_CIPHERTEXT_LEN + 1];
        let e = opener.open_in_place(APP, TLS12, &mut frag).unwrap_err();
        assert!(is_record_overflow(&e), "{e:?}");
        // At the limit the length is fine and authentication decides.
        let mut frag = vec![0u8; MAX_CIPHERTEXT_LEN];
        let e = opener.open_in_place(APP, TLS12, &mut frag).unwrap_err();
        assert_eq!(e, Error::bad_record_mac());
        assert_eq!(opener.seq(), 0);
    }
}

#[test]
fn open_refuses_authentic_plaintext_over_2_14() {
    for alg in ALL {
        let (key, iv) = test_key(alg);
        let payload = vec![0xaa; MAX_PLAINTEXT_LEN + 1];
        let mut rec = ring_record(alg, &key, &iv, 0, APP, &payload);
        let (_, mut opener) = pair(alg);
        let e = opener
            .open_in_place(APP, TLS12, &mut rec[HEADER_LEN..])
            .unwrap_err();
        assert!(is_record_overflow(&e), "{e:?}");
    }
}

#[test]
fn tampering_any_bit_is_bad_record_mac() {
    for alg in ALL {
        let (mut sealer, mut opener) = pair(alg);
        let rec = seal(&mut sealer, APP, b"attack at dawn, bring snacks");
        let frag = &rec[HEADER_LEN..];
        for bit in 0..frag.len() * 8 {
            let mut bad = frag.to_vec();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(
                opener.open_in_place(APP, TLS12, &mut bad),
                Err(Error::bad_record_mac()),
                "{alg:?} bit {bit}"
            );
        }
        assert_eq!(
            opener.seq(),
            0,
            "failures do not advance the sequence number"
        );
        let mut good = frag.to_vec();
        assert!(opener.open_in_place(APP, TLS12, &mut good).is_ok());
        assert_eq!(opener.seq(), 1);
    }
}

#[test]
fn truncated_or_extended_fragment_is_bad_record_mac() {
    for alg in ALL {
        let (mut sealer, mut opener) = pair(alg);
        let rec = seal(&mut sealer, APP, b"some payload");
        let frag = &rec[HEADER_LEN..];
        // Every shorter length, including those too short for nonce + tag, fails the same way.
        for len in 0..frag.len() {
            let mut bad = frag[..len].to_vec();
            assert_eq!(
                opener.open_in_place(APP, TLS12, &mut bad),
                Err(Error::bad_record_mac()),
                "{alg:?} len {len}"
            );
        }
        let mut longer = frag.to_vec();
        longer.push(0);
        assert_eq!(
            opener.open_in_place(APP, TLS12, &mut longer),
            Err(Error::bad_record_mac())
        );
    }
}

#[test]
fn wrong_type_version_or_seq_is_bad_record_mac() {
    for alg in ALL {
        let (mut sealer, _) = pair(alg);
        let rec = seal(&mut sealer, APP, b"bound to its header");
        let frag = &rec[HEADER_LEN..];
        let attempts: [(ContentType, ProtocolVersion, u64); 4] = [
            (ContentType::HANDSHAKE, TLS12, 0),
            (ContentType::ALERT, TLS12, 0),
            (APP, ProtocolVersion::TLS11, 0),
            (APP, TLS12, 1),
        ];
        for (typ, version, seq) in attempts {
            let (_, mut opener) = pair(alg);
            advance(&mut opener, alg, seq);
            let mut bad = frag.to_vec();
            assert_eq!(
                opener.open_in_place(typ, version, &mut bad),
                Err(Error::bad_record_mac()),
                "{alg:?} {typ:?} {version:?} seq {seq}"
            );
        }
    }
}

#[test]
fn replayed_or_reordered_records_fail() {
    for alg in ALL {
        let (mut sealer, mut opener) = pair(alg);
        let first = seal(&mut sealer, APP, b"first");
        let second = seal(&mut sealer, APP, b"second");
        let mut f = second[HEADER_LEN..].to_vec();
        assert_eq!(
            opener.open_in_place(APP, TLS12, &mut f),
            Err(Error::bad_record_mac())
        );
        let mut f = first[HEADER_LEN..].to_vec();
        assert!(opener.open_in_place(APP, TLS12, &mut f).is_ok());
        let mut f = first[HEADER_LEN..].to_vec();
        assert_eq!(
            opener.open_in_place(APP, TLS12, &mut f),
            Err(Error::bad_record_mac()),
            "replay"
        );
    }
}

// The sequence number wrap limit (2^64 - 1) is tested in src/record/protect.rs, where
// the sequence number can be set.

#[test]
fn constructors_check_lengths() {
    for alg in ALL {
        let (key, iv) = test_key(alg);
        let e = RecordSealer::new(aead(alg), &key, &iv[1..]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::INTERNAL_ERROR));
        let e = RecordOpener::new(aead(alg), &key[1..], &iv).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::INTERNAL_ERROR));
        let long_iv = [iv.clone(), vec![0]].concat();
        assert!(RecordOpener::new(aead(alg), &key, &long_iv).is_err());
    }
}

#[test]
fn debug_shows_no_key_material() {
    let (sealer, opener) = pair(AeadAlgorithm::ChaCha20Poly1305);
    assert_eq!(
        format!("{sealer:?}"),
        "RecordSealer { algorithm: ChaCha20Poly1305, seq: 0, .. }"
    );
    assert_eq!(
        format!("{opener:?}"),
        "RecordOpener { algorithm: ChaCha20Poly1305, seq: 0, .. }"
    );
}

// ---------------------------------------------------------------------------------------
// Interoperation with rustls

mod rustls_peer {
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    use super::*;

    /// Accepts any certificate (the test certificate expired in 2019) but checks the
    /// ServerKeyExchange signature.
    #[derive(Debug)]
    struct AcceptAnyCert;

    fn algs() -> rustls::crypto::WebPkiSupportedAlgorithms {
        rustls::crypto::ring::default_provider().signature_verification_algorithms
    }

    impl ServerCertVerifier for AcceptAnyCert {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &algs())
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &algs())
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            algs().supported_schemes()
        }
    }

    #[derive(Debug, Default)]
    struct Secrets(Mutex<Vec<LoggedSecret>>);

    /// (label, client random, secret) from rustls's key log.
    type LoggedSecret = (String, Vec<u8>, Vec<u8>);

    /// (content type, fragment) of one record.
    type Record = (u8, Vec<u8>);

    impl rustls::KeyLog for Secrets {
        fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
            self.0
                .lock()
                .unwrap()
                .push((label.into(), client_random.into(), secret.into()));
        }
    }

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/illustrated-tls12/");

    /// Moves everything `from` wants to write into `to`, appending it to `wire`.
    fn transfer(
        from: &mut dyn FnMut(&mut Vec<u8>) -> bool,
        to: &mut dyn FnMut(&[u8]),
        wire: &mut Vec<u8>,
    ) -> bool {
        let mut out = Vec::new();
        while from(&mut out) {}
        wire.extend_from_slice(&out);
        if !out.is_empty() {
            to(&out);
        }
        !out.is_empty()
    }

    struct Session {
        client: rustls::ClientConnection,
        server: rustls::ServerConnection,
        c2s: Vec<u8>,
        s2c: Vec<u8>,
    }

    impl Session {
        fn pump(&mut self) {
            for _ in 0..20 {
                let client = &mut self.client;
                let server = &mut self.server;
                let a = transfer(
                    &mut |out| client.wants_write() && client.write_tls(out).unwrap() > 0,
                    &mut |mut bytes| {
                        while !bytes.is_empty() {
                            server.read_tls(&mut bytes).unwrap();
                        }
                        server.process_new_packets().unwrap();
                    },
                    &mut self.c2s,
                );
                let b = transfer(
                    &mut |out| server.wants_write() && server.write_tls(out).unwrap() > 0,
                    &mut |mut bytes| {
                        while !bytes.is_empty() {
                            client.read_tls(&mut bytes).unwrap();
                        }
                        client.process_new_packets().unwrap();
                    },
                    &mut self.s2c,
                );
                if !a && !b {
                    return;
                }
            }
            panic!("no quiescence");
        }
    }

    /// (type, payload) of every record in a byte stream.
    fn records(mut wire: &[u8]) -> Vec<Record> {
        let mut out = Vec::new();
        while !wire.is_empty() {
            let len = u16::from_be_bytes([wire[3], wire[4]]) as usize;
            out.push((wire[0], wire[5..5 + len].to_vec()));
            wire = &wire[5 + len..];
        }
        out
    }

    /// Splits a direction into (plaintext handshake messages before its ChangeCipherSpec,
    /// protected records after it).
    fn split(wire: &[u8]) -> (Vec<Vec<u8>>, Vec<Record>) {
        let recs = records(wire);
        let ccs = recs.iter().position(|(t, _)| *t == 20).unwrap();
        let hs: Vec<u8> = recs[..ccs]
            .iter()
            .filter(|(t, _)| *t == 22)
            .flat_map(|(_, p)| p.clone())
            .collect();
        let mut msgs = Vec::new();
        let mut rest = &hs[..];
        while !rest.is_empty() {
            let len = u32::from_be_bytes([0, rest[1], rest[2], rest[3]]) as usize;
            msgs.push(rest[..4 + len].to_vec());
            rest = &rest[4 + len..];
        }
        (msgs, recs[ccs + 1..].to_vec())
    }

    fn run(suite: rustls::SupportedCipherSuite, alg: AeadAlgorithm, hash: HashAlgorithm) {
        let provider = Arc::new(rustls::crypto::CryptoProvider {
            cipher_suites: vec![suite],
            ..rustls::crypto::ring::default_provider()
        });
        let certs = vec![CertificateDer::from_pem_file(format!("{DATA}server.crt")).unwrap()];
        let key = PrivateKeyDer::from_pem_file(format!("{DATA}server.key")).unwrap();
        let server_config = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let secrets = Arc::new(Secrets::default());
        let mut client_config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert))
            .with_no_client_auth();
        client_config.key_log = secrets.clone();

        let mut s = Session {
            client: rustls::ClientConnection::new(
                Arc::new(client_config),
                ServerName::try_from("example.ulfheim.net").unwrap(),
            )
            .unwrap(),
            server: rustls::ServerConnection::new(Arc::new(server_config)).unwrap(),
            c2s: Vec::new(),
            s2c: Vec::new(),
        };
        s.pump();
        assert!(!s.client.is_handshaking() && !s.server.is_handshaking());

        // rustls server -> us: application data after its Finished.
        s.server.writer().write_all(b"pong from rustls").unwrap();
        s.pump();
        let mut got = [0u8; 64];
        let n = s.client.reader().read(&mut got).unwrap();
        assert_eq!(&got[..n], b"pong from rustls");

        // Keys from rustls's master secret through our key schedule.
        let (label, client_random, master) = secrets.0.lock().unwrap()[0].clone();
        assert_eq!(label, "CLIENT_RANDOM");
        let client_random: [u8; 32] = client_random.try_into().unwrap();
        let master = MasterSecret::from_bytes(master.try_into().unwrap());
        let (client_msgs, client_protected) = split(&s.c2s);
        let (server_msgs, server_protected) = split(&s.s2c);
        assert_eq!(server_msgs[0][0], 2, "ServerHello");
        let server_random: [u8; 32] = server_msgs[0][6..38].try_into().unwrap();
        let hmac = common::provider_ref().hmac(hash);
        let kb = master
            .key_block(
                hmac,
                &client_random,
                &server_random,
                KeyBlockLayout::aead(alg),
            )
            .unwrap();
        let aead = super::aead(alg);

        // The transcript, in protocol order: ClientHello, the server's first flight up to
        // ServerHelloDone, ClientKeyExchange; then the client Finished; then anything else
        // the server sent before its ChangeCipherSpec (NewSessionTicket).
        let done = server_msgs.iter().position(|m| m[0] == 14).unwrap();
        let mut transcript = common::provider_ref().hash(hash).start();
        transcript.update(&client_msgs[0]);
        for m in &server_msgs[..=done] {
            transcript.update(m);
        }
        assert_eq!(client_msgs.len(), 2, "ClientHello, ClientKeyExchange");
        transcript.update(&client_msgs[1]);
        let client_verify =
            master.verify_data(hmac, CLIENT_FINISHED, transcript.current().as_ref());

        // Client -> server: rustls's client Finished, opened with our opener.
        let mut from_client =
            RecordOpener::new(aead, kb.client_write_key(), kb.client_write_iv()).unwrap();
        let (typ, mut frag) = client_protected[0].clone();
        let fin = from_client
            .open_in_place(ContentType(typ), TLS12, &mut frag)
            .unwrap();
        assert_eq!(typ, 22);
        assert_eq!(fin[..4], [20, 0, 0, 12]);
        assert_eq!(fin[4..], client_verify, "client verify_data");
        transcript.update(fin);
        for m in &server_msgs[done + 1..] {
            transcript.update(m);
        }
        let server_verify =
            master.verify_data(hmac, SERVER_FINISHED, transcript.current().as_ref());

        // Server -> client: its Finished and the application data, opened by us.
        let mut from_server =
            RecordOpener::new(aead, kb.server_write_key(), kb.server_write_iv()).unwrap();
        let (typ, mut frag) = server_protected[0].clone();
        let fin = from_server
            .open_in_place(ContentType(typ), TLS12, &mut frag)
            .unwrap();
        assert_eq!(fin[..4], [20, 0, 0, 12]);
        assert_eq!(fin[4..], server_verify, "server verify_data");
        let (typ, mut frag) = server_protected[1].clone();
        assert_eq!(typ, 23);
        let data = from_server.open_in_place(APP, TLS12, &mut frag).unwrap();
        assert_eq!(data, b"pong from rustls");
        assert_eq!(from_server.seq(), 2);

        // Us -> rustls server, as the client (sequence number 1, after the Finished).
        let mut as_client = sealer_at(aead, kb.client_write_key(), kb.client_write_iv(), 1);
        let rec = seal(&mut as_client, APP, b"ping from tls12");
        let mut rd = &rec[..];
        s.server.read_tls(&mut rd).unwrap();
        s.server.process_new_packets().unwrap();
        let n = s.server.reader().read(&mut got).unwrap();
        assert_eq!(&got[..n], b"ping from tls12");

        // Us -> rustls client, as the server (sequence number 2, after Finished and pong).
        let mut as_server = sealer_at(aead, kb.server_write_key(), kb.server_write_iv(), 2);
        let rec = seal(&mut as_server, APP, b"second pong, from tls12");
        let mut rd = &rec[..];
        s.client.read_tls(&mut rd).unwrap();
        s.client.process_new_packets().unwrap();
        let n = s.client.reader().read(&mut got).unwrap();
        assert_eq!(&got[..n], b"second pong, from tls12");
    }

    #[test]
    fn rustls_aes128gcm() {
        run(
            rustls::crypto::ring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            AeadAlgorithm::Aes128Gcm,
            HashAlgorithm::Sha256,
        );
    }

    #[test]
    fn rustls_aes256gcm() {
        run(
            rustls::crypto::ring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            AeadAlgorithm::Aes256Gcm,
            HashAlgorithm::Sha384,
        );
    }

    #[test]
    fn rustls_chacha20poly1305() {
        run(
            rustls::crypto::ring::cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            AeadAlgorithm::ChaCha20Poly1305,
            HashAlgorithm::Sha256,
        );
    }
}
