//! Interoperability with rustls 0.23 (TLS 1.2 only), in process: bytes are shuttled in
//! memory between a rustls connection and one of ours.
//!
//! For each of the six ECDHE suites and both directions: the handshake completes with the
//! suite and the certificate of the matching type, ALPN is agreed on both sides, the
//! extended master secret is used (required on both sides), application data larger than a
//! record travels both ways intact, and close_notify is seen as a clean close both ways.
//! Mutual authentication both ways: the chains each side sees, and the refusals (no
//! certificate, an untrusted one).

mod common;

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use tls12::enums::{AlertDescription, CipherSuite, NamedGroup};
use tls12::{ClientConnection, Connection, Error, Event, ServerConnection};

/// rustls's clock, fixed at the time the rest of the tests use.
#[derive(Debug)]
struct FixedClock;

impl rustls::time_provider::TimeProvider for FixedClock {
    fn current_time(&self) -> Option<UnixTime> {
        Some(UnixTime::since_unix_epoch(Duration::from_secs(TEST_TIME)))
    }
}

/// rustls's ring provider restricted to one suite.
fn rustls_provider(suite: CipherSuite) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = rustls::crypto::ring::default_provider();
    p.cipher_suites.retain(|s| u16::from(s.suite()) == suite.0);
    assert_eq!(p.cipher_suites.len(), 1, "rustls implements {suite:?}");
    Arc::new(p)
}

fn rustls_client(suite: CipherSuite, alpn: &[&[u8]]) -> rustls::ClientConnection {
    let mut roots = rustls::RootCertStore::empty();
    for ca in ["ca-rsa", "ca-ecdsa"] {
        roots
            .add(CertificateDer::from(pki(&format!("{ca}.crt.der"))))
            .expect("test root parses");
    }
    let mut config = rustls::ClientConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2 with this provider")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config.require_ems = true;
    config.time_provider = Arc::new(FixedClock);
    let name = rustls::pki_types::ServerName::try_from("testserver.tls12.test").expect("name");
    rustls::ClientConnection::new(Arc::new(config), name).expect("rustls client")
}

fn rustls_server(suite: CipherSuite, key: &str, alpn: &[&[u8]]) -> rustls::ServerConnection {
    let issuer = if key.ends_with("rsa") {
        "ca-rsa"
    } else {
        "ca-ecdsa"
    };
    let chain = vec![
        CertificateDer::from(pki(&format!("{key}.crt.der"))),
        CertificateDer::from(pki(&format!("{issuer}.crt.der"))),
    ];
    let private = PrivateKeyDer::try_from(pki(&format!("{key}.key.der"))).expect("test key");
    let mut config = rustls::ServerConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2 with this provider")
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .expect("rustls accepts the test certificate");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    config.require_ems = true;
    config.time_provider = Arc::new(FixedClock);
    rustls::ServerConnection::new(Arc::new(config)).expect("rustls server")
}

/// A rustls endpoint and what it received.
struct Peer {
    conn: rustls::Connection,
    app: Vec<u8>,
    /// `process_new_packets` reported the peer's close_notify.
    peer_closed: bool,
    /// The plaintext reader reported a clean end (`Ok(0)`).
    clean_eof: bool,
    error: Option<rustls::Error>,
}

impl Peer {
    fn new(conn: impl Into<rustls::Connection>) -> Self {
        let mut conn = conn.into();
        // The test writes more than rustls's default 64 KiB send buffer in one go.
        conn.set_buffer_limit(None);
        Self {
            conn,
            app: Vec::new(),
            peer_closed: false,
            clean_eof: false,
            error: None,
        }
    }

    /// Feeds bytes from our side, processing and reading plaintext as it goes.
    fn feed(&mut self, mut input: &[u8]) {
        while !input.is_empty() && self.error.is_none() {
            let n = self.conn.read_tls(&mut input).expect("rustls read_tls");
            assert!(n > 0, "rustls took nothing");
            match self.conn.process_new_packets() {
                Ok(state) => self.peer_closed |= state.peer_has_closed(),
                Err(e) => self.error = Some(e),
            }
            let mut buf = [0u8; 4096];
            loop {
                match self.conn.reader().read(&mut buf) {
                    Ok(0) => {
                        self.clean_eof = true;
                        break;
                    }
                    Ok(n) => self.app.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("rustls reader: {e}"),
                }
            }
        }
    }

    /// What rustls wants to send.
    fn take_tx(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.conn.wants_write() {
            self.conn.write_tls(&mut out).expect("write into a Vec");
        }
        out
    }
}

/// Moves bytes both ways until neither side has anything to send.
fn shuttle(ours: &mut Connection, sink: &mut Sink, peer: &mut Peer) {
    for _ in 0..50 {
        pump(ours, &[], sink);
        let to_peer = std::mem::take(&mut sink.tx);
        let to_ours = peer.take_tx();
        if to_peer.is_empty() && to_ours.is_empty() {
            return;
        }
        if !to_peer.is_empty() {
            peer.feed(&to_peer);
        }
        if !to_ours.is_empty() {
            pump(ours, &to_ours, sink);
        }
    }
    panic!("did not settle in 50 rounds");
}

fn assert_no_errors(sink: &Sink, peer: &Peer, what: &str) {
    assert!(sink.error.is_none(), "{what}: ours: {:?}", sink.error);
    assert!(peer.error.is_none(), "{what}: rustls: {:?}", peer.error);
}

/// Data that is not the same byte repeated, so that reordering would show.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Checks what both sides agreed on after the handshake.
fn assert_negotiated(ours: &Connection, peer: &Peer, suite: CipherSuite, what: &str) {
    assert!(!ours.is_handshaking(), "{what}: ours still handshaking");
    assert!(
        !peer.conn.is_handshaking(),
        "{what}: rustls still handshaking"
    );
    let summary = ours.handshake_summary().expect("summary");
    assert_eq!(summary.suite, suite, "{what}");
    assert_eq!(summary.alpn.as_deref(), Some(&b"http/1.1"[..]), "{what}");
    assert!(summary.extended_master_secret, "{what}: EMS");
    // rustls prefers x25519.
    assert_eq!(summary.group, Some(NamedGroup::X25519), "{what}");
    assert_eq!(
        peer.conn
            .negotiated_cipher_suite()
            .map(|s| u16::from(s.suite())),
        Some(suite.0),
        "{what}"
    );
    assert_eq!(
        peer.conn.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
    assert_eq!(peer.conn.alpn_protocol(), Some(&b"http/1.1"[..]), "{what}");
    assert_eq!(
        peer.conn.handshake_kind(),
        Some(rustls::HandshakeKind::Full),
        "{what}"
    );
}

#[test]
fn our_client_with_rustls_server() {
    for (suite, key) in ECDHE_SUITES {
        let what = format!("{suite:?} with {key}");
        let mut c = client_config();
        c.common.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        c.common.require_ems = true;
        let mut ours = ClientConnection::new(Arc::new(c), server_name()).expect("client");
        let mut sink = Sink::default();
        // rustls picks by its own preference: http/1.1, our second choice.
        let mut peer = Peer::new(rustls_server(suite, key, &[b"http/1.1", b"h2"]));

        // Written before the handshake: queued and sent once it completes.
        ours.write(b"early").unwrap();
        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, &what);
        assert_negotiated(&ours, &peer, suite, &what);
        let summary = ours.handshake_summary().unwrap();
        assert_eq!(summary.peer_certificates[0], cert(key), "{what}");
        assert!(
            sink.events
                .iter()
                .any(|e| matches!(e, Event::HandshakeComplete(_)))
        );

        // Application data both ways, over several records.
        let up = pattern(40_000, 1);
        let down = pattern(70_000, 2);
        ours.write(&up).unwrap();
        peer.conn.writer().write_all(&down).unwrap();
        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, &what);
        assert_eq!(peer.app.len(), 5 + up.len(), "{what}");
        assert_eq!(&peer.app[..5], b"early");
        assert!(peer.app[5..] == up[..], "{what}: data to rustls");
        assert!(sink.app == down, "{what}: data from rustls");

        // We close first; rustls sees a clean close, then answers with its own.
        ours.close().unwrap();
        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, &what);
        assert!(
            peer.peer_closed && peer.clean_eof,
            "{what}: rustls saw close"
        );
        assert!(!ours.peer_closed());
        peer.conn.send_close_notify();
        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, &what);
        assert!(sink.events.contains(&Event::PeerClosed), "{what}");
        assert!(ours.peer_closed());
        assert_eq!(ours.handle_eof(), Ok(()), "{what}: clean EOF");
    }
}

#[test]
fn rustls_client_with_our_server() {
    for (suite, key) in ECDHE_SUITES {
        let what = format!("{suite:?} with {key}");
        // Both key types: the server must pick the certificate from the one suite offered.
        let mut s = server_config(&["server-rsa", key]);
        s.common.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
        s.common.require_ems = true;
        let mut ours = ServerConnection::new(Arc::new(s)).expect("server");
        let mut sink = Sink::default();
        // We pick by our own preference: http/1.1, rustls's second choice.
        let mut peer = Peer::new(rustls_client(suite, &[b"h2", b"http/1.1"]));

        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, &what);
        assert_negotiated(&ours, &peer, suite, &what);
        let summary = ours.handshake_summary().unwrap();
        assert_eq!(
            summary.server_name.as_deref(),
            Some("testserver.tls12.test")
        );
        assert!(summary.peer_certificates.is_empty(), "no client auth");
        let presented = peer.conn.peer_certificates().expect("server chain");
        assert_eq!(presented[0].as_ref(), cert(key).as_ref(), "{what}");

        let up = pattern(50_000, 3);
        let down = pattern(33_000, 4);
        peer.conn.writer().write_all(&up).unwrap();
        ours.write(&down).unwrap();
        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, &what);
        assert!(sink.app == up, "{what}: data from rustls");
        assert!(peer.app == down, "{what}: data to rustls");

        // rustls closes first this time.
        peer.conn.send_close_notify();
        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, &what);
        assert!(sink.events.contains(&Event::PeerClosed), "{what}");
        assert!(ours.peer_closed());
        assert_eq!(ours.handle_eof(), Ok(()), "{what}: clean EOF");
        assert!(!peer.peer_closed);
        ours.close().unwrap();
        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, &what);
        assert!(
            peer.peer_closed && peer.clean_eof,
            "{what}: rustls saw close"
        );
    }
}

#[test]
fn alpn_mismatch_with_rustls_is_no_application_protocol_both_ways() {
    let suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;

    // Our client, rustls server: rustls refuses, we receive its alert.
    let mut c = client_config();
    c.common.alpn_protocols = vec![b"h2".to_vec()];
    let mut ours = ClientConnection::new(Arc::new(c), server_name()).unwrap();
    let mut sink = Sink::default();
    let mut peer = Peer::new(rustls_server(suite, "server-rsa", &[b"http/1.1"]));
    shuttle(&mut ours, &mut sink, &mut peer);
    assert!(peer.error.is_some(), "rustls refused");
    assert_eq!(
        sink.error,
        Some(Error::AlertReceived(
            AlertDescription::NO_APPLICATION_PROTOCOL
        ))
    );

    // rustls client, our server: we refuse, rustls receives our alert.
    let mut s = server_config(&["server-rsa"]);
    s.common.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut ours = ServerConnection::new(Arc::new(s)).unwrap();
    let mut sink = Sink::default();
    let mut peer = Peer::new(rustls_client(suite, &[b"h2"]));
    shuttle(&mut ours, &mut sink, &mut peer);
    assert_eq!(
        sink.error.as_ref().and_then(Error::alert),
        Some(AlertDescription::NO_APPLICATION_PROTOCOL)
    );
    assert_eq!(
        peer.error,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::NoApplicationProtocol
        ))
    );
}

// ---------------------------------------------------------------------------------------
// Session resumption with rustls, both ways: session IDs and tickets.

const RESUME_SUITE: CipherSuite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;

/// A rustls server configuration (kept across connections: its session cache and
/// ticketer live in it), with tickets if `tickets`.
fn rustls_resuming_server(tickets: bool) -> Arc<rustls::ServerConfig> {
    let chain = vec![cert("server-rsa"), cert("ca-rsa")];
    let private = PrivateKeyDer::try_from(pki("server-rsa.key.der")).expect("test key");
    let mut config = rustls::ServerConfig::builder_with_provider(rustls_provider(RESUME_SUITE))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2 with this provider")
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .expect("rustls accepts the test certificate");
    config.time_provider = Arc::new(FixedClock);
    if tickets {
        config.ticketer = rustls::crypto::ring::Ticketer::new().expect("ticketer");
    }
    Arc::new(config)
}

/// A rustls client configuration (its session store lives in it).
fn rustls_resuming_client(tickets: bool) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert("ca-rsa")).expect("test root parses");
    let mut config = rustls::ClientConfig::builder_with_provider(rustls_provider(RESUME_SUITE))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2 with this provider")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.time_provider = Arc::new(FixedClock);
    if !tickets {
        config.resumption = rustls::client::Resumption::default()
            .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOnly);
    }
    Arc::new(config)
}

/// One connection with data both ways; returns whether our side and rustls resumed.
fn resumption_round(ours: &mut Connection, peer: &mut Peer) -> (bool, bool) {
    let mut sink = Sink::default();
    ours.write(b"ping").unwrap();
    peer.conn.writer().write_all(b"pong").unwrap();
    shuttle(ours, &mut sink, peer);
    assert_no_errors(&sink, peer, "resumption");
    assert_eq!(peer.app, b"ping");
    assert_eq!(sink.app, b"pong");
    let summary = ours.handshake_summary().expect("handshake done");
    assert_eq!(summary.suite, RESUME_SUITE);
    let peer_resumed = peer.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
    (summary.resumed, peer_resumed)
}

#[test]
fn our_client_resumes_with_rustls_server_by_session_id_and_ticket() {
    for tickets in [false, true] {
        let server = rustls_resuming_server(tickets);
        let c = Arc::new(client_config());
        let mut kinds = Vec::new();
        for _ in 0..3 {
            let mut ours = ClientConnection::new(c.clone(), server_name()).expect("client");
            let mut peer = Peer::new(rustls::ServerConnection::new(server.clone()).unwrap());
            kinds.push(resumption_round(&mut ours, &mut peer));
        }
        assert_eq!(
            kinds,
            [(false, false), (true, true), (true, true)],
            "tickets: {tickets}"
        );
        let stored = c
            .session_store
            .as_ref()
            .unwrap()
            .get("testserver.tls12.test");
        assert_eq!(
            stored.map(|s| !s.ticket().is_empty()),
            Some(tickets),
            "a ticket is kept exactly when rustls issues them"
        );
    }
}

#[test]
fn rustls_client_resumes_with_our_server_by_session_id_and_ticket() {
    // (rustls client uses tickets, our ticketer on, our cache on, resumes)
    for (client_tickets, our_tickets, our_cache, resumes) in [
        (true, true, true, true),
        (false, true, true, true),
        (true, false, true, true),
        (true, true, false, true),
        // Session IDs only, and we cache nothing: nothing to resume.
        (false, true, false, false),
    ] {
        let what =
            format!("client tickets {client_tickets}, ours {our_tickets}, cache {our_cache}");
        let mut s = server_config(&["server-rsa"]);
        if !our_tickets {
            s.ticketer = None;
        }
        if !our_cache {
            s.session_cache = None;
        }
        let s = Arc::new(s);
        let client = rustls_resuming_client(client_tickets);
        let mut kinds = Vec::new();
        for _ in 0..3 {
            let mut ours = ServerConnection::new(s.clone()).expect("server");
            let name = rustls::pki_types::ServerName::try_from("testserver.tls12.test").unwrap();
            let mut peer = Peer::new(rustls::ClientConnection::new(client.clone(), name).unwrap());
            kinds.push(resumption_round(&mut ours, &mut peer));
        }
        let r = (resumes, resumes);
        assert_eq!(kinds, [(false, false), r, r], "{what}");
    }
}

// ---------------------------------------------------------------------------------------
// Mutual authentication with rustls, both ways.

/// The test root that issued `name` (`ca-rsa` or `ca-ecdsa`).
fn issuer(name: &str) -> &'static str {
    if name.ends_with("rsa") {
        "ca-rsa"
    } else {
        "ca-ecdsa"
    }
}

/// `name`'s chain (leaf, root) and key, as rustls takes them.
fn rustls_identity(name: &str) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let chain = vec![cert(name), cert(issuer(name))];
    let key = PrivateKeyDer::try_from(pki(&format!("{name}.key.der"))).expect("test key");
    (chain, key)
}

/// A root store with the given test roots.
fn rustls_roots(cas: &[&str]) -> Arc<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    for ca in cas {
        roots.add(cert(ca)).expect("test root parses");
    }
    Arc::new(roots)
}

/// A rustls server (`server-rsa`) whose `WebPkiClientVerifier` trusts `cas` and requires a
/// client certificate, or only requests one (`required == false`).
fn rustls_server_verifying(cas: &[&str], required: bool) -> rustls::ServerConnection {
    let suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    let builder = rustls::server::WebPkiClientVerifier::builder_with_provider(rustls_roots(cas), {
        rustls_provider(suite)
    });
    let verifier = if required {
        builder.build()
    } else {
        builder.allow_unauthenticated().build()
    }
    .expect("verifier builds");
    let (chain, key) = rustls_identity("server-rsa");
    let mut config = rustls::ServerConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2 with this provider")
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .expect("rustls accepts the test certificate");
    config.time_provider = Arc::new(FixedClock);
    rustls::ServerConnection::new(Arc::new(config)).expect("rustls server")
}

/// A rustls client presenting `client_cert` (if any).
fn rustls_client_with_cert(client_cert: Option<&str>) -> rustls::ClientConnection {
    let suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    let builder = rustls::ClientConfig::builder_with_provider(rustls_provider(suite))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("TLS 1.2 with this provider")
        .with_root_certificates(rustls_roots(&["ca-rsa", "ca-ecdsa"]));
    let mut config = match client_cert {
        Some(name) => {
            let (chain, key) = rustls_identity(name);
            builder
                .with_client_auth_cert(chain, key)
                .expect("rustls accepts the client certificate")
        }
        None => builder.with_no_client_auth(),
    };
    config.time_provider = Arc::new(FixedClock);
    let name = rustls::pki_types::ServerName::try_from("testserver.tls12.test").expect("name");
    rustls::ClientConnection::new(Arc::new(config), name).expect("rustls client")
}

/// The chain the summary's `HandshakeComplete` event carried.
fn completed_chain(sink: &Sink) -> Vec<CertificateDer<'static>> {
    let mut complete = sink.events.iter().filter_map(|e| match e {
        Event::HandshakeComplete(s) => Some(s.peer_certificates.clone()),
        _ => None,
    });
    let chain = complete.next().expect("a HandshakeComplete event");
    assert!(complete.next().is_none(), "one HandshakeComplete event");
    chain
}

#[test]
fn our_client_certificate_to_a_rustls_server() {
    for key in ["client-rsa", "client-p256"] {
        let mut c = client_config();
        c.client_cert = Some(certified_key(key));
        let mut ours = ClientConnection::new(Arc::new(c), server_name()).expect("client");
        let mut sink = Sink::default();
        let mut peer = Peer::new(rustls_server_verifying(&["ca-rsa", "ca-ecdsa"], true));
        ours.write(b"hello with a certificate").unwrap();
        shuttle(&mut ours, &mut sink, &mut peer);
        assert_no_errors(&sink, &peer, key);
        // rustls saw our chain; we saw its.
        let theirs = peer.conn.peer_certificates().expect("rustls got our chain");
        assert_eq!(theirs, [cert(key), cert(issuer(key))], "{key}");
        let summary = ours.handshake_summary().expect("complete");
        assert_eq!(
            summary.peer_certificates,
            [cert("server-rsa"), cert("ca-rsa")]
        );
        assert_eq!(completed_chain(&sink), summary.peer_certificates);
        assert_eq!(peer.app, b"hello with a certificate");
    }
}

#[test]
fn rustls_server_refuses_our_client_without_a_trusted_certificate() {
    // No certificate at all, to a server that requires one. rustls answers with
    // certificate_required (116, a TLS 1.3 alert) even in TLS 1.2, where RFC 5246 7.4.6
    // suggests handshake_failure; we report what arrived.
    let mut ours = ClientConnection::new(Arc::new(client_config()), server_name()).unwrap();
    let mut sink = Sink::default();
    let mut peer = Peer::new(rustls_server_verifying(&["ca-rsa", "ca-ecdsa"], true));
    shuttle(&mut ours, &mut sink, &mut peer);
    assert_eq!(peer.error, Some(rustls::Error::NoCertificatesPresented));
    assert_eq!(
        sink.error,
        Some(Error::AlertReceived(AlertDescription::CERTIFICATE_REQUIRED))
    );

    // A certificate from a root the server does not trust: rustls sends unknown_ca.
    let mut c = client_config();
    c.client_cert = Some(certified_key("client-p256"));
    let mut ours = ClientConnection::new(Arc::new(c), server_name()).unwrap();
    let mut sink = Sink::default();
    let mut peer = Peer::new(rustls_server_verifying(&["ca-rsa"], true));
    shuttle(&mut ours, &mut sink, &mut peer);
    assert_eq!(
        peer.error,
        Some(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer
        ))
    );
    assert_eq!(
        sink.error,
        Some(Error::AlertReceived(AlertDescription::UNKNOWN_CA))
    );
}

#[test]
fn rustls_client_certificate_to_our_server() {
    for required in [false, true] {
        for key in ["client-rsa", "client-p256"] {
            let what = format!("{key}, required = {required}");
            let s = with_client_auth(server_config(&["server-rsa"]), required);
            let mut ours = ServerConnection::new(Arc::new(s)).expect("server");
            let mut sink = Sink::default();
            let mut peer = Peer::new(rustls_client_with_cert(Some(key)));
            shuttle(&mut ours, &mut sink, &mut peer);
            assert_no_errors(&sink, &peer, &what);
            let summary = ours.handshake_summary().expect("complete");
            assert_eq!(
                summary.peer_certificates,
                [cert(key), cert(issuer(key))],
                "{what}"
            );
            assert_eq!(completed_chain(&sink), summary.peer_certificates);
            let theirs = peer.conn.peer_certificates().expect("server chain");
            assert_eq!(theirs[0], cert("server-rsa"), "{what}");
        }
    }

    // No certificate: fine when only requested, handshake_failure when required.
    let s = with_client_auth(server_config(&["server-rsa"]), false);
    let mut ours = ServerConnection::new(Arc::new(s)).unwrap();
    let mut sink = Sink::default();
    let mut peer = Peer::new(rustls_client_with_cert(None));
    shuttle(&mut ours, &mut sink, &mut peer);
    assert_no_errors(&sink, &peer, "optional, none sent");
    assert!(
        ours.handshake_summary()
            .unwrap()
            .peer_certificates
            .is_empty()
    );

    let s = with_client_auth(server_config(&["server-rsa"]), true);
    let mut ours = ServerConnection::new(Arc::new(s)).unwrap();
    let mut sink = Sink::default();
    let mut peer = Peer::new(rustls_client_with_cert(None));
    shuttle(&mut ours, &mut sink, &mut peer);
    assert_eq!(
        sink.error.as_ref().and_then(Error::alert),
        Some(AlertDescription::HANDSHAKE_FAILURE)
    );
    assert_eq!(
        peer.error,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::HandshakeFailure
        ))
    );

    // A certificate from a root our server does not trust: unknown_ca.
    let p = provider();
    let rsa_only = Arc::new(tls12::verify::RootStore::from_certs([&cert("ca-rsa")]).unwrap());
    let mut s = server_config(&["server-rsa"]);
    s.client_verifier = Some(Arc::new(tls12::verify::WebPkiClientVerifier::new(
        rsa_only,
        *p.signature_verification(),
        true,
    )));
    let mut ours = ServerConnection::new(Arc::new(s)).unwrap();
    let mut sink = Sink::default();
    let mut peer = Peer::new(rustls_client_with_cert(Some("client-p256")));
    shuttle(&mut ours, &mut sink, &mut peer);
    assert_eq!(
        sink.error.as_ref().and_then(Error::alert),
        Some(AlertDescription::UNKNOWN_CA)
    );
    assert_eq!(
        peer.error,
        Some(rustls::Error::AlertReceived(
            rustls::AlertDescription::UnknownCA
        ))
    );
}

/// RFC 5705 keying-material exporter: our connection and rustls's derive the same bytes
/// from the same handshake, on every suite and both sides, with and without a context (an
/// empty context differs from none); labels TLS itself uses and use before the handshake
/// are refused.
#[test]
fn keying_material_exporter_agrees_with_rustls() {
    for (suite, key) in ECDHE_SUITES {
        let what = format!("{suite:?} with {key}");
        for our_side_is_client in [true, false] {
            type Ours = Box<dyn std::ops::DerefMut<Target = Connection>>;
            let (mut ours, mut peer): (Ours, Peer) = if our_side_is_client {
                let c = ClientConnection::new(Arc::new(client_config()), server_name())
                    .expect("client");
                (Box::new(c), Peer::new(rustls_server(suite, key, &[])))
            } else {
                let mut s = server_config(&[key]);
                s.common.set_suites(&[suite]).unwrap();
                let s = ServerConnection::new(Arc::new(s)).expect("server");
                (Box::new(s), Peer::new(rustls_client(suite, &[])))
            };
            let mut sink = Sink::default();
            let mut early = [0u8; 8];
            assert_eq!(
                ours.export_keying_material(&mut early, b"EXPORTER-test", None),
                Err(Error::Api(
                    "export_keying_material before the handshake completed"
                ))
            );
            shuttle(&mut ours, &mut sink, &mut peer);
            assert_no_errors(&sink, &peer, &what);
            for context in [None, Some(&b""[..]), Some(&b"context"[..])] {
                let mut a = [0u8; 48];
                ours.export_keying_material(&mut a, b"EXPORTER-test", context)
                    .unwrap();
                let b = peer
                    .conn
                    .export_keying_material([0u8; 48], b"EXPORTER-test", context)
                    .expect("rustls exports");
                assert_eq!(a, b, "{what}, context {context:?}");
            }
            let (mut none, mut empty) = ([0u8; 16], [0u8; 16]);
            ours.export_keying_material(&mut none, b"EXPORTER-x", None)
                .unwrap();
            ours.export_keying_material(&mut empty, b"EXPORTER-x", Some(&[]))
                .unwrap();
            assert_ne!(none, empty);
            assert_eq!(
                ours.export_keying_material(&mut none, b"key expansion", None),
                Err(Error::Api("exporter label is reserved by TLS"))
            );
        }
    }
}

/// This suite runs on the provider `TLS12_PROVIDER` names (`tests/common`).
#[test]
fn runs_on_the_provider_named_by_tls12_provider() {
    assert_is_the_named_provider(&*provider());
}
