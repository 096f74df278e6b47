//! The floor column: the cryptography each workload needs, done with raw `ring` calls.

use std::hint::black_box;

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, KeyPair};
use ring::{aead, agreement, digest, hmac};
use tls12::enums::CipherSuite;

use crate::common;
use crate::harness::Work;
use crate::rustls_side::{
    RustlsResume, rustls_configs, rustls_handshake, rustls_pair, rustls_transfer,
};
use crate::tls12_side::{ResumeKind, tls12_configs, tls12_pair, tls12_pump};

/// TLS 1.2 PRF with HMAC-SHA-256 (RFC 5246 section 5), straight on `ring::hmac`.
pub fn prf(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let mut a = {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(label);
        ctx.update(seed);
        ctx.sign()
    };
    let mut at = 0;
    while at < out.len() {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a.as_ref());
        ctx.update(label);
        ctx.update(seed);
        let p = ctx.sign();
        let n = (out.len() - at).min(p.as_ref().len());
        out[at..at + n].copy_from_slice(&p.as_ref()[..n]);
        at += n;
        a = hmac::sign(&key, a.as_ref());
    }
}

/// How many bytes of handshake messages the transcript hash of a handshake covers, from
/// its flights in order: every handshake record before a side's ChangeCipherSpec, plus the
/// two Finished messages (16 bytes each in TLS 1.2) after them.
pub fn transcript_len(flights: &[Vec<u8>]) -> usize {
    let mut total = 2 * 16;
    for flight in flights {
        let mut at = 0;
        while let Some(h) = flight.get(at..at + 5) {
            let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
            match h[0] {
                20 => break, // ChangeCipherSpec: what follows is encrypted.
                22 => total += len,
                _ => {}
            }
            at += 5 + len;
        }
    }
    total
}

/// The flights of one full handshake of ours (ECDHE-RSA or ECDHE-ECDSA), in order.
pub fn tls12_flights(suite: CipherSuite, key: &str) -> Vec<Vec<u8>> {
    let (c, s) = tls12_configs(suite, key);
    let (mut client, mut server) = tls12_pair(&c, &s);
    let (mut poll, mut app) = (vec![0u8; 32 * 1024], 0);
    let mut flights = Vec::new();
    let mut to_server = Vec::new();
    tls12_pump(&mut client, &[], &mut to_server, &mut poll, &mut app);
    while !to_server.is_empty() {
        let mut to_client = Vec::new();
        tls12_pump(&mut server, &to_server, &mut to_client, &mut poll, &mut app);
        flights.push(std::mem::take(&mut to_server));
        tls12_pump(&mut client, &to_client, &mut to_server, &mut poll, &mut app);
        flights.push(to_client);
    }
    flights
}

/// The flights of one resumed rustls handshake (after a priming one), in order.
pub fn rustls_resumed_flights(resume: RustlsResume) -> Vec<Vec<u8>> {
    let (c, s) = rustls_configs(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "server-rsa",
        resume,
    );
    let mut wire = Vec::new();
    let (mut client, mut server) = rustls_pair(&c, &s);
    rustls_handshake(&mut client, &mut server, &mut wire);
    let (mut client, mut server) = rustls_pair(&c, &s);
    let mut flights = Vec::new();
    for _ in 0..10 {
        let a = rustls_transfer(&mut client, &mut server, &mut wire);
        flights.push(wire.clone());
        let b = rustls_transfer(&mut server, &mut client, &mut wire);
        flights.push(wire.clone());
        if a == 0 && b == 0 {
            break;
        }
    }
    assert_eq!(
        client.handshake_kind(),
        Some(rustls::HandshakeKind::Resumed)
    );
    flights
}

/// What each side hashes of the transcript: `len` bytes of messages through one running
/// SHA-256, finished three times (extended master secret or none, and the two Finished).
pub fn floor_transcript(len: usize, msgs: &[u8]) {
    for _side in 0..2 {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(&msgs[..len]);
        for _ in 0..3 {
            black_box(ctx.clone().finish());
        }
    }
}

/// The client and server randoms.
pub fn floor_randoms(rng: &SystemRandom) {
    let mut random = [0u8; 32];
    for _ in 0..2 {
        rng.fill(&mut random).expect("random");
        black_box(&random);
    }
}

/// The key-schedule and record work of a handshake after the master secret: each side
/// derives the key block and both Finished values, makes its two record keys, and one
/// Finished record is sealed and opened each way.
pub fn floor_finish(master: &[u8; 48], alg: &'static aead::Algorithm) {
    let randoms = [0x11u8; 64];
    let hash = [0x22u8; 32];
    for _side in 0..2 {
        let mut block = [0u8; 40];
        prf(master, b"key expansion", &randoms, &mut block);
        let mut vd = [0u8; 12];
        prf(master, b"client finished", &hash, &mut vd);
        prf(master, b"server finished", &hash, &mut vd);
        let _write = aead::LessSafeKey::new(aead::UnboundKey::new(alg, &block[..16]).expect("key"));
        let read = aead::LessSafeKey::new(aead::UnboundKey::new(alg, &block[16..32]).expect("key"));
        // Seal our Finished (with the peer's key standing in for ours: same work) and open
        // it as the peer does.
        let mut rec = [0u8; 16 + 16];
        rec[..4].copy_from_slice(&[20, 0, 0, 12]);
        rec[4..16].copy_from_slice(&vd);
        let nonce = [0u8; 12];
        let aad = [0u8; 13];
        let tag = read
            .seal_in_place_separate_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut rec[..16],
            )
            .expect("seal");
        rec[16..].copy_from_slice(tag.as_ref());
        read.open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut rec,
        )
        .expect("open");
        black_box(&rec);
    }
}

/// Signs a certificate-sized message with the CA key, so that the floor can verify "the
/// certificate's signature" with one raw ring call.
pub const TBS_LEN: usize = 900;

pub fn floor_full(ecdsa: bool) -> Work<'static> {
    let rng = SystemRandom::new();
    let hs_len = if ecdsa {
        transcript_len(&tls12_flights(
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "server-p256",
        ))
    } else {
        transcript_len(&tls12_flights(
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "server-rsa",
        ))
    };
    let msgs = vec![0x3cu8; hs_len];
    let tbs = vec![0x5au8; TBS_LEN];
    let params = vec![0x33u8; 3 + 1 + 32 + 64];
    enum Signer {
        Rsa(signature::RsaKeyPair),
        Ecdsa(signature::EcdsaKeyPair),
    }
    let (server, ca_pub, cert_sig, verify_alg, ca_alg): (
        Signer,
        Vec<u8>,
        Vec<u8>,
        &'static dyn signature::VerificationAlgorithm,
        &'static dyn signature::VerificationAlgorithm,
    ) = if ecdsa {
        let ca = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &common::pki("ca-ecdsa.key.der"),
            &rng,
        )
        .expect("CA key");
        let sig = ca.sign(&rng, &tbs).expect("sign").as_ref().to_vec();
        let srv = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &common::pki("server-p256.key.der"),
            &rng,
        )
        .expect("server key");
        (
            Signer::Ecdsa(srv),
            ca.public_key().as_ref().to_vec(),
            sig,
            &signature::ECDSA_P256_SHA256_ASN1,
            &signature::ECDSA_P256_SHA256_ASN1,
        )
    } else {
        let ca = signature::RsaKeyPair::from_pkcs8(&common::pki("ca-rsa.key.der")).expect("CA key");
        let mut sig = vec![0u8; ca.public().modulus_len()];
        ca.sign(&signature::RSA_PKCS1_SHA256, &rng, &tbs, &mut sig)
            .expect("sign");
        let srv = signature::RsaKeyPair::from_pkcs8(&common::pki("server-rsa.key.der"))
            .expect("server key");
        (
            Signer::Rsa(srv),
            ca.public_key().as_ref().to_vec(),
            sig,
            &signature::RSA_PSS_2048_8192_SHA256,
            &signature::RSA_PKCS1_2048_8192_SHA256,
        )
    };
    let server_pub = match &server {
        Signer::Rsa(k) => k.public_key().as_ref().to_vec(),
        Signer::Ecdsa(k) => k.public_key().as_ref().to_vec(),
    };
    let mut ske_sig = vec![0u8; 512];
    Box::new(move |n| {
        for _ in 0..n {
            // Both ephemeral key pairs.
            let c_priv =
                agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("keygen");
            let c_pub = c_priv.compute_public_key().expect("public");
            let s_priv =
                agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng).expect("keygen");
            let s_pub = s_priv.compute_public_key().expect("public");
            // The server signs its ServerKeyExchange.
            let sig: &[u8] = match &server {
                Signer::Rsa(k) => {
                    let len = k.public().modulus_len();
                    k.sign(
                        &signature::RSA_PSS_SHA256,
                        &rng,
                        &params,
                        &mut ske_sig[..len],
                    )
                    .expect("sign");
                    &ske_sig[..len]
                }
                Signer::Ecdsa(k) => {
                    let s = k.sign(&rng, &params).expect("sign");
                    let len = s.as_ref().len();
                    ske_sig[..len].copy_from_slice(s.as_ref());
                    &ske_sig[..len]
                }
            };
            // The client checks the certificate's signature and the ServerKeyExchange's.
            signature::UnparsedPublicKey::new(ca_alg, &ca_pub)
                .verify(&tbs, &cert_sig)
                .expect("cert signature");
            signature::UnparsedPublicKey::new(verify_alg, &server_pub)
                .verify(&params, sig)
                .expect("ske signature");
            // Both agreements.
            let mut pms = [[0u8; 32]; 2];
            agreement::agree_ephemeral(
                c_priv,
                &agreement::UnparsedPublicKey::new(&agreement::X25519, s_pub.as_ref()),
                |k| pms[0].copy_from_slice(k),
            )
            .expect("agree");
            agreement::agree_ephemeral(
                s_priv,
                &agreement::UnparsedPublicKey::new(&agreement::X25519, c_pub.as_ref()),
                |k| pms[1].copy_from_slice(k),
            )
            .expect("agree");
            assert_eq!(pms[0], pms[1]);
            // Extended master secret, each side.
            let mut master = [0u8; 48];
            for _ in 0..2 {
                prf(&pms[0], b"extended master secret", &[0x44; 32], &mut master);
            }
            floor_randoms(&rng);
            floor_transcript(hs_len, &msgs);
            floor_finish(&master, &aead::AES_128_GCM);
        }
    })
}

pub fn floor_resume(kind: ResumeKind) -> Work<'static> {
    let rng = SystemRandom::new();
    let hs_len = transcript_len(&rustls_resumed_flights(match kind {
        ResumeKind::SessionId => RustlsResume::SessionId,
        ResumeKind::Ticket => RustlsResume::Ticket,
    }));
    let msgs = vec![0x3cu8; hs_len];
    let ticket_key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::CHACHA20_POLY1305, &[0x77; 32]).expect("key"),
    );
    // A TLS 1.2 session state as a ticket: about what rustls puts in one.
    let mut ticket = vec![0x66u8; 120 + 16];
    Box::new(move |n| {
        for _ in 0..n {
            if let ResumeKind::Ticket = kind {
                // The server opens the client's ticket and seals a fresh one.
                let plain = ticket.len() - 16;
                let tag = ticket_key
                    .seal_in_place_separate_tag(
                        aead::Nonce::assume_unique_for_key([1; 12]),
                        aead::Aad::empty(),
                        &mut ticket[..plain],
                    )
                    .expect("seal");
                ticket[plain..].copy_from_slice(tag.as_ref());
                ticket_key
                    .open_in_place(
                        aead::Nonce::assume_unique_for_key([1; 12]),
                        aead::Aad::empty(),
                        &mut ticket,
                    )
                    .expect("open");
            }
            floor_randoms(&rng);
            floor_transcript(hs_len, &msgs);
            floor_finish(&[0x55; 48], &aead::AES_128_GCM);
        }
    })
}

pub fn floor_bulk(alg: &'static aead::Algorithm) -> Work<'static> {
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(alg, &vec![0x42; alg.key_len()]).expect("key"),
    );
    let explicit = if std::ptr::eq(alg, &aead::CHACHA20_POLY1305) {
        0
    } else {
        8
    };
    const PAYLOAD: usize = 16384;
    // The record placed so that its payload is 64-byte aligned, the best case for the
    // AEAD (about 3% faster for AES-GCM than the payload 13 bytes past an alignment).
    let len = 5 + explicit + PAYLOAD + 16;
    let mut backing = vec![0x5au8; len + 64];
    let addr = backing.as_ptr() as usize;
    let off = (64 - (addr + 5 + explicit) % 64) % 64;
    let mut seq = 0u64;
    let aad_for = |seq: u64| {
        let mut a = [0u8; 13];
        a[..8].copy_from_slice(&seq.to_be_bytes());
        a[8] = 23;
        a[9..11].copy_from_slice(&[3, 3]);
        a[11..].copy_from_slice(&(PAYLOAD as u16).to_be_bytes());
        a
    };
    let nonce_for = |seq: u64| {
        let mut n = [0x24u8; 12];
        for (a, b) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
            *a ^= b;
        }
        n
    };
    Box::new(move |n| {
        let buf = &mut backing[off..off + len];
        for _ in 0..n {
            let start = 5 + explicit;
            let tag = key
                .seal_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce_for(seq)),
                    aead::Aad::from(aad_for(seq)),
                    &mut buf[start..start + PAYLOAD],
                )
                .expect("seal");
            buf[start + PAYLOAD..].copy_from_slice(tag.as_ref());
            let plain = key
                .open_in_place(
                    aead::Nonce::assume_unique_for_key(nonce_for(seq)),
                    aead::Aad::from(aad_for(seq)),
                    &mut buf[start..],
                )
                .expect("open");
            black_box(plain);
            seq += 1;
        }
    })
}
