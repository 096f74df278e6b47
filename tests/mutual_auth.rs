//! Mutual authentication in memory (our client and our server): the chains both sides
//! expose in `HandshakeComplete`, and the alerts for a client certificate that is not
//! trusted or whose CertificateVerify does not verify. (`tests/handshake.rs` has the basic
//! cases: both key types accepted, a required certificate missing, an optional one absent.)

mod common;

use std::sync::Arc;

use common::*;
use tls12::enums::AlertDescription;
use tls12::pki_types::{CertificateDer, PrivateKeyDer};
use tls12::verify::{RootStore, WebPkiClientVerifier};
use tls12::{CertificateError, CertifiedKey, Error, Event, HandshakeSummary};

/// The summaries in a sink's `HandshakeComplete` events.
fn completed(sink: &Sink) -> Vec<HandshakeSummary> {
    sink.events
        .iter()
        .filter_map(|e| match e {
            Event::HandshakeComplete(s) => Some((**s).clone()),
            _ => None,
        })
        .collect()
}

fn chain(name: &str) -> Vec<CertificateDer<'static>> {
    let issuer = if name.ends_with("rsa") {
        "ca-rsa"
    } else {
        "ca-ecdsa"
    };
    vec![cert(name), cert(issuer)]
}

#[test]
fn both_sides_expose_the_peer_chain_in_handshake_complete() {
    for (server_key, client_key) in [("server-rsa", "client-p256"), ("server-p256", "client-rsa")] {
        let what = format!("{server_key} / {client_key}");
        let mut c = client_config();
        c.client_cert = Some(certified_key(client_key));
        let mut pair = Pair::new(c, with_client_auth(server_config(&[server_key]), true));
        pair.handshake();

        let on_client = completed(&pair.c);
        let on_server = completed(&pair.s);
        assert_eq!((on_client.len(), on_server.len()), (1, 1), "{what}");
        // Each side sees the other's whole chain, leaf first, as it was sent.
        assert_eq!(on_client[0].peer_certificates, chain(server_key), "{what}");
        assert_eq!(on_server[0].peer_certificates, chain(client_key), "{what}");
        // The event carries the same summary the connection keeps.
        assert_eq!(
            Some(&on_client[0]),
            pair.client.handshake_summary(),
            "{what}"
        );
        assert_eq!(
            Some(&on_server[0]),
            pair.server.handshake_summary(),
            "{what}"
        );
    }

    // Without client authentication the server's summary has no chain.
    let mut c = client_config();
    c.client_cert = Some(certified_key("client-rsa"));
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.handshake();
    assert!(completed(&pair.s)[0].peer_certificates.is_empty());
    assert_eq!(completed(&pair.c)[0].peer_certificates, chain("server-rsa"));
}

#[test]
fn client_certificate_from_an_unknown_ca_is_unknown_ca_on_both_sides() {
    // The server trusts one root; the client's certificate comes from the other.
    for (trusted, client_key) in [("ca-rsa", "client-p256"), ("ca-ecdsa", "client-rsa")] {
        let roots = Arc::new(RootStore::from_certs([&cert(trusted)]).expect("root parses"));
        let mut s = server_config(&["server-rsa"]);
        s.client_verifier = Some(Arc::new(WebPkiClientVerifier::new(
            roots,
            *provider().signature_verification(),
            true,
        )));
        let mut c = client_config();
        c.client_cert = Some(certified_key(client_key));
        let mut pair = Pair::new(c, s);
        pair.run();
        assert_eq!(
            pair.s.error,
            Some(Error::Certificate(CertificateError::UnknownIssuer)),
            "{client_key}"
        );
        assert_eq!(
            pair.c.error,
            Some(Error::AlertReceived(AlertDescription::UNKNOWN_CA)),
            "{client_key}"
        );
        assert!(pair.server.handshake_summary().is_none());
        assert!(completed(&pair.s).is_empty() && completed(&pair.c).is_empty());
    }
}

/// `name`'s chain with the private key of `key_of` (a different key of the same type).
fn mismatched(name: &str, key_of: &str) -> CertifiedKey {
    let der = PrivateKeyDer::try_from(pki(&format!("{key_of}.key.der"))).expect("test key");
    let key = provider().load_private_key(der).expect("test key loads");
    CertifiedKey::new(chain(name), key).expect("non-empty chain")
}

fn assert_certificate_verify_refused(pair: &Pair, what: &str) {
    // RFC 5246 7.2.2: decrypt_error, "a handshake cryptographic operation failed, including
    // being unable to correctly verify a signature".
    assert_eq!(
        pair.s.error,
        Some(Error::Crypto {
            what: "handshake signature does not verify",
            alert: AlertDescription::DECRYPT_ERROR
        }),
        "{what}"
    );
    assert_eq!(
        pair.c.error,
        Some(Error::AlertReceived(AlertDescription::DECRYPT_ERROR)),
        "{what}"
    );
    assert!(pair.server.handshake_summary().is_none(), "{what}");
    assert!(completed(&pair.s).is_empty(), "{what}");
}

#[test]
fn certificate_verify_signed_with_the_wrong_key_is_decrypt_error() {
    // The client's chain is valid and trusted, but it signs with another key of the same
    // type: the CertificateVerify does not verify under the certificate's public key.
    for (name, key_of) in [("client-rsa", "server-rsa"), ("client-p256", "server-p256")] {
        let mut c = client_config();
        c.client_cert = Some(mismatched(name, key_of));
        let mut pair = Pair::new(c, with_client_auth(server_config(&["server-rsa"]), true));
        pair.run();
        assert_certificate_verify_refused(&pair, name);
    }
}

/// Where the handshake message of type `typ` starts in a plaintext flight (each message
/// inside one record, as this crate writes them).
fn handshake_message(flight: &[u8], typ: u8) -> Option<(usize, usize)> {
    for r in records(flight) {
        if r.typ != HANDSHAKE {
            continue;
        }
        let mut at = r.body();
        while at + 4 <= r.end() {
            let len = usize::from(flight[at + 1]) << 16
                | usize::from(flight[at + 2]) << 8
                | usize::from(flight[at + 3]);
            if flight[at] == typ {
                return Some((at, 4 + len));
            }
            at += 4 + len;
        }
    }
    None
}

const CERTIFICATE_VERIFY: u8 = 15;

#[test]
fn certificate_verify_signature_changed_in_flight_is_decrypt_error() {
    for name in ["client-rsa", "client-p256"] {
        let mut c = client_config();
        c.client_cert = Some(certified_key(name));
        let mut pair = Pair::new(c, with_client_auth(server_config(&["server-rsa"]), true));
        let mut changed = false;
        pair.run_with(|dir, _, flight| {
            if dir != Dir::ToServer {
                return;
            }
            if let Some((at, len)) = handshake_message(flight, CERTIFICATE_VERIFY) {
                // The signature's last byte.
                flight[at + len - 1] ^= 0x01;
                changed = true;
            }
        });
        assert!(
            changed,
            "{name}: no CertificateVerify in the client's flights"
        );
        assert_certificate_verify_refused(&pair, name);
    }
}

/// This suite runs on the provider `TLS12_PROVIDER` names (`tests/common`).
#[test]
fn runs_on_the_provider_named_by_tls12_provider() {
    assert_is_the_named_provider(&*provider());
}
