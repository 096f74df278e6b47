//! Full handshakes between this crate's client and server, in memory.

mod common;

use std::sync::Arc;

use common::*;
use tls12::enums::{AlertDescription, CipherSuite, NamedGroup, SignatureScheme};
use tls12::pki_types::{ServerName, UnixTime};
use tls12::verify::WebPkiServerVerifier;
use tls12::{Error, Event};

fn only_scheme(scheme: SignatureScheme) -> Arc<OnlyScheme> {
    let p = provider();
    Arc::new(OnlyScheme(
        WebPkiServerVerifier::new(roots(), *p.signature_verification()),
        scheme,
    ))
}

/// The suites run on the provider `TLS12_PROVIDER` names, and so do the configurations
/// and keys they build.
#[test]
fn runs_on_the_provider_named_by_tls12_provider() {
    assert_is_the_named_provider(&*provider());
    let c = client_config();
    assert_is_the_named_provider(&*c.common.provider);
    let s = server_config(&["server-p256"]);
    assert_is_the_named_provider(&*s.common.provider);
    let mut pair = Pair::new(c, s);
    pair.handshake();
}

const RSA_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];
const ECDSA_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
];
const GROUPS: [NamedGroup; 3] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
];
const RSA_SCHEMES: [SignatureScheme; 6] = [
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
];

fn handshake_and_exchange(
    suite: CipherSuite,
    group: NamedGroup,
    scheme: SignatureScheme,
    key: &str,
) {
    let mut c = client_config();
    c.verifier = only_scheme(scheme);
    c.common.set_suites(&[suite]).unwrap();
    c.common.groups = vec![group];
    // RFC 8422 section 5.3: the client must also list an ECDSA certificate's curve; the
    // server offers only `group` for ECDHE, so that is still the one used.
    let cert_curve = match key {
        "server-p256" => Some(NamedGroup::SECP256R1),
        "server-p384" => Some(NamedGroup::SECP384R1),
        _ => None,
    };
    c.common.groups.extend(cert_curve.filter(|&g| g != group));
    let mut s = server_config(
        &["server-rsa", "server-p256", "server-p384"].map(|k| if k == key { k } else { key }),
    );
    s.common.groups = vec![group];
    let mut pair = Pair::new(c, s);
    pair.handshake();
    let summary = pair
        .client
        .handshake_summary()
        .expect("client summary")
        .clone();
    assert_eq!(summary.suite, suite, "{suite:?}");
    assert_eq!(summary.group, Some(group));
    assert_eq!(summary.signature_scheme, Some(scheme));
    assert!(summary.extended_master_secret);
    assert!(!summary.resumed);
    assert_eq!(summary.peer_certificates[0], cert(key));
    let ssum = pair.server.handshake_summary().expect("server summary");
    assert_eq!(ssum.suite, suite);
    assert_eq!(ssum.server_name.as_deref(), Some("testserver.tls12.test"));
    assert_eq!(ssum.client_random, summary.client_random);

    pair.client.write(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    pair.server.write(&[7u8; 40000]).unwrap();
    pair.run();
    assert_eq!(pair.s.app, b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(pair.c.app, vec![7u8; 40000]);
}

#[test]
fn every_rsa_suite_group_and_scheme() {
    for suite in RSA_SUITES {
        for group in GROUPS {
            for scheme in RSA_SCHEMES {
                handshake_and_exchange(suite, group, scheme, "server-rsa");
            }
        }
    }
}

#[test]
fn every_ecdsa_suite_group_and_scheme() {
    for suite in ECDSA_SUITES {
        for group in GROUPS {
            handshake_and_exchange(
                suite,
                group,
                SignatureScheme::ECDSA_SECP256R1_SHA256,
                "server-p256",
            );
            handshake_and_exchange(
                suite,
                group,
                SignatureScheme::ECDSA_SECP384R1_SHA384,
                "server-p384",
            );
        }
    }
}

#[test]
fn server_with_two_certificates_picks_by_client_suites() {
    for (suite, expect) in [
        (
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "server-rsa",
        ),
        (
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "server-p256",
        ),
    ] {
        let mut c = client_config();
        c.common.set_suites(&[suite]).unwrap();
        let mut pair = Pair::new(c, server_config(&["server-rsa", "server-p256"]));
        pair.handshake();
        assert_eq!(
            pair.client.handshake_summary().unwrap().peer_certificates[0],
            cert(expect)
        );
    }
}

#[test]
fn server_preference_decides_unless_told_to_honour_the_client() {
    let mut c = client_config();
    c.common
        .set_suites(&[
            CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ])
        .unwrap();
    let mut pair = Pair::new(c.clone(), server_config(&["server-rsa"]));
    pair.handshake();
    assert_eq!(
        pair.client.handshake_summary().unwrap().suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );

    let mut s = server_config(&["server-rsa"]);
    s.honour_client_order = true;
    let mut pair = Pair::new(c, s);
    pair.handshake();
    assert_eq!(
        pair.client.handshake_summary().unwrap().suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    );
}

#[test]
fn alpn_is_negotiated_and_a_mismatch_is_no_application_protocol() {
    let mut c = client_config();
    c.common.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let mut s = server_config(&["server-rsa"]);
    s.common.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut pair = Pair::new(c.clone(), s);
    pair.handshake();
    assert_eq!(
        pair.client.handshake_summary().unwrap().alpn.as_deref(),
        Some(&b"http/1.1"[..])
    );
    assert_eq!(
        pair.server.handshake_summary().unwrap().alpn.as_deref(),
        Some(&b"http/1.1"[..])
    );

    let mut s = server_config(&["server-rsa"]);
    s.common.alpn_protocols = vec![b"spdy/3".to_vec()];
    let mut pair = Pair::new(c, s);
    pair.run();
    assert_eq!(
        pair.s.error.as_ref().and_then(|e| e.alert()),
        Some(AlertDescription::NO_APPLICATION_PROTOCOL)
    );
    assert_eq!(
        pair.c.error,
        Some(Error::AlertReceived(
            AlertDescription::NO_APPLICATION_PROTOCOL
        ))
    );
}

#[test]
fn no_common_suite_is_handshake_failure() {
    let mut c = client_config();
    c.common
        .set_suites(&[CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256])
        .unwrap();
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.run();
    assert_eq!(
        pair.s.error.as_ref().and_then(|e| e.alert()),
        Some(AlertDescription::HANDSHAKE_FAILURE)
    );
    assert_eq!(
        pair.c.error,
        Some(Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE))
    );
}

#[test]
fn untrusted_or_misnamed_certificate_is_refused() {
    // Only the ECDSA root is trusted: the RSA chain is unknown_ca.
    let p = provider();
    let only_ecdsa = Arc::new(tls12::verify::RootStore::from_certs([&cert("ca-ecdsa")]).unwrap());
    let mut c = client_config();
    c.verifier = Arc::new(WebPkiServerVerifier::new(
        only_ecdsa,
        *p.signature_verification(),
    ));
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.run();
    assert_eq!(
        pair.c.error.as_ref().and_then(|e| e.alert()),
        Some(AlertDescription::UNKNOWN_CA)
    );
    assert_eq!(
        pair.s.error,
        Some(Error::AlertReceived(AlertDescription::UNKNOWN_CA))
    );

    // A name the certificate does not cover.
    let client = tls12::ClientConnection::new(
        Arc::new(client_config()),
        ServerName::try_from("example.com").unwrap(),
    )
    .unwrap();
    let server = tls12::ServerConnection::new(Arc::new(server_config(&["server-rsa"]))).unwrap();
    let mut pair = Pair {
        client,
        server,
        c: Sink::default(),
        s: Sink::default(),
        flights: 0,
    };
    pair.run();
    assert!(
        matches!(
            pair.c.error,
            Some(Error::Certificate(tls12::CertificateError::NotValidForName))
        ),
        "{:?}",
        pair.c.error
    );
}

#[test]
fn expired_certificate_is_refused() {
    let mut c = client_config();
    c.common.time = Arc::new(tls12::config::FixedTime(UnixTime::since_unix_epoch(
        std::time::Duration::from_secs(2_600_000_000),
    )));
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.run();
    assert_eq!(
        pair.c.error.as_ref().and_then(|e| e.alert()),
        Some(AlertDescription::CERTIFICATE_EXPIRED)
    );
}

#[test]
fn application_data_written_early_is_queued_and_delivered() {
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    assert_eq!(pair.client.write(b"early bird").unwrap(), 10);
    pair.handshake();
    assert_eq!(pair.s.app, b"early bird");
}

/// Nothing written is dropped: a close before the handshake completes sends its
/// close_notify after the data written before it, once the handshake completes; further
/// writes are refused.
#[test]
fn close_before_the_handshake_completes_keeps_the_data_written_before_it() {
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    assert_eq!(pair.client.write(b"last words").unwrap(), 10);
    pair.client.close().unwrap();
    pair.client.close().unwrap();
    assert_eq!(
        pair.client.write(b"more"),
        Err(Error::Api("write after close"))
    );
    pair.handshake();
    assert_eq!(pair.s.app, b"last words");
    assert!(pair.server.peer_closed(), "close_notify followed the data");
    // With nothing queued, close sends close_notify at once, even mid-handshake, and
    // nothing follows it: the client answers the server's flight with nothing.
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    pair.client.close().unwrap();
    let mut to_server = 0;
    pair.run_with(|dir, _, flight| {
        if dir == Dir::ToServer {
            to_server += 1;
            // The ClientHello, then the close_notify alert record.
            let types: Vec<u8> = common::records(flight).iter().map(|r| r.typ).collect();
            assert_eq!(types, [22, 21]);
        }
    });
    assert_eq!(to_server, 1, "nothing after close_notify");
    assert!(pair.server.peer_closed(), "{:?}", pair.s.error);
    assert!(pair.client.is_handshaking());

    // Both close mid-handshake, one with data queued (found by the `api` fuzz target): the
    // handshake cannot complete, so the queued data cannot go, but the close_notify that
    // waited for it goes out when the peer's arrives; neither side is left without one.
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    common::pump(&mut pair.client, &[], &mut pair.c);
    pair.server.write(b"never sent").unwrap();
    pair.server.close().unwrap();
    pair.client.close().unwrap();
    pair.run();
    assert_eq!((&pair.c.error, &pair.s.error), (&None, &None));
    assert!(pair.server.peer_closed());
    assert!(
        pair.client.peer_closed(),
        "the server's close_notify was sent"
    );
    assert!(pair.c.app.is_empty());

    // The same when the peer's close_notify arrived before our close (also found by the
    // `api` target).
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    pair.client.close().unwrap();
    pair.server.write(b"never sent").unwrap();
    pair.run();
    assert!(pair.server.peer_closed());
    pair.server.close().unwrap();
    assert!(pair.server.wants_transmit(), "close_notify at once");
    common::pump(&mut pair.server, &[], &mut pair.s);
    pair.run();
    assert_eq!((&pair.c.error, &pair.s.error), (&None, &None));
    assert!(
        pair.client.peer_closed(),
        "the server's close_notify was sent"
    );
}

#[test]
fn early_queue_is_bounded() {
    let mut c = client_config();
    c.common.max_early_plaintext = 8;
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    assert_eq!(pair.client.write(b"0123456789").unwrap(), 8);
    assert_eq!(pair.client.write(b"x").unwrap(), 0);
}

#[test]
fn close_notify_both_ways_and_truncation_is_detected() {
    let mut pair = Pair::new(client_config(), server_config(&["server-rsa"]));
    pair.handshake();
    pair.client.write(b"bye").unwrap();
    pair.client.close().unwrap();
    assert_eq!(
        pair.client.write(b"more"),
        Err(Error::Api("write after close"))
    );
    pair.run();
    assert_eq!(pair.s.app, b"bye");
    assert!(pair.s.events.contains(&Event::PeerClosed));
    assert!(pair.server.peer_closed());
    assert_eq!(pair.server.handle_eof(), Ok(()));
    // The client never got the server's close_notify: EOF now is a truncation.
    assert_eq!(pair.client.handle_eof(), Err(Error::UnexpectedEof));
}

#[test]
fn handshake_completes_events_and_message_events() {
    let mut c = client_config();
    c.common.message_events = true;
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.handshake();
    let sent = pair.c.sent();
    use tls12::enums::HandshakeType as H;
    assert_eq!(sent, [H::CLIENT_HELLO, H::CLIENT_KEY_EXCHANGE, H::FINISHED]);
    let received = pair.c.received();
    assert_eq!(
        received,
        [
            H::SERVER_HELLO,
            H::CERTIFICATE,
            H::SERVER_KEY_EXCHANGE,
            H::SERVER_HELLO_DONE,
            H::NEW_SESSION_TICKET,
            H::FINISHED
        ]
    );
    assert!(
        pair.c
            .events
            .iter()
            .any(|e| matches!(e, Event::HandshakeComplete(_)))
    );
    assert!(
        pair.s
            .events
            .iter()
            .any(|e| matches!(e, Event::HandshakeComplete(_)))
    );
    assert!(pair.c.events.contains(&Event::ChangeCipherSpecSent));
    assert!(pair.c.events.contains(&Event::ChangeCipherSpecReceived));
}

#[test]
fn key_log_gets_one_client_random_line_per_side() {
    let log = Arc::new(tls12::crypto::keylog::KeyLogBuffer::new());
    let mut c = client_config();
    c.common.key_log = Some(log.clone());
    let mut s = server_config(&["server-rsa"]);
    let slog = Arc::new(tls12::crypto::keylog::KeyLogBuffer::new());
    s.common.key_log = Some(slog.clone());
    let mut pair = Pair::new(c, s);
    pair.handshake();
    let cr = hex::encode(pair.client.handshake_summary().unwrap().client_random);
    let line = log.contents();
    assert!(line.starts_with(&format!("CLIENT_RANDOM {cr} ")), "{line}");
    assert_eq!(line.lines().count(), 1);
    assert_eq!(
        line,
        slog.contents(),
        "both sides log the same master secret"
    );
}

/// Moves everything `from` has queued into `to`.
fn flight(from: &mut Sink, to: &mut tls12::Connection, to_sink: &mut Sink) {
    let bytes = std::mem::take(&mut from.tx);
    pump(to, &bytes, to_sink);
}

#[test]
fn false_start_sends_data_before_the_server_finished() {
    for false_start in [false, true] {
        let mut c = client_config();
        c.false_start = false_start;
        let mut pair = Pair::new(c, server_config(&["server-rsa"]));
        pair.client.write(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        pump(&mut pair.client, &[], &mut pair.c);
        flight(&mut pair.c, &mut pair.server, &mut pair.s); // ClientHello
        flight(&mut pair.s, &mut pair.client, &mut pair.c); // ServerHello .. ServerHelloDone
        flight(&mut pair.c, &mut pair.server, &mut pair.s); // CKE, CCS, Finished (+ data)
        assert!(
            pair.client.is_handshaking(),
            "client has not seen the server Finished yet"
        );
        let expect: &[u8] = if false_start {
            b"GET / HTTP/1.1\r\n\r\n"
        } else {
            b""
        };
        assert_eq!(pair.s.app, expect, "false_start = {false_start}");
        pair.run();
        assert_eq!(pair.s.app, b"GET / HTTP/1.1\r\n\r\n");
        assert!(!pair.client.is_handshaking());
    }
}

#[test]
fn rsa_key_exchange_both_suites() {
    for suite in [
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
    ] {
        let mut c = client_config();
        c.common.set_suites(&[suite]).unwrap();
        let mut s = server_config(&["server-rsa"]);
        s.common.set_suites(&[suite]).unwrap();
        let mut pair = Pair::new(c, s);
        pair.client.write(b"ping").unwrap();
        pair.handshake();
        let sum = pair.client.handshake_summary().unwrap();
        assert_eq!(sum.suite, suite);
        assert_eq!(sum.group, None);
        assert_eq!(sum.signature_scheme, None);
        assert_eq!(pair.s.app, b"ping");
    }
}

#[test]
fn rsa_key_exchange_is_off_by_default() {
    let mut c = client_config();
    c.common
        .set_suites(&[CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256])
        .unwrap();
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.run();
    assert_eq!(
        pair.s.error.as_ref().and_then(|e| e.alert()),
        Some(AlertDescription::HANDSHAKE_FAILURE)
    );
}

#[test]
fn mutual_authentication_rsa_and_ecdsa_client_certificates() {
    for key in ["client-rsa", "client-p256"] {
        let mut c = client_config();
        c.client_cert = Some(certified_key(key));
        let mut pair = Pair::new(c, with_client_auth(server_config(&["server-rsa"]), true));
        pair.handshake();
        assert_eq!(
            pair.server.handshake_summary().unwrap().peer_certificates[0],
            cert(key)
        );
    }
}

#[test]
fn required_client_certificate_missing_is_handshake_failure() {
    let mut pair = Pair::new(
        client_config(),
        with_client_auth(server_config(&["server-rsa"]), true),
    );
    pair.run();
    assert_eq!(
        pair.s.error.as_ref().and_then(|e| e.alert()),
        Some(AlertDescription::HANDSHAKE_FAILURE)
    );
    assert_eq!(
        pair.c.error,
        Some(Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE))
    );
}

#[test]
fn optional_client_certificate_may_be_absent() {
    let mut pair = Pair::new(
        client_config(),
        with_client_auth(server_config(&["server-rsa"]), false),
    );
    pair.handshake();
    assert!(
        pair.server
            .handshake_summary()
            .unwrap()
            .peer_certificates
            .is_empty()
    );
}

#[test]
fn client_certificate_from_an_untrusted_issuer_is_unknown_ca() {
    // The server trusts only the RSA root; the client presents the ECDSA-rooted certificate.
    let p = provider();
    let rsa_only = Arc::new(tls12::verify::RootStore::from_certs([&cert("ca-rsa")]).unwrap());
    let mut s = server_config(&["server-rsa"]);
    s.client_verifier = Some(Arc::new(tls12::verify::WebPkiClientVerifier::new(
        rsa_only,
        *p.signature_verification(),
        true,
    )));
    let mut c = client_config();
    c.client_cert = Some(certified_key("client-p256"));
    let mut pair = Pair::new(c, s);
    pair.run();
    assert_eq!(
        pair.s.error.as_ref().and_then(|e| e.alert()),
        Some(AlertDescription::UNKNOWN_CA)
    );
}

#[test]
fn sni_picks_the_certificate_through_a_resolver() {
    #[derive(Debug)]
    struct BySni {
        rsa: Vec<tls12::CertifiedKey>,
        ecdsa: Vec<tls12::CertifiedKey>,
    }
    impl tls12::config::ResolvesServerCert for BySni {
        fn resolve(&self, name: Option<&str>) -> &[tls12::CertifiedKey] {
            match name {
                Some("testserver.tls12.test") => &self.ecdsa,
                Some(_) => &self.rsa,
                None => &[],
            }
        }
    }
    let mut s = server_config(&[]);
    s.cert_resolver = Some(Arc::new(BySni {
        rsa: vec![certified_key("server-rsa")],
        ecdsa: vec![certified_key("server-p256")],
    }));
    let mut pair = Pair::new(client_config(), s.clone());
    pair.handshake();
    assert_eq!(
        pair.client.handshake_summary().unwrap().peer_certificates[0],
        cert("server-p256")
    );

    let client = tls12::ClientConnection::new(
        Arc::new(client_config()),
        ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let server = tls12::ServerConnection::new(Arc::new(s)).unwrap();
    let mut pair = Pair {
        client,
        server,
        c: Sink::default(),
        s: Sink::default(),
        flights: 0,
    };
    pair.handshake();
    assert_eq!(
        pair.client.handshake_summary().unwrap().peer_certificates[0],
        cert("server-rsa")
    );
    assert_eq!(
        pair.server
            .handshake_summary()
            .unwrap()
            .server_name
            .as_deref(),
        Some("localhost")
    );
}

/// A custom verifier's own error type travels as the source of the connection's error
/// (`CertificateError::Other`), with its alert bad_certificate and a readable message.
#[test]
fn a_custom_verifiers_error_is_the_source_of_the_connection_error() {
    use std::error::Error as _;
    use tls12::pki_types::CertificateDer;
    use tls12::verify::ServerCertVerifier;
    use tls12::{CertificateError, OtherError};

    #[derive(Debug)]
    struct Pinned;
    impl std::fmt::Display for Pinned {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("key not pinned")
        }
    }
    impl std::error::Error for Pinned {}

    #[derive(Debug)]
    struct PinningVerifier(Arc<dyn ServerCertVerifier>);
    impl ServerCertVerifier for PinningVerifier {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: UnixTime,
        ) -> Result<(), Error> {
            Err(Error::Certificate(CertificateError::Other(
                OtherError::new(Pinned),
            )))
        }
        fn verify_signature(
            &self,
            m: &[u8],
            c: &CertificateDer<'_>,
            s: SignatureScheme,
            sig: &[u8],
        ) -> Result<(), Error> {
            self.0.verify_signature(m, c, s, sig)
        }
        fn supported_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_schemes()
        }
    }

    let mut c = client_config();
    c.verifier = Arc::new(PinningVerifier(c.verifier.clone()));
    let mut pair = Pair::new(c, server_config(&["server-rsa"]));
    pair.run();
    let err = pair.c.error.clone().expect("refused");
    assert_eq!(err.alert(), Some(AlertDescription::BAD_CERTIFICATE));
    assert_eq!(err.to_string(), "certificate rejected: key not pinned");
    let cert_err = err.source().expect("the certificate error");
    let pinned = cert_err.source().expect("the verifier's error");
    assert!(pinned.downcast_ref::<Pinned>().is_some());
}
