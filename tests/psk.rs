//! Pre-shared keys (RFC 4279, 5487, 7905, 8442, 6655) and the CCM_8 suites, this crate
//! against itself in memory, and against scripted peers for the bounds.

mod common;

use std::sync::{Arc, Mutex};

use common::forge::{Conn, Under, hs_record, hs_records};
use common::*;
use tls12::enums::{AlertDescription, CipherSuite, HandshakeType, NamedGroup};
use tls12::internal::codec::enums::{CompressionMethod, ProtocolVersion};
use tls12::internal::msgs::{
    ClientExtension, ClientHello, ClientKeyExchangePayload, HandshakeMessage, HandshakePayload,
    Random, ServerExtension, ServerHello, ServerKeyExchangePayload, SessionId,
};
use tls12::psk::{Psk, PskIdentity, PskTable, ResolvesClientPsk};
use tls12::suites::{ALL_SUITES, KeyExchange, SupportedSuite};
use tls12::{ClientConfig, ClientConnection, Error, Event, ServerConfig};

const ID: &[u8] = b"sensor-17";
const KEY: &[u8] = &[0x5a; 32];

fn psk_suites() -> impl Iterator<Item = &'static SupportedSuite> {
    ALL_SUITES.iter().filter(|s| s.kx.uses_psk())
}

fn psk(id: &[u8], key: &[u8]) -> Psk {
    Psk::new(id.to_vec(), key.to_vec()).expect("valid PSK")
}

/// A client resolver that records the hints it was shown.
#[derive(Debug)]
struct Recording {
    psk: Option<Psk>,
    hints: Mutex<Vec<Option<Vec<u8>>>>,
}

impl Recording {
    fn new(psk: Option<Psk>) -> Arc<Self> {
        Arc::new(Self {
            psk,
            hints: Mutex::new(Vec::new()),
        })
    }

    fn hints(&self) -> Vec<Option<Vec<u8>>> {
        self.hints.lock().unwrap().clone()
    }
}

impl ResolvesClientPsk for Recording {
    fn resolve(&self, hint: Option<&[u8]>) -> Option<Psk> {
        self.hints.lock().unwrap().push(hint.map(<[u8]>::to_vec));
        self.psk.clone()
    }
}

fn client(psk: Arc<dyn ResolvesClientPsk>, suite: CipherSuite) -> ClientConfig {
    let mut c = ClientConfig::new_psk(provider(), psk);
    c.common.time = time();
    c.common.set_suites(&[suite]).unwrap();
    c.common.message_events = true;
    c
}

fn server(table: PskTable, suite: CipherSuite) -> ServerConfig {
    let mut s = ServerConfig::new_psk(provider(), Arc::new(table));
    s.common.time = time();
    s.common.set_suites(&[suite]).unwrap();
    s
}

fn table(entries: &[(&[u8], &[u8])]) -> PskTable {
    entries.iter().map(|(i, k)| psk(i, k)).collect()
}

/// Runs a handshake that must fail; returns (client error, server error).
fn failing(c: ClientConfig, s: ServerConfig) -> (Option<Error>, Option<Error>) {
    let mut pair = Pair::new(c, s);
    pair.run();
    (pair.c.error, pair.s.error)
}

#[test]
fn every_psk_suite_handshakes_and_carries_data() {
    for suite in psk_suites() {
        for hint in [None, Some(&b"gateway-3"[..])] {
            let rec = Recording::new(Some(psk(ID, KEY)));
            let c = client(rec.clone(), suite.suite);
            let mut s = server(table(&[(b"other", &[1; 16]), (ID, KEY)]), suite.suite);
            s.psk_identity_hint = hint.map(|h| PskIdentity::new(h.to_vec()).unwrap());
            let mut pair = Pair::new(c, s);
            pair.handshake();
            let (cs, ss) = pair.summaries();
            for sum in [&cs, &ss] {
                assert_eq!(sum.suite, suite.suite);
                assert_eq!(sum.psk_identity.as_deref(), Some(ID), "{:?}", suite.suite);
                assert!(sum.peer_certificates.is_empty());
                assert_eq!(sum.signature_scheme, None);
                assert!(sum.extended_master_secret);
                assert!(!sum.resumed);
                let group = (suite.kx == KeyExchange::EcdhePsk).then_some(NamedGroup::X25519);
                assert_eq!(sum.group, group, "{:?}", suite.suite);
            }
            assert_eq!(rec.hints(), [hint.map(<[u8]>::to_vec)]);

            // No Certificate, no CertificateRequest; a ServerKeyExchange unless plain PSK
            // without a hint (RFC 4279 section 2).
            let mut expect = vec![HandshakeType::SERVER_HELLO];
            if suite.kx == KeyExchange::EcdhePsk || hint.is_some() {
                expect.push(HandshakeType::SERVER_KEY_EXCHANGE);
            }
            expect.extend([
                HandshakeType::SERVER_HELLO_DONE,
                HandshakeType::NEW_SESSION_TICKET,
                HandshakeType::FINISHED,
            ]);
            assert_eq!(pair.c.received(), expect, "{:?}", suite.suite);

            pair.client.write(b"ping").unwrap();
            pair.server.write(&[7u8; 40000]).unwrap();
            pair.run();
            assert_eq!(pair.s.app, b"ping");
            assert_eq!(pair.c.app, vec![7u8; 40000]);
        }
    }
}

/// Application data records of `flight`: their fragment lengths.
fn app_records(flight: &[u8]) -> Vec<usize> {
    records(flight)
        .iter()
        .filter(|r| r.typ == APP_DATA)
        .map(|r| r.len)
        .collect()
}

#[test]
fn ccm_8_records_carry_an_8_byte_tag() {
    let cases: [(CipherSuite, bool); 2] = [
        (CipherSuite::TLS_PSK_WITH_AES_128_CCM_8, true),
        (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, false),
    ];
    for (suite, is_psk) in cases {
        let (c, s) = if is_psk {
            (
                client(Arc::new(psk(ID, KEY)), suite),
                server(table(&[(ID, KEY)]), suite),
            )
        } else {
            let mut c = client_config();
            c.common.set_suites(&[suite]).unwrap();
            let mut s = server_config(&["server-p256"]);
            s.common.set_suites(&[suite]).unwrap();
            (c, s)
        };
        let mut pair = Pair::new(c, s);
        pair.handshake();
        let (cs, _) = pair.summaries();
        assert_eq!(cs.suite, suite);
        assert_eq!(cs.peer_certificates.is_empty(), is_psk);
        pair.client.write(&[1u8; 100]).unwrap();
        pump(&mut pair.client, &[], &mut pair.c);
        // An 8-byte explicit nonce, 100 bytes, an 8-byte tag.
        assert_eq!(app_records(&pair.c.tx), [8 + 100 + 8], "{suite:?}");
        pair.server.write(&[2u8; 20000]).unwrap();
        pair.run();
        assert_eq!(pair.s.app, [1u8; 100]);
        assert_eq!(pair.c.app, vec![2u8; 20000]);
    }
}

#[test]
fn ecdhe_psk_without_a_hint_sends_an_empty_one() {
    let suite = CipherSuite::TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256;
    let rec = Recording::new(Some(psk(ID, KEY)));
    let mut pair = Pair::new(
        client(rec.clone(), suite),
        server(table(&[(ID, KEY)]), suite),
    );
    pair.handshake();
    let ske = pair
        .c
        .events
        .iter()
        .find_map(|e| match e {
            Event::HandshakeMessageReceived(m) => match &**m {
                HandshakeMessage {
                    payload: HandshakePayload::ServerKeyExchange(ske),
                    ..
                } => Some(ske.clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("a ServerKeyExchange");
    let ServerKeyExchangePayload::EcdhePsk(ske) = ske else {
        panic!("not ECDHE_PSK: {ske:?}");
    };
    assert!(ske.hint.is_empty());
    assert_eq!(rec.hints(), [None], "an empty hint is no hint");
}

#[test]
fn unknown_identity_is_unknown_psk_identity() {
    for suite in psk_suites() {
        let (c, s) = failing(
            client(Arc::new(psk(b"stranger", KEY)), suite.suite),
            server(table(&[(ID, KEY)]), suite.suite),
        );
        let s = s.expect("server refuses");
        assert_eq!(
            s.alert(),
            Some(AlertDescription::UNKNOWN_PSK_IDENTITY),
            "{s:?}"
        );
        assert_eq!(
            c,
            Some(Error::AlertReceived(AlertDescription::UNKNOWN_PSK_IDENTITY))
        );
    }
}

/// RFC 4279 section 2 names decrypt_error for a wrong key, as a Finished that does not
/// verify; with AEAD record protection the client's Finished does not even decrypt under
/// the server's keys, so the server sends bad_record_mac (as OpenSSL does).
#[test]
fn wrong_key_is_bad_record_mac() {
    for suite in psk_suites() {
        let (c, s) = failing(
            client(Arc::new(psk(ID, &[0x5b; 32])), suite.suite),
            server(table(&[(ID, KEY)]), suite.suite),
        );
        assert_eq!(s, Some(Error::bad_record_mac()), "{:?}", suite.suite);
        assert_eq!(
            c,
            Some(Error::AlertReceived(AlertDescription::BAD_RECORD_MAC))
        );
    }
}

#[test]
fn a_client_with_no_key_for_the_hint_gives_up() {
    let suite = CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256;
    let rec = Recording::new(None);
    let mut s = server(table(&[(ID, KEY)]), suite);
    s.psk_identity_hint = Some(PskIdentity::new(b"unknown gateway".to_vec()).unwrap());
    let (c, s) = failing(client(rec.clone(), suite), s);
    let c = c.expect("client gives up");
    assert_eq!(
        c.alert(),
        Some(AlertDescription::HANDSHAKE_FAILURE),
        "{c:?}"
    );
    assert_eq!(
        s,
        Some(Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE))
    );
    assert_eq!(rec.hints(), [Some(b"unknown gateway".to_vec())]);
}

#[test]
fn identities_are_bounded_by_max_psk_identity_len() {
    let suite = CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256;
    let long = [b'i'; 129];
    // 128 bytes, RFC 4279 section 5.3's floor, by default.
    let mut pair = Pair::new(
        client(Arc::new(psk(&long[..128], KEY)), suite),
        server(table(&[(&long[..128], KEY)]), suite),
    );
    pair.handshake();
    // 129 is refused before the resolver is asked, even if it knows the identity.
    let (c, s) = failing(
        client(Arc::new(psk(&long, KEY)), suite),
        server(table(&[(&long, KEY)]), suite),
    );
    let s = s.expect("server refuses");
    assert_eq!(s.alert(), Some(AlertDescription::UNKNOWN_PSK_IDENTITY));
    assert!(format!("{s}").contains("max_psk_identity_len"), "{s}");
    assert_eq!(
        c,
        Some(Error::AlertReceived(AlertDescription::UNKNOWN_PSK_IDENTITY))
    );
    // Unless the server allows more.
    let mut s = server(table(&[(&long, KEY)]), suite);
    s.common.max_psk_identity_len = 129;
    let mut pair = Pair::new(client(Arc::new(psk(&long, KEY)), suite), s);
    pair.handshake();
    assert_eq!(
        pair.server
            .handshake_summary()
            .unwrap()
            .psk_identity
            .as_deref(),
        Some(&long[..])
    );
}

#[test]
fn hints_are_bounded_by_max_psk_identity_len() {
    let suite = CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;
    for (len, client_max, ok) in [
        (128, None, true),
        (129, None, false),
        (129, Some(129), true),
    ] {
        let mut c = client(Arc::new(psk(ID, KEY)), suite);
        if let Some(m) = client_max {
            c.common.max_psk_identity_len = m;
        }
        let mut s = server(table(&[(ID, KEY)]), suite);
        s.psk_identity_hint = Some(PskIdentity::new(vec![b'h'; len]).unwrap());
        let (ce, se) = failing(c, s);
        if ok {
            assert_eq!((ce, se), (None, None), "hint of {len}");
        } else {
            let ce = ce.expect("client refuses");
            assert_eq!(
                ce.alert(),
                Some(AlertDescription::ILLEGAL_PARAMETER),
                "{ce:?}"
            );
            assert_eq!(
                se,
                Some(Error::AlertReceived(AlertDescription::ILLEGAL_PARAMETER))
            );
        }
    }
}

// ---- Scripted peers: values at the wire's limit ----

/// The longest identity or hint a handshake message of the default maximum (64 KiB) can
/// carry: its two-byte length prefix and 65,534 bytes. (The wire's 65,535 makes a message
/// one byte over, refused for its length alone.)
const MAX_IN_MESSAGE: usize = 64 * 1024 - 2;

/// The endpoint refused the PSK `what` for its length, not for anything else.
fn assert_bound_refused(u: &Under, what: &str) {
    match &u.sink.error {
        Some(Error::PeerMisbehaved { what: w, .. }) => {
            assert!(
                w.contains(what) && w.contains("max_psk_identity_len"),
                "{w}"
            )
        }
        other => panic!("refused for another reason: {other:?}"),
    }
}

fn psk_server_hello(suite: CipherSuite) -> Vec<u8> {
    hs_record(HandshakeMessage::from(ServerHello {
        version: ProtocolVersion::TLS12,
        random: Random([2; 32]),
        session_id: SessionId::EMPTY,
        cipher_suite: suite,
        compression_method: CompressionMethod::NULL,
        extensions: Some(vec![
            ServerExtension::RenegotiationInfo(Vec::new()),
            ServerExtension::ExtendedMasterSecret,
        ]),
    }))
}

fn psk_client(suite: CipherSuite) -> Under {
    let mut c = client(Arc::new(psk(ID, KEY)), suite);
    c.common.message_events = false;
    let conn = ClientConnection::new(Arc::new(c), server_name()).expect("valid config");
    let mut u = Under {
        conn: Conn::Client(conn),
        sink: Sink::default(),
    };
    u.feed(&[]);
    u
}

#[test]
fn a_scripted_server_s_oversized_hint_is_illegal_parameter() {
    let suite = CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256;
    // Up to the longest hint a 64 KiB handshake message holds.
    for len in [129, 4096, MAX_IN_MESSAGE] {
        let mut u = psk_client(suite);
        u.feed_ok(&[psk_server_hello(suite)]);
        u.feed(&hs_records(HandshakeMessage::from(
            ServerKeyExchangePayload::Psk(vec![b'h'; len]),
        )));
        assert_bound_refused(&u, "hint");
        u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
    }
    // At the bound the client goes on to its ClientKeyExchange.
    let mut u = psk_client(suite);
    u.feed_ok(&[
        psk_server_hello(suite),
        hs_record(HandshakeMessage::from(ServerKeyExchangePayload::Psk(vec![
            b'h';
            128
        ]))),
        hs_record(HandshakeMessage::server_hello_done()),
    ]);
    let cke = u
        .sent_messages()
        .into_iter()
        .find(|m| m.typ == HandshakeType::CLIENT_KEY_EXCHANGE)
        .expect("a ClientKeyExchange");
    let body = tls12::internal::codec::Codec::to_bytes(&cke).unwrap();
    assert_eq!(&body[4..], [&[0, ID.len() as u8][..], ID].concat());
}

#[test]
fn a_scripted_server_s_certificate_or_request_is_unexpected_in_a_psk_suite() {
    let suite = CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256;
    let mut u = psk_client(suite);
    u.feed_ok(&[psk_server_hello(suite)]);
    u.feed(&hs_record(HandshakeMessage::from(forge_cert())));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);

    let mut u = psk_client(suite);
    u.feed_ok(&[
        psk_server_hello(suite),
        hs_record(HandshakeMessage::from(ServerKeyExchangePayload::Psk(
            b"hint".to_vec(),
        ))),
    ]);
    let req = tls12::internal::msgs::CertificateRequest {
        certificate_types: vec![tls12::internal::codec::enums::ClientCertificateType::RSA_SIGN],
        signature_schemes: vec![tls12::enums::SignatureScheme::RSA_PKCS1_SHA256],
        certificate_authorities: Vec::new(),
    };
    u.feed(&hs_record(HandshakeMessage::from(req)));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);

    // ECDHE_PSK needs its ServerKeyExchange.
    let suite = CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;
    let mut u = psk_client(suite);
    u.feed_ok(&[psk_server_hello(suite)]);
    u.feed(&hs_record(HandshakeMessage::server_hello_done()));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

fn forge_cert() -> tls12::internal::msgs::CertificateChain {
    common::forge::server_cert()
}

fn psk_client_hello(suite: CipherSuite) -> Vec<u8> {
    hs_records(HandshakeMessage::from(ClientHello {
        version: ProtocolVersion::TLS12,
        random: Random([1; 32]),
        session_id: SessionId::EMPTY,
        cipher_suites: vec![suite],
        compression_methods: vec![CompressionMethod::NULL],
        extensions: Some(vec![
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519]),
            ClientExtension::ExtendedMasterSecret,
        ]),
    }))
}

#[test]
fn a_scripted_client_s_oversized_identity_is_unknown_psk_identity() {
    let suite = CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256;
    for len in [129, 4096, MAX_IN_MESSAGE] {
        let long = vec![b'i'; len];
        // Even a resolver that knows the identity is not asked.
        let mut u = Under::server_with(server(table(&[(&long, KEY)]), suite));
        u.feed_ok(&[psk_client_hello(suite)]);
        u.feed(&hs_records(HandshakeMessage::from(
            ClientKeyExchangePayload::Psk(long),
        )));
        assert_bound_refused(&u, "identity");
        u.assert_fatal(AlertDescription::UNKNOWN_PSK_IDENTITY);
    }
    // The server's first flight: ServerHello and ServerHelloDone, nothing else.
    let u = {
        let mut u = Under::server_with(server(table(&[(ID, KEY)]), suite));
        u.feed_ok(&[psk_client_hello(suite)]);
        u
    };
    let types: Vec<HandshakeType> = u.sent_messages().iter().map(|m| m.typ).collect();
    assert_eq!(
        types,
        [
            HandshakeType::SERVER_HELLO,
            HandshakeType::SERVER_HELLO_DONE
        ]
    );
    // An ECDHE_PSK ClientKeyExchange with an oversized identity, likewise.
    let suite = CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;
    let mut u = Under::server_with(server(table(&[(ID, KEY)]), suite));
    u.feed_ok(&[psk_client_hello(suite)]);
    u.feed(&hs_record(HandshakeMessage::from(
        ClientKeyExchangePayload::EcdhePsk(tls12::internal::msgs::EcdhePskClientKeyExchange {
            identity: vec![b'i'; 200],
            public: vec![9; 32],
        }),
    )));
    u.assert_fatal(AlertDescription::UNKNOWN_PSK_IDENTITY);
}

// ---- Resumption ----

#[test]
fn psk_sessions_resume_by_ticket_and_by_session_id() {
    for suite in psk_suites() {
        for tickets in [true, false] {
            let mut c = client(Arc::new(psk(ID, KEY)), suite.suite);
            c.enable_tickets = tickets;
            let s = server(table(&[(ID, KEY)]), suite.suite);
            let mut first = Pair::new(c.clone(), s.clone());
            first.handshake();
            let mut again = Pair::new(c.clone(), s.clone());
            again.handshake();
            let (cs, ss) = again.summaries();
            assert!(
                cs.resumed && ss.resumed,
                "{:?} tickets {tickets}",
                suite.suite
            );
            assert_eq!(cs.psk_identity.as_deref(), Some(ID));
            assert_eq!(ss.psk_identity.as_deref(), Some(ID));
            // Abbreviated: no key exchange at all.
            assert_eq!(
                again.c.received(),
                [HandshakeType::SERVER_HELLO, HandshakeType::FINISHED]
            );
        }
    }
}

#[test]
fn a_session_resumes_only_while_its_identity_is_known() {
    let suite = CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384;
    for tickets in [true, false] {
        let mut c = client(Arc::new(psk(ID, KEY)), suite);
        c.enable_tickets = tickets;
        let s = server(table(&[(ID, KEY)]), suite);
        Pair::new(c.clone(), s.clone()).handshake();
        // The same session cache and ticket key, the identity revoked: the session is not
        // resumed, and the full handshake then refuses the identity.
        let mut revoked = s.clone();
        revoked.psk = Some(Arc::new(table(&[(b"other", KEY)])));
        let (ce, se) = failing(c.clone(), revoked);
        assert_eq!(
            se.and_then(|e| e.alert()),
            Some(AlertDescription::UNKNOWN_PSK_IDENTITY),
            "tickets {tickets}"
        );
        assert_eq!(
            ce,
            Some(Error::AlertReceived(AlertDescription::UNKNOWN_PSK_IDENTITY))
        );
    }
}

#[test]
fn a_client_offers_a_psk_session_only_under_the_psk_that_made_it() {
    let suite = CipherSuite::TLS_PSK_WITH_CHACHA20_POLY1305_SHA256;
    let c = client(Arc::new(psk(ID, KEY)), suite);
    let s = server(table(&[(ID, KEY), (b"second", KEY)]), suite);
    Pair::new(c.clone(), s.clone()).handshake();
    // Another resolver sharing the store: a full handshake, with its own identity.
    let mut other = c.clone();
    other.psk = Some(Arc::new(psk(b"second", KEY)));
    let mut pair = Pair::new(other, s.clone());
    pair.handshake();
    let (cs, ss) = pair.summaries();
    assert!(!cs.resumed && !ss.resumed);
    assert_eq!(ss.psk_identity.as_deref(), Some(&b"second"[..]));
}

// ---- Off unless configured ----

fn client_hello_suites(c: ClientConfig) -> Vec<CipherSuite> {
    let mut c = c;
    c.common.message_events = true;
    let mut conn = ClientConnection::new(Arc::new(c), server_name()).unwrap();
    let mut sink = Sink::default();
    pump(&mut conn, &[], &mut sink);
    sink.events
        .iter()
        .find_map(|e| match e {
            Event::HandshakeMessageSent(m) => match &**m {
                HandshakeMessage {
                    payload: HandshakePayload::ClientHello(ch),
                    ..
                } => Some(ch.cipher_suites.clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("a ClientHello")
}

#[test]
fn psk_suites_are_off_unless_a_psk_is_configured() {
    let is_psk = |s: &CipherSuite| SupportedSuite::find(*s).is_some_and(|s| s.kx.uses_psk());
    // The defaults hold no PSK suite.
    assert!(!client_hello_suites(client_config()).iter().any(is_psk));
    assert!(
        !server_config(&["server-rsa"])
            .common
            .suites
            .iter()
            .any(|s| s.kx.uses_psk())
    );
    // PSK suites listed without a PSK are not offered ...
    let mut c = client_config();
    c.common.suites = ALL_SUITES.iter().collect();
    let offered = client_hello_suites(c.clone());
    assert!(!offered.iter().any(is_psk));
    assert!(offered.contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
    // ... and alone they are a configuration error, as is a PSK without PSK suites.
    c.common.suites = psk_suites().collect();
    assert!(matches!(c.clone().build(), Err(Error::Config(_))));
    let mut c = client_config();
    c.psk = Some(Arc::new(psk(ID, KEY)));
    assert!(matches!(c.clone().build(), Err(Error::Config(_))));
    // enable_psk puts them first.
    c.enable_psk(Arc::new(psk(ID, KEY)));
    let offered = client_hello_suites(c);
    assert_eq!(
        offered[..5],
        tls12::suites::default_psk_suites()
            .map(|s| s.suite)
            .collect::<Vec<_>>()[..]
    );
    assert!(!offered.contains(&CipherSuite::TLS_PSK_WITH_AES_128_CCM_8));

    // A server: no certificate needs a PSK; PSK suites without a resolver are not chosen.
    let mut s = ServerConfig::new(provider(), Vec::new());
    assert!(matches!(s.clone().build(), Err(Error::Config(_))));
    s.enable_psk(Arc::new(psk(ID, KEY)));
    assert!(s.build().is_ok());
    let mut s = server_config(&["server-rsa"]);
    s.common.suites = ALL_SUITES.iter().collect();
    let (ce, se) = failing(
        client(
            Arc::new(psk(ID, KEY)),
            CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
        ),
        s,
    );
    assert_eq!(
        se.and_then(|e| e.alert()),
        Some(AlertDescription::HANDSHAKE_FAILURE)
    );
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::HANDSHAKE_FAILURE))
    );
}

#[test]
fn one_server_serves_certificate_and_psk_clients() {
    let mut s = server_config(&["server-rsa"]);
    s.enable_psk(Arc::new(table(&[(ID, KEY)])));
    // A certificate client.
    let mut pair = Pair::new(client_config(), s.clone());
    pair.handshake();
    let (cs, _) = pair.summaries();
    assert_eq!(cs.suite, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    assert_eq!(cs.psk_identity, None);
    assert!(!cs.peer_certificates.is_empty());
    // A client with both: the PSK comes first.
    let mut c = client_config();
    c.enable_psk(Arc::new(psk(ID, KEY)));
    let mut pair = Pair::new(c, s);
    pair.handshake();
    let (cs, ss) = pair.summaries();
    assert_eq!(cs.suite, CipherSuite::TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256);
    assert_eq!(ss.psk_identity.as_deref(), Some(ID));
    assert!(cs.peer_certificates.is_empty());
}

// ---- The trace ----

#[test]
fn the_trace_shows_psk_key_exchange_messages() {
    use tls12::internal::msgs::{EcdhePskClientKeyExchange, EcdhePskServerKeyExchange};
    let ske = HandshakeMessage::from(ServerKeyExchangePayload::Psk(b"gw".to_vec())).to_string();
    assert!(ske.contains("PSK Server Params"), "{ske}");
    assert!(ske.contains("PSK Identity Hint Length: 2"), "{ske}");
    assert!(ske.contains("PSK Identity Hint: 6777"), "{ske}");
    let ske = HandshakeMessage::from(ServerKeyExchangePayload::EcdhePsk(
        EcdhePskServerKeyExchange {
            hint: Vec::new(),
            curve_type: tls12::internal::codec::enums::ECCurveType::NAMED_CURVE,
            group: NamedGroup::X25519,
            public: vec![9; 32],
        },
    ))
    .to_string();
    assert!(ske.contains("ECDHE PSK Server Params"), "{ske}");
    assert!(ske.contains("PSK Identity Hint Length: 0"), "{ske}");
    assert!(ske.contains("Named Curve: x25519 (0x001d)"), "{ske}");
    let cke = HandshakeMessage::from(ClientKeyExchangePayload::EcdhePsk(
        EcdhePskClientKeyExchange {
            identity: ID.to_vec(),
            public: vec![9; 32],
        },
    ))
    .to_string();
    assert!(cke.contains("ECDHE PSK Client Params"), "{cke}");
    assert!(cke.contains("PSK Identity Length: 9"), "{cke}");
    assert!(cke.contains("Pubkey Length: 32"), "{cke}");
    let cke = HandshakeMessage::from(ClientKeyExchangePayload::Psk(ID.to_vec())).to_string();
    assert!(cke.contains("PSK Client Params"), "{cke}");
    assert!(
        cke.contains(&format!("PSK Identity: {}", hex::encode(ID))),
        "{cke}"
    );
}
