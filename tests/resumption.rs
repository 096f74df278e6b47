//! Session resumption in memory: session IDs (RFC 5246) and tickets (RFC 5077), the
//! abbreviated handshake on both sides, and every reason to fall back to a full handshake
//! (RFC 7627 section 5.3 among them). A scripted peer built from the codec checks that our
//! client refuses a server that resumes against the rules.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::*;
use tls12::config::TimeSource;
use tls12::crypto::keylog::KeyLogBuffer;
use tls12::internal::codec::enums::{
    AlertDescription, CipherSuite, CompressionMethod, ContentType, HandshakeType, ProtocolVersion,
};
use tls12::internal::codec::{Codec, Reader};
use tls12::internal::msgs::{ClientExtension, ClientHello, SessionId};
use tls12::internal::msgs::{
    HandshakeMessage, HandshakePayload, KxContext, Random, ServerExtension, ServerHello,
};
use tls12::pki_types::{ServerName, UnixTime};
use tls12::resumption::InMemoryClientSessionStore;
use tls12::{ClientConfig, ClientConnection, Error, ServerConfig};

/// A clock the test moves.
#[derive(Debug)]
struct Clock(AtomicU64);

impl Clock {
    fn new() -> Arc<Self> {
        Arc::new(Clock(AtomicU64::new(TEST_TIME)))
    }
    fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl TimeSource for Clock {
    fn now(&self) -> UnixTime {
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            self.0.load(Ordering::SeqCst),
        ))
    }
}

/// One connection between clones of the two configs (which share their session store,
/// cache and ticketer).
fn connect(c: &ClientConfig, s: &ServerConfig) -> Pair {
    let mut c = c.clone();
    c.common.message_events = true;
    let mut s = s.clone();
    s.common.message_events = true;
    let mut pair = Pair::new(c, s);
    pair.handshake();
    pair
}

/// Application data still flows both ways on `pair`.
fn exchange(pair: &mut Pair) {
    pair.client.write(b"ping").expect("client writes");
    pair.server.write(b"pong").expect("server writes");
    pair.run();
    assert_eq!(pair.s.app, b"ping");
    assert_eq!(pair.c.app, b"pong");
}

const ABBREVIATED_FROM_SERVER: [HandshakeType; 2] =
    [HandshakeType::SERVER_HELLO, HandshakeType::FINISHED];

#[test]
fn ticket_resumption_is_abbreviated() {
    let c = client_config();
    let s = server_config(&["server-rsa"]);
    let first = connect(&c, &s);
    let (c1, s1) = first.summaries();
    assert!(!c1.resumed && !s1.resumed);
    assert!(
        first
            .c
            .received()
            .contains(&HandshakeType::NEW_SESSION_TICKET)
    );

    let mut second = connect(&c, &s);
    let (c2, s2) = second.summaries();
    assert!(c2.resumed, "client resumed");
    assert!(s2.resumed, "server resumed");
    assert_eq!(c2.suite, c1.suite);
    assert_eq!(c2.peer_certificates, c1.peer_certificates);
    assert!(c2.extended_master_secret);
    assert_eq!(c2.group, None);
    // Server: ServerHello, CCS, Finished. Client: CCS, Finished.
    assert_eq!(second.c.received(), ABBREVIATED_FROM_SERVER);
    assert_eq!(
        second.s.received(),
        [HandshakeType::CLIENT_HELLO, HandshakeType::FINISHED]
    );
    exchange(&mut second);
}

#[test]
fn session_id_resumption_without_tickets() {
    let mut c = client_config();
    c.enable_tickets = false;
    let s = server_config(&["server-p256"]);
    let first = connect(&c, &s);
    assert!(
        !first
            .c
            .received()
            .contains(&HandshakeType::NEW_SESSION_TICKET)
    );
    let mut second = connect(&c, &s);
    let (c2, s2) = second.summaries();
    assert!(c2.resumed && s2.resumed);
    assert_eq!(second.c.received(), ABBREVIATED_FROM_SERVER);
    exchange(&mut second);
    // And again: a session ID resumes any number of times.
    let third = connect(&c, &s);
    assert!(third.summaries().0.resumed);
}

#[test]
fn session_id_resumption_when_the_server_has_no_ticketer() {
    let c = client_config();
    let mut s = server_config(&["server-rsa"]);
    s.ticketer = None;
    connect(&c, &s);
    let second = connect(&c, &s);
    assert!(second.summaries().0.resumed);
}

#[test]
fn ticket_resumption_when_the_server_has_no_cache() {
    let c = client_config();
    let mut s = server_config(&["server-rsa"]);
    s.session_cache = None;
    let first = connect(&c, &s);
    let second = connect(&c, &s);
    assert!(second.summaries().0.resumed);
    // Tickets are not renewed on resumption: the same one resumes again.
    let third = connect(&c, &s);
    assert!(third.summaries().0.resumed);
    drop(first);
}

#[test]
fn no_cache_and_no_ticketer_never_resumes() {
    let c = client_config();
    let mut s = server_config(&["server-rsa"]);
    s.session_cache = None;
    s.ticketer = None;
    connect(&c, &s);
    let second = connect(&c, &s);
    let (c2, s2) = second.summaries();
    assert!(!c2.resumed && !s2.resumed);
    assert!(second.c.received().contains(&HandshakeType::CERTIFICATE));
}

#[test]
fn client_without_a_store_never_offers() {
    let mut c = client_config();
    c.session_store = None;
    let s = server_config(&["server-rsa"]);
    connect(&c, &s);
    let second = connect(&c, &s);
    assert!(!second.summaries().0.resumed);
    // Without a store there is nothing to put a ticket in: none is asked for.
    assert!(
        !second
            .c
            .received()
            .contains(&HandshakeType::NEW_SESSION_TICKET)
    );
}

#[test]
fn server_with_another_suite_falls_back_to_a_full_handshake() {
    let mut c = client_config();
    c.common
        .set_suites(&[
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ])
        .unwrap();
    let mut s = server_config(&["server-rsa"]);
    s.common
        .set_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256])
        .unwrap();
    connect(&c, &s);
    // Same cache and ticketer, but the session's suite is no longer enabled.
    s.common
        .set_suites(&[CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384])
        .unwrap();
    let second = connect(&c, &s);
    let (c2, s2) = second.summaries();
    assert!(!c2.resumed && !s2.resumed);
    assert_eq!(c2.suite, CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
    // The new session replaced the old one in the client's store and resumes.
    let third = connect(&c, &s);
    assert!(third.summaries().0.resumed);
}

#[test]
fn client_does_not_offer_a_session_whose_suite_it_disabled() {
    let c = client_config();
    let s = server_config(&["server-rsa"]);
    let first = connect(&c, &s);
    let suite = first.summaries().0.suite;
    let mut c2 = c.clone();
    let others: Vec<_> = c
        .common
        .suites
        .iter()
        .map(|s| s.suite)
        .filter(|x| *x != suite)
        .collect();
    c2.common.set_suites(&others).unwrap();
    let second = connect(&c2, &s);
    assert!(!second.summaries().0.resumed);
}

#[test]
fn another_server_name_is_not_resumed() {
    // The server keeps the SNI of each session: a ClientHello offering the session under
    // another name gets a full handshake. (The client's store is keyed by name too.)
    let sh = offer_edited(|ch| {
        for e in ch.extensions.as_mut().unwrap() {
            if matches!(e, ClientExtension::ServerName(_)) {
                *e = ClientExtension::host_name(b"other.tls12.test");
            }
        }
    });
    assert!(!sh.1, "not resumed under another name");
    let same = offer_edited(|_| {});
    assert!(same.1, "control: the unedited offer resumes");
}

#[test]
fn expired_sessions_are_not_resumed() {
    let clock = Clock::new();
    let mut c = client_config();
    c.common.time = clock.clone();
    let mut s = server_config(&["server-rsa"]);
    s.common.time = clock.clone();
    connect(&c, &s);
    clock.advance(60);
    assert!(
        connect(&c, &s).summaries().0.resumed,
        "fresh after a minute"
    );
    // The default ticket lifetime is 12 hours, the session lifetime 24 hours.
    clock.advance(13 * 3600);
    let late = connect(&c, &s);
    assert!(!late.summaries().0.resumed, "ticket expired");
    // Session IDs only: the cache's 24 hours.
    let mut c_ids = c.clone();
    c_ids.enable_tickets = false;
    c_ids.session_store = Some(Arc::new(InMemoryClientSessionStore::new(4)));
    connect(&c_ids, &s);
    clock.advance(23 * 3600);
    assert!(connect(&c_ids, &s).summaries().0.resumed);
    clock.advance(3600);
    assert!(
        !connect(&c_ids, &s).summaries().0.resumed,
        "session expired"
    );
}

#[test]
fn a_forged_ticket_falls_back_to_a_full_handshake() {
    // A ticket the server cannot open (here: another server's, or garbage) is ignored.
    let c = client_config();
    let s = server_config(&["server-rsa"]);
    connect(&c, &s);
    let other_server = server_config(&["server-rsa"]);
    let mut second = connect(&c, &other_server);
    let (c2, s2) = second.summaries();
    assert!(!c2.resumed && !s2.resumed);
    exchange(&mut second);
}

#[test]
fn resumption_keys_log_the_new_client_random() {
    let log = Arc::new(KeyLogBuffer::new());
    let mut c = client_config();
    c.common.key_log = Some(log.clone());
    let s = server_config(&["server-rsa"]);
    let first = connect(&c, &s);
    let second = connect(&c, &s);
    assert!(second.summaries().0.resumed);
    let lines = log.lines();
    assert_eq!(lines.len(), 2);
    let (r1, r2) = (
        first.summaries().0.client_random,
        second.summaries().0.client_random,
    );
    let secret = |l: &str| l.split(' ').nth(2).unwrap().to_string();
    assert!(lines[0].starts_with(&format!("CLIENT_RANDOM {} ", hex::encode(r1))));
    assert!(lines[1].starts_with(&format!("CLIENT_RANDOM {} ", hex::encode(r2))));
    assert_eq!(secret(&lines[0]), secret(&lines[1]), "same master secret");
}

#[test]
fn client_certificates_survive_resumption() {
    let mut c = client_config();
    c.client_cert = Some(certified_key("client-p256"));
    let s = with_client_auth(server_config(&["server-rsa"]), true);
    let first = connect(&c, &s);
    let certs = first.summaries().1.peer_certificates;
    assert!(!certs.is_empty());
    let second = connect(&c, &s);
    let (c2, s2) = second.summaries();
    assert!(c2.resumed && s2.resumed);
    assert_eq!(s2.peer_certificates, certs);
}

#[test]
fn required_client_auth_does_not_resume_an_anonymous_session() {
    let c = client_config();
    let optional = with_client_auth(server_config(&["server-rsa"]), false);
    let first = connect(&c, &optional);
    assert!(first.summaries().1.peer_certificates.is_empty());
    // Same cache and ticketer, now requiring a certificate: the client has none, so the
    // full handshake fails (handshake_failure) rather than resuming around the requirement.
    let mut required = with_client_auth(server_config(&["server-rsa"]), true);
    required.session_cache = optional.session_cache.clone();
    required.ticketer = optional.ticketer.clone();
    let mut pair = Pair::new(c.clone(), required);
    pair.run();
    assert_eq!(
        pair.s.error,
        Some(Error::Certificate(tls12::CertificateError::Missing))
    );
}

/// Makes a session (session IDs only), then has a fresh client offer it in a ClientHello
/// changed by `edit`, straight to the server. Returns the ServerHello and whether it echoed
/// the offered session ID (resumed).
fn offer_edited(edit: impl FnOnce(&mut ClientHello)) -> (ServerHello, bool) {
    let (ssink, offered) = offer_edited_to_server(edit);
    assert!(ssink.error.is_none(), "{:?}", ssink.error);
    let (_, sh) = first_message(&ssink.tx);
    let HandshakePayload::ServerHello(sh) = sh.payload else {
        panic!("not a ServerHello")
    };
    let resumed = sh.session_id == offered;
    (sh, resumed)
}

/// Like [`offer_edited`], but returns what the server produced and the session ID offered.
fn offer_edited_to_server(edit: impl FnOnce(&mut ClientHello)) -> (Sink, SessionId) {
    let mut c = client_config();
    c.enable_tickets = false;
    let s = server_config(&["server-rsa"]);
    connect(&c, &s);
    let mut client = ClientConnection::new(Arc::new(c), server_name()).unwrap();
    let mut sink = Sink::default();
    pump(&mut client, &[], &mut sink);
    let (minor, mut msg) = first_message(&sink.tx);
    let HandshakePayload::ClientHello(ch) = &mut msg.payload else {
        panic!("not a ClientHello")
    };
    assert!(!ch.session_id.is_empty(), "the client offers its session");
    edit(ch);
    let offered = ch.session_id;
    let mut server = tls12::ServerConnection::new(Arc::new(s)).unwrap();
    let mut ssink = Sink::default();
    pump(&mut server, &handshake_records(minor, &msg), &mut ssink);
    (ssink, offered)
}

#[test]
fn a_session_with_ems_offered_without_it_is_handshake_failure() {
    // RFC 7627 5.3 on the server: "If the original session used the extension but the new
    // ClientHello does not contain it, the server MUST abort the abbreviated handshake".
    // (This used to fall back to a full handshake; tests/conformance.rs has the forged
    // version of both directions.)
    let (ssink, _) = offer_edited_to_server(|ch| {
        ch.extensions
            .as_mut()
            .unwrap()
            .retain(|e| !matches!(e, ClientExtension::ExtendedMasterSecret))
    });
    assert_eq!(
        ssink.error.as_ref().and_then(Error::alert),
        Some(tls12::enums::AlertDescription::HANDSHAKE_FAILURE)
    );
    assert_eq!(
        ssink.tx,
        [21, 3, 3, 0, 2, 2, 40],
        "only the fatal handshake_failure alert"
    );
}

#[test]
fn a_session_is_not_resumed_when_its_suite_is_not_offered_again() {
    let (sh, resumed) = offer_edited(|ch| {
        ch.cipher_suites
            .retain(|s| *s != CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
    });
    assert!(!resumed);
    assert_ne!(
        sh.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
}

/// The first handshake message of a flight (each message is in a record of its own).
fn first_message(flight: &[u8]) -> (u8, HandshakeMessage) {
    assert_eq!(flight[0], ContentType::HANDSHAKE.0);
    let len = u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let mut r = Reader::new(&flight[5..5 + len]);
    let msg = HandshakeMessage::read_with(&mut r, KxContext::Unknown).expect("decodes");
    (flight[2], msg)
}

/// `msg` in plaintext handshake records of at most 2^14 bytes each, record version
/// 3.`minor`.
fn handshake_records(minor: u8, msg: &HandshakeMessage) -> Vec<u8> {
    msg.to_bytes()
        .unwrap()
        .chunks(16384)
        .flat_map(|c| record_v(ContentType::HANDSHAKE.0, [3, minor], c))
        .collect()
}

/// Our client offers its stored session to a scripted server that echoes the session ID
/// with `sh` changed by `edit`; returns the client's error.
fn scripted_resumption(edit: impl FnOnce(&mut ServerHello)) -> Option<Error> {
    let mut c = client_config();
    c.enable_tickets = false;
    let s = server_config(&["server-rsa"]);
    connect(&c, &s);
    let mut client = ClientConnection::new(Arc::new(c), server_name()).unwrap();
    let mut sink = Sink::default();
    pump(&mut client, &[], &mut sink);
    let (_, ch) = first_message(&sink.tx);
    let HandshakePayload::ClientHello(ch) = ch.payload else {
        panic!("not a ClientHello")
    };
    let mut sh = ServerHello {
        version: ProtocolVersion::TLS12,
        random: Random([7; 32]),
        session_id: ch.session_id,
        cipher_suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        compression_method: CompressionMethod::NULL,
        extensions: Some(vec![
            ServerExtension::RenegotiationInfo(vec![]),
            ServerExtension::ExtendedMasterSecret,
        ]),
    };
    edit(&mut sh);
    sink.tx.clear();
    pump(
        &mut client,
        &handshake_records(3, &HandshakeMessage::from(sh)),
        &mut sink,
    );
    // The alert we sent is the last record, and the connection stays dead.
    if let Some(e) = &sink.error {
        let desc = e.alert().expect("an alert for every refusal");
        assert_eq!(
            sink.tx[sink.tx.len() - 2..],
            [2, desc.0],
            "fatal alert sent"
        );
        assert!(client.write(b"x").is_err(), "dead afterwards");
    }
    sink.error
}

#[test]
fn scripted_server_resuming_correctly_is_accepted_up_to_finished() {
    // Control for the cases below: echoing the ID with the same suite and EMS moves the
    // client to await the server's ChangeCipherSpec.
    assert_eq!(scripted_resumption(|_| {}), None);
}

#[test]
fn client_refuses_resumption_without_ems_after_ems() {
    let e = scripted_resumption(|sh| {
        sh.extensions
            .as_mut()
            .unwrap()
            .retain(|e| !matches!(e, ServerExtension::ExtendedMasterSecret))
    });
    assert_eq!(
        e.and_then(|e| e.alert()),
        Some(AlertDescription::HANDSHAKE_FAILURE)
    );
}

#[test]
fn client_refuses_resumption_with_another_suite() {
    let e = scripted_resumption(|sh| {
        sh.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    });
    assert_eq!(
        e.and_then(|e| e.alert()),
        Some(AlertDescription::ILLEGAL_PARAMETER)
    );
}

#[test]
fn client_refuses_an_unsolicited_ticket_extension() {
    // Tickets are off in this client: a session_ticket acknowledgement is unsolicited.
    let e = scripted_resumption(|sh| {
        sh.extensions
            .as_mut()
            .unwrap()
            .push(ServerExtension::SessionTicket)
    });
    assert_eq!(
        e.and_then(|e| e.alert()),
        Some(AlertDescription::UNSUPPORTED_EXTENSION)
    );
}

#[test]
fn a_tampered_stored_ticket_falls_back() {
    let c = client_config();
    let s = server_config(&["server-rsa"]);
    connect(&c, &s);
    // Flip one byte of the ticket inside the ClientHello in flight: the server cannot open
    // it, so it runs a full handshake, which then fails on the transcript (the client's
    // Finished covers the ClientHello as sent) — no resumption from a forged ticket.
    let mut pair = Pair::new(c.clone(), s.clone());
    pair.run_with(|dir, flight, bytes| {
        if dir == Dir::ToServer && flight == 0 {
            let at = find_ticket(bytes);
            bytes[at] ^= 0x01;
        }
    });
    assert!(pair.server.handshake_summary().is_none_or(|s| !s.resumed));
    assert_eq!(
        pair.s.error.as_ref().and_then(|e| e.alert()),
        Some(AlertDescription::BAD_RECORD_MAC),
        "with the extended master secret the keys cover the ClientHello as sent"
    );
}

/// The offset of the first byte of the session_ticket extension's data in a ClientHello
/// record.
fn find_ticket(flight: &[u8]) -> usize {
    let (_, msg) = first_message(flight);
    let HandshakePayload::ClientHello(ch) = &msg.payload else {
        panic!("not a ClientHello")
    };
    let ticket = ch.session_ticket().expect("ticket offered").to_vec();
    assert!(!ticket.is_empty());
    flight
        .windows(ticket.len())
        .position(|w| w == ticket)
        .expect("ticket in the record")
}

#[test]
fn store_keeps_one_session_per_name_with_its_ticket() {
    let c = client_config();
    let s = server_config(&["server-rsa"]);
    connect(&c, &s);
    let store = c.session_store.clone().unwrap();
    let session = store.get(&name()).expect("stored");
    assert!(!session.ticket().is_empty());
    assert_eq!(session.session_id().len(), 32);
    assert!(session.extended_master_secret());
    assert_eq!(session.peer_certificates().len(), 2);
}

fn name() -> String {
    match server_name() {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        _ => unreachable!(),
    }
}

/// A plaintext NewSessionTicket record.
fn ticket_record() -> Vec<u8> {
    let nst = tls12::internal::msgs::NewSessionTicket {
        lifetime_hint: 60,
        ticket: vec![9; 40],
    };
    handshake_records(3, &HandshakeMessage::from(nst))
}

/// Runs a full handshake, inserting a NewSessionTicket record at the front of flight
/// `flight` travelling `dir`; returns the pair.
fn with_injected_ticket(c: ClientConfig, s: ServerConfig, dir: Dir, flight: usize) -> Pair {
    let mut pair = Pair::new(c, s);
    pair.run_with(|d, f, bytes| {
        if d == dir && f == flight {
            let mut with = ticket_record();
            with.extend_from_slice(bytes);
            *bytes = with;
        }
    });
    pair
}

fn alert_of(e: &Option<Error>) -> Option<AlertDescription> {
    e.as_ref().and_then(|e| e.alert())
}

#[test]
fn unsolicited_new_session_ticket_is_unexpected_message() {
    // The server did not acknowledge session_ticket (it has no ticketer): a ticket before
    // its ChangeCipherSpec is out of order.
    let mut s = server_config(&["server-rsa"]);
    s.ticketer = None;
    let pair = with_injected_ticket(client_config(), s, Dir::ToClient, 3);
    assert_eq!(
        alert_of(&pair.c.error),
        Some(AlertDescription::UNEXPECTED_MESSAGE)
    );
    assert!(pair.client.is_handshaking());
}

#[test]
fn a_second_new_session_ticket_is_unexpected_message() {
    // Promised and sent once by the server; a second one in front of it is one too many.
    let pair = with_injected_ticket(
        client_config(),
        server_config(&["server-rsa"]),
        Dir::ToClient,
        3,
    );
    // The injected ticket is taken as the promised one; the real one that follows is the
    // second, before the ChangeCipherSpec the client now expects.
    assert_eq!(
        alert_of(&pair.c.error),
        Some(AlertDescription::UNEXPECTED_MESSAGE)
    );
}

#[test]
fn a_new_session_ticket_in_the_servers_first_flight_is_unexpected_message() {
    let pair = with_injected_ticket(
        client_config(),
        server_config(&["server-rsa"]),
        Dir::ToClient,
        1,
    );
    assert_eq!(
        alert_of(&pair.c.error),
        Some(AlertDescription::UNEXPECTED_MESSAGE)
    );
}

#[test]
fn a_server_receiving_a_new_session_ticket_is_unexpected_message() {
    for flight in [0, 2] {
        let pair = with_injected_ticket(
            client_config(),
            server_config(&["server-rsa"]),
            Dir::ToServer,
            flight,
        );
        assert_eq!(
            alert_of(&pair.s.error),
            Some(AlertDescription::UNEXPECTED_MESSAGE),
            "flight {flight}"
        );
        assert!(pair.server.is_handshaking(), "flight {flight}");
    }
}

#[test]
fn a_large_garbage_ticket_does_not_stop_session_id_resumption() {
    // A client may send any opaque ticket up to 2^16-1 bytes: one the server cannot open
    // is ignored, and the session ID offered with it is looked up as usual.
    let (_, resumed) = offer_edited(|ch| {
        ch.extensions
            .as_mut()
            .unwrap()
            .push(ClientExtension::SessionTicket(vec![0xa5; 65_000]))
    });
    assert!(
        resumed,
        "the session ID still resumes; the garbage ticket is ignored"
    );
}

#[test]
fn every_suite_resumes_by_ticket_and_by_session_id() {
    // The PSK suites resume in tests/psk.rs.
    for suite in tls12::suites::ALL_SUITES
        .iter()
        .filter(|s| s.auth.is_some())
    {
        let key = match suite.auth {
            Some(tls12::crypto::KeyKind::Ecdsa) => "server-p256",
            _ => "server-rsa",
        };
        for tickets in [true, false] {
            let mut c = client_config();
            c.common.set_suites(&[suite.suite]).unwrap();
            c.enable_tickets = tickets;
            let mut s = server_config(&[key]);
            s.common.set_suites(&[suite.suite]).unwrap();
            connect(&c, &s);
            let mut second = connect(&c, &s);
            let (c2, s2) = second.summaries();
            assert!(
                c2.resumed && s2.resumed,
                "{:?} tickets {tickets}",
                suite.suite
            );
            assert_eq!(c2.suite, suite.suite);
            exchange(&mut second);
        }
    }
}

/// A store that persists sessions (another process, say) encodes them with
/// `ClientSession::encode` and reads them back with `decode` under the new process's
/// configuration: the session resumes, by ticket and by session ID. A verifier it was not
/// decoded for (another configuration sharing the store) does not get it offered.
#[test]
fn a_session_persisted_across_processes_resumes() {
    use tls12::resumption::{ClientSession, ClientSessionStore, InMemoryClientSessionStore};
    for tickets in [true, false] {
        let s = server_config(&["server-rsa"]);
        let mut c = client_config();
        c.enable_tickets = tickets;
        let first = connect(&c, &s);
        assert!(!first.summaries().0.resumed);
        let name = "testserver.tls12.test";
        let stored = c.session_store.as_ref().unwrap().get(name).expect("stored");
        let bytes = stored.encode().expect("encodes");
        // Every prefix and a trailing byte are refused.
        for n in 0..bytes.len() {
            assert!(
                ClientSession::decode(&bytes[..n], &c).is_err(),
                "prefix {n}"
            );
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(ClientSession::decode(&long, &c).is_err());

        // The "new process": a new configuration, verifier and store.
        let mut c2 = client_config();
        c2.enable_tickets = tickets;
        let store = Arc::new(InMemoryClientSessionStore::new(4));
        c2.session_store = Some(store.clone());
        let restored = ClientSession::decode(&bytes, &c2).expect("decodes");
        assert_eq!(restored.encode().unwrap(), bytes, "round trip");
        assert_eq!(restored.ticket().is_empty(), !tickets);
        store.put(name, restored);
        let second = connect(&c2, &s);
        assert!(second.summaries().0.resumed, "tickets {tickets}");
        assert!(second.summaries().1.resumed);

        // Bound to c2: a third configuration sharing the store does not offer it.
        let mut c3 = client_config();
        c3.session_store = Some(store.clone());
        let third = connect(&c3, &s);
        assert!(!third.summaries().0.resumed);
    }
}

/// This suite runs on the provider `TLS12_PROVIDER` names (`tests/common`).
#[test]
fn runs_on_the_provider_named_by_tls12_provider() {
    assert_is_the_named_provider(&*provider());
}
