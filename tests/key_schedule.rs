//! The PRF, key schedule and key log against published values.
//!
//! - PRF vectors: the TLS 1.2 PRF test vectors circulated on the IETF TLS list (SHA-256 and
//!   SHA-384, "test label"); the full outputs were reproduced with
//!   `openssl kdf -keylen N -kdfopt digest:SHA256 -kdfopt hexsecret:.. -kdfopt hexseed:.. TLS1-PRF`.
//! - The Illustrated TLS 1.2 Connection (tests/data/illustrated-tls12, MIT): a real
//!   TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA connection (SHA-256 PRF) with every secret published.
//! - Values with no published vector (extended master secret, exporters, an AEAD key block)
//!   were computed independently with OpenSSL's TLS1-PRF over the Illustrated secrets.

use tls12::Error;
use tls12::crypto::keylog::{CLIENT_RANDOM, KeyLogBuffer, KeyLogFile, KeyLogLine, NoKeyLog};
use tls12::crypto::ring::RingProvider;
use tls12::crypto::{AeadAlgorithm, CryptoProvider, HashAlgorithm, Hmac, KeyLog};
use tls12::internal::key_schedule::{
    CLIENT_FINISHED, KeyBlockLayout, MasterSecret, SERVER_FINISHED,
};
use tls12::internal::prf::{prf, prf_parts};

/// Hex with any whitespace in it (the vectors are wrapped).
fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.split_whitespace().collect::<String>()).expect("test hex")
}

fn sha256_hmac() -> &'static dyn Hmac {
    RingProvider.hmac(HashAlgorithm::Sha256)
}

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/illustrated-tls12/");

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).unwrap()
}

/// A whole record's payload (the handshake message), without the 5-byte header.
fn handshake_message(record: &str) -> Vec<u8> {
    let rec = data(record);
    let len = u16::from_be_bytes([rec[3], rec[4]]) as usize;
    assert_eq!(rec.len(), 5 + len, "{record} is one whole record");
    rec[5..].to_vec()
}

const PRE_MASTER: &str = "df4a291baa1eb7cfa6934b29b474baad2697e29f1f920dcc77c8a0a088447624";
const MASTER: &str = "916abf9da55973e13614ae0a3f5d3f37b023ba129aee02cc9134338127cd7049\
                      781c8e19fc1eb2a7387ac06ae237344c";

fn client_random() -> [u8; 32] {
    core::array::from_fn(|i| i as u8)
}

fn server_random() -> [u8; 32] {
    core::array::from_fn(|i| 0x70 + i as u8)
}

fn master() -> MasterSecret {
    MasterSecret::from_bytes(unhex(MASTER).try_into().unwrap())
}

const HANDSHAKE_UP_TO_CKE: [&str; 6] = [
    "clienthello",
    "serverhello",
    "servercert",
    "serverkeyexchange",
    "serverhellodone",
    "clientkeyexchange",
];

// ---------------------------------------------------------------------------------------
// PRF

#[test]
fn prf_sha256_vector() {
    let mut out = [0u8; 100];
    prf(
        sha256_hmac(),
        &unhex("9bbe436ba940f017b17652849a71db35"),
        b"test label",
        &unhex("a0ba9f936cda311827a6f796ffd5198c"),
        &mut out,
    );
    let expected = unhex(
        "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a\
         6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab\
         4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701\
         87347b66",
    );
    assert_eq!(out[..], expected[..]);
}

#[test]
fn prf_sha384_vector() {
    let mut out = [0u8; 148];
    prf(
        RingProvider.hmac(HashAlgorithm::Sha384),
        &unhex("b80b733d6ceefcdc71566ea48e5567df"),
        b"test label",
        &unhex("cd665cf6a8447dd6ff8b27555edb7465"),
        &mut out,
    );
    let expected = unhex(
        "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd\
         e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd\
         8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425\
         9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6\
         91c8f3a26854308d5eaa3be85e0990703d73e56f",
    );
    assert_eq!(out[..], expected[..]);
}

#[test]
fn prf_seed_parts_match_joined_seed() {
    let seed = unhex("a0ba9f936cda311827a6f796ffd5198c");
    let mut joined = [0u8; 100];
    let mut split = [0u8; 100];
    prf(sha256_hmac(), b"s", b"test label", &seed, &mut joined);
    prf_parts(
        sha256_hmac(),
        b"s",
        b"test label",
        &[&seed[..5], &seed[5..]],
        &mut split,
    );
    assert_eq!(joined, split);
}

// ---------------------------------------------------------------------------------------
// Key schedule on the Illustrated TLS 1.2 connection

#[test]
fn illustrated_master_secret() {
    let ms = MasterSecret::derive(
        sha256_hmac(),
        &unhex(PRE_MASTER),
        &client_random(),
        &server_random(),
    );
    assert_eq!(ms.as_bytes()[..], unhex(MASTER)[..]);
}

#[test]
fn illustrated_cbc_key_block() {
    let layout = KeyBlockLayout {
        mac_key_len: 20,
        key_len: 16,
        iv_len: 16,
    };
    assert_eq!(layout.total_len(), 104);
    let kb = master()
        .key_block(sha256_hmac(), &client_random(), &server_random(), layout)
        .unwrap();
    assert_eq!(kb.layout(), layout);
    assert_eq!(
        kb.client_mac_key(),
        unhex("1b7d117c7d5f690bc263cae8ef60af0f1878acc2")
    );
    assert_eq!(
        kb.server_mac_key(),
        unhex("2ad8bdd8c601a617126f63540eb20906f781fad2")
    );
    assert_eq!(
        kb.client_write_key(),
        unhex("f656d037b173ef3e11169f27231a84b6")
    );
    assert_eq!(
        kb.server_write_key(),
        unhex("752a18e7a9fcb7cbcdd8f98dd8f769eb")
    );
    assert_eq!(
        kb.client_write_iv(),
        unhex("a0d2550c9238eebfef5c32251abb67d6")
    );
    assert_eq!(
        kb.server_write_iv(),
        unhex("434528db4937d540d393135e06a11bb8")
    );
    let c = kb.client();
    assert_eq!(
        (c.mac_key, c.key, c.iv),
        (
            kb.client_mac_key(),
            kb.client_write_key(),
            kb.client_write_iv()
        )
    );
    let s = kb.server();
    assert_eq!(
        (s.mac_key, s.key, s.iv),
        (
            kb.server_mac_key(),
            kb.server_write_key(),
            kb.server_write_iv()
        )
    );
}

#[test]
fn aead_key_block_split() {
    // AES-256-GCM with the SHA-384 PRF over the Illustrated master secret; the 72-byte key
    // block computed with OpenSSL's TLS1-PRF.
    let block = unhex(
        "243e6a31867e7b29f122b748ffeb635994fa231c83365bc6f1fd9b1cf4bfc149\
         882ed6d687a71ccddf9e951779104378965d05d50f01837687e4d2511fbcbcea\
         ac0e1beb131cc3be",
    );
    let layout = KeyBlockLayout::aead(AeadAlgorithm::Aes256Gcm);
    assert_eq!(layout.total_len(), 72);
    let kb = master()
        .key_block(
            RingProvider.hmac(HashAlgorithm::Sha384),
            &client_random(),
            &server_random(),
            layout,
        )
        .unwrap();
    assert!(kb.client_mac_key().is_empty() && kb.server_mac_key().is_empty());
    assert_eq!(kb.client_write_key(), &block[..32]);
    assert_eq!(kb.server_write_key(), &block[32..64]);
    assert_eq!(kb.client_write_iv(), &block[64..68]);
    assert_eq!(kb.server_write_iv(), &block[68..72]);

    let chacha = KeyBlockLayout::aead(AeadAlgorithm::ChaCha20Poly1305);
    assert_eq!(
        (chacha.mac_key_len, chacha.key_len, chacha.iv_len),
        (0, 32, 12)
    );
    let gcm128 = KeyBlockLayout::aead(AeadAlgorithm::Aes128Gcm);
    assert_eq!(
        (gcm128.mac_key_len, gcm128.key_len, gcm128.iv_len),
        (0, 16, 4)
    );
}

fn transcript_hash(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut ctx = RingProvider.hash(HashAlgorithm::Sha256).start();
    for m in messages {
        ctx.update(m);
    }
    ctx.current().as_ref().to_vec()
}

#[test]
fn illustrated_verify_data() {
    let mut messages: Vec<Vec<u8>> = HANDSHAKE_UP_TO_CKE
        .iter()
        .map(|r| handshake_message(r))
        .collect();
    let client_hash = transcript_hash(&messages);
    let client = master().verify_data(sha256_hmac(), CLIENT_FINISHED, &client_hash);
    assert_eq!(client[..], unhex("cf919626f1360c536aaad73a")[..]);

    // The client Finished message carries exactly that verify_data.
    let finished = data("clientfinishedplain");
    assert_eq!(finished.len(), 16);
    assert_eq!(finished[..4], [0x14, 0, 0, 12]);
    assert_eq!(finished[4..], client[..]);

    messages.push(finished);
    let server_hash = transcript_hash(&messages);
    let server = master().verify_data(sha256_hmac(), SERVER_FINISHED, &server_hash);
    assert_eq!(server[..], unhex("844d3c10746dd722f92f0c7e")[..]);
}

#[test]
fn extended_master_secret() {
    let messages: Vec<Vec<u8>> = HANDSHAKE_UP_TO_CKE
        .iter()
        .map(|r| handshake_message(r))
        .collect();
    let session_hash = transcript_hash(&messages);
    assert_eq!(
        session_hash,
        unhex("061dda04b3c2217ff73bd79b9cf88a2bb6ec505404aac8722db03ef417b54cb4")
    );
    let ems = MasterSecret::derive_extended(sha256_hmac(), &unhex(PRE_MASTER), &session_hash);
    assert_eq!(
        ems.as_bytes()[..],
        unhex(
            "960143e1bc0895e72b360f49c91132e440b1e3059e6df2dd894ffc6166d767c6\
             329bf5b76d383a24955dbf038178e4b0"
        )[..]
    );
    assert_ne!(ems.as_bytes()[..], unhex(MASTER)[..]);
}

#[test]
fn exporter() {
    let export = |context: Option<&[u8]>| {
        let mut out = [0u8; 40];
        master()
            .export_keying_material(
                sha256_hmac(),
                &client_random(),
                &server_random(),
                b"EXPERIMENTAL tls12",
                context,
                &mut out,
            )
            .map(|()| out)
    };
    assert_eq!(
        export(None).unwrap()[..],
        unhex("4eb0d13c35a89653304ec34377483f3c05753f257895a16f9b448d0c8af9eefbf19d39da8636bbe6")[..]
    );
    assert_eq!(
        export(Some(b"")).unwrap()[..],
        unhex("7c1f6a43cf945ed1c633cff94bce1b5727e29bc0e3b8787a0b5d6dd5725bc1b3bcb4ed7cf24d7a78")[..]
    );
    assert_eq!(
        export(Some(b"context")).unwrap()[..],
        unhex("b24bb1749880f459e27200a34025cabb47825eb4c2d81e8ec9ff1a6b710a8800a2772d06da2585db")[..]
    );
    // The longest context is fine, one more byte is not.
    assert!(export(Some(&[0u8; 65535])).is_ok());
    assert!(matches!(export(Some(&[0u8; 65536])), Err(Error::Api(_))));
}

#[test]
fn exporter_refuses_tls_labels() {
    for label in [
        &b"client finished"[..],
        b"server finished",
        b"master secret",
        b"extended master secret",
        b"key expansion",
    ] {
        let mut out = [0u8; 16];
        let r = master().export_keying_material(
            sha256_hmac(),
            &client_random(),
            &server_random(),
            label,
            None,
            &mut out,
        );
        assert!(
            matches!(r, Err(Error::Api(_))),
            "{:?}",
            core::str::from_utf8(label)
        );
    }
}

#[test]
fn master_secret_debug_hides_bytes() {
    assert_eq!(format!("{:?}", master()), "MasterSecret(..)");
}

// ---------------------------------------------------------------------------------------
// Key log

#[test]
fn illustrated_keylog_line() {
    let expected = String::from_utf8(data("keylog.txt")).unwrap();
    let ms = MasterSecret::derive(
        sha256_hmac(),
        &unhex(PRE_MASTER),
        &client_random(),
        &server_random(),
    );
    let line = KeyLogLine::new(CLIENT_RANDOM, &client_random(), ms.as_bytes()).to_string();
    assert_eq!(line, expected);
    assert_eq!(line.len(), "CLIENT_RANDOM ".len() + 64 + 1 + 96 + 1);

    let buffer = KeyLogBuffer::new();
    ms.log(&buffer, &client_random());
    assert_eq!(buffer.lines(), vec![expected.clone()]);
    assert_eq!(buffer.contents(), expected);
}

#[test]
fn no_key_log_logs_nothing() {
    assert!(!NoKeyLog.will_log(CLIENT_RANDOM));
    NoKeyLog.log(CLIENT_RANDOM, &[0; 32], &[0; 48]);
}

#[test]
fn key_log_file_appends_lines() {
    let path = std::env::temp_dir().join(format!("tls12-keylog-test-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let expected = String::from_utf8(data("keylog.txt")).unwrap();
    {
        let log = KeyLogFile::create(&path).unwrap();
        master().log(&log, &client_random());
        assert_eq!(format!("{log:?}"), "KeyLogFile(..)");
    }
    {
        // Reopening appends.
        let log = KeyLogFile::create(&path).unwrap();
        log.log(CLIENT_RANDOM, &client_random(), master().as_bytes());
    }
    let written = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(written, format!("{expected}{expected}"));
}
