//! A client on one crypto provider and a server on the other (ring and RustCrypto, both
//! ways): every suite, group and signature scheme, client certificates, resumption and RSA
//! key transport. Each side's keys are loaded, and the peer's signatures verified, by its
//! own provider, so every primitive of one must agree byte for byte with the other's.
//!
//! Needs `--features rustcrypto` (and `rsa-kx` for the key transport test).

#![cfg(feature = "rustcrypto")]

mod common;

use std::sync::Arc;

use common::*;
use tls12::crypto::CryptoProvider;
use tls12::enums::{CipherSuite, NamedGroup, SignatureScheme};
use tls12::verify::{WebPkiClientVerifier, WebPkiServerVerifier};

fn ring() -> Arc<dyn CryptoProvider> {
    provider_named("ring")
}

fn rustcrypto() -> Arc<dyn CryptoProvider> {
    provider_named("rustcrypto")
}

/// A client's provider, a server's provider, and a name for messages.
type Pairing = (
    Arc<dyn CryptoProvider>,
    Arc<dyn CryptoProvider>,
    &'static str,
);

/// Both ways round.
fn pairings() -> [Pairing; 2] {
    [
        (ring(), rustcrypto(), "ring client, RustCrypto server"),
        (rustcrypto(), ring(), "RustCrypto client, ring server"),
    ]
}

const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];

/// A client on `cp` that offers only `scheme`, and a server on `sp` with `key`.
fn configs(
    cp: &Arc<dyn CryptoProvider>,
    sp: &Arc<dyn CryptoProvider>,
    key: &str,
    scheme: SignatureScheme,
) -> (tls12::ClientConfig, tls12::ServerConfig) {
    let mut c = client_config_with(cp.clone());
    c.verifier = Arc::new(OnlyScheme(
        WebPkiServerVerifier::new(roots(), *cp.signature_verification()),
        scheme,
    ));
    let s = server_config_with(sp.clone(), &[key]);
    (c, s)
}

/// Data both ways after the handshake, past one record.
fn exchange(pair: &mut Pair, what: &str) {
    pair.client.write(b"ping").unwrap();
    pair.server.write(&[9u8; 20000]).unwrap();
    pair.run();
    assert_eq!(pair.s.app, b"ping", "{what}");
    assert_eq!(pair.c.app, vec![9u8; 20000], "{what}");
}

#[test]
fn every_suite_and_group_between_the_providers() {
    for (cp, sp, who) in pairings() {
        for (suite, key) in ECDHE_SUITES {
            for group in GROUPS {
                let scheme = match key {
                    "server-rsa" => SignatureScheme::RSA_PSS_RSAE_SHA256,
                    "server-p384" => SignatureScheme::ECDSA_SECP384R1_SHA384,
                    _ => SignatureScheme::ECDSA_SECP256R1_SHA256,
                };
                let (mut c, mut s) = configs(&cp, &sp, key, scheme);
                c.common.set_suites(&[suite]).unwrap();
                // RFC 8422 section 5.3: an ECDSA certificate's curve must be listed too.
                c.common.groups = vec![group, NamedGroup::SECP256R1, NamedGroup::SECP384R1];
                c.common.groups.dedup();
                s.common.groups = vec![group];
                let what = format!("{who}: {suite:?} {group:?}");
                let mut pair = Pair::new(c, s);
                pair.handshake();
                let summary = pair.client.handshake_summary().expect("complete");
                assert_eq!(summary.suite, suite, "{what}");
                assert_eq!(summary.group, Some(group), "{what}");
                exchange(&mut pair, &what);
            }
        }
    }
}

#[test]
fn every_rsa_signature_scheme_between_the_providers() {
    for (cp, sp, who) in pairings() {
        for scheme in [
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512,
            SignatureScheme::RSA_PSS_RSAE_SHA256,
            SignatureScheme::RSA_PSS_RSAE_SHA384,
            SignatureScheme::RSA_PSS_RSAE_SHA512,
        ] {
            let (c, s) = configs(&cp, &sp, "server-rsa", scheme);
            let mut pair = Pair::new(c, s);
            pair.handshake();
            let summary = pair.client.handshake_summary().expect("complete");
            assert_eq!(summary.signature_scheme, Some(scheme), "{who}");
        }
    }
}

#[test]
fn client_certificates_between_the_providers() {
    for (cp, sp, who) in pairings() {
        for client_key in ["client-rsa", "client-p256"] {
            let mut c = client_config_with(cp.clone());
            c.client_cert = Some(certified_key_with(&*cp, client_key));
            let mut s = server_config_with(sp.clone(), &["server-rsa", "server-p256"]);
            s.client_verifier = Some(Arc::new(WebPkiClientVerifier::new(
                roots(),
                *sp.signature_verification(),
                true,
            )));
            let mut pair = Pair::new(c, s);
            pair.handshake();
            let summary = pair.server.handshake_summary().expect("complete");
            assert_eq!(
                summary.peer_certificates.first(),
                Some(&cert(client_key)),
                "{who} {client_key}"
            );
            exchange(&mut pair, who);
        }
    }
}

/// A session made between the providers resumes between them, by ticket and by session
/// ID: the PRF, the ticket AEAD and the Finished computations agree.
#[test]
fn resumption_between_the_providers() {
    for (cp, sp, who) in pairings() {
        for tickets in [true, false] {
            let mut c = client_config_with(cp.clone());
            c.enable_tickets = tickets;
            let c = Arc::new(c);
            let s = Arc::new(server_config_with(sp.clone(), &["server-p256"]));
            let mut resumed = Vec::new();
            for _ in 0..2 {
                let mut pair = Pair::new((*c).clone(), (*s).clone());
                pair.handshake();
                resumed.push(pair.client.handshake_summary().expect("complete").resumed);
                exchange(&mut pair, who);
            }
            assert_eq!(resumed, [false, true], "{who}, tickets {tickets}");
        }
    }
}

/// RSA key transport: the client encrypts the pre-master to the certificate with its
/// provider, the server decrypts with its own.
#[cfg(feature = "rsa-kx")]
#[test]
fn rsa_key_transport_between_the_providers() {
    for (cp, sp, who) in pairings() {
        for suite in [
            CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
        ] {
            let mut c = client_config_with(cp.clone());
            c.common.set_suites(&[suite]).unwrap();
            let mut s = server_config_with(sp.clone(), &["server-rsa"]);
            s.common.set_suites(&[suite]).unwrap();
            let mut pair = Pair::new(c, s);
            pair.handshake();
            assert_eq!(
                pair.client.handshake_summary().expect("complete").suite,
                suite,
                "{who}"
            );
            exchange(&mut pair, who);
        }
    }
}
