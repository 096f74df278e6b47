//! No panic from any peer: the two crashes found by trying the crate as a new user would,
//! and the rest of their class, as regression tests.
//!
//! 1. A ClientHello whose server_name carries a host_name of 256 bytes or more (legal under
//!    its two-byte length) used to crash the server after Finished, when the session was
//!    encoded with a one-byte name length. Now the name must be a DNS name of at most 253
//!    bytes where it enters (RFC 6066 section 3), and encoding returns an error instead of
//!    asserting.
//! 2. A server that sent a NewSessionTicket of about 65 KB made every later
//!    `ClientConnection` to its name panic building a ClientHello whose extension block no
//!    longer fit its two-byte length. Now a ticket over `ClientConfig::max_ticket_len`
//!    (16 KiB) is ignored, and a stored ticket that does not fit is dropped, not sent.
//! 3. The same class: a chain the verifier accepts, padded with unused intermediates, could
//!    make the sealed ticket longer than the NewSessionTicket's two-byte length. Now chains
//!    are capped (`CommonConfig::max_peer_chain_len`, 10) and a ticket that would not fit is
//!    sent empty (RFC 5077 section 3.3).
//!
//! Scripted peers are built from the crate's codec and run against endpoints on the
//! no-security `FuzzProvider` (so the script can finish a handshake) or on ring.

mod common;

use std::sync::Arc;

use common::forge::{self, hs, hs_records};
use common::{CCS, HANDSHAKE, Pair, Sink, fuzz_sealed, pump, record, records};
use tls12::enums::{AlertDescription, HandshakeType, NamedGroup};
use tls12::fuzzing::{self, OPT_CLIENT_AUTH};
use tls12::internal::codec::Codec;
use tls12::internal::msgs::{
    CertificateChain, ClientExtension, ClientHello, HandshakeMessage, NewSessionTicket,
    ServerExtension, SessionId,
};
use tls12::pki_types::{CertificateDer, ServerName};
use tls12::resumption::{LruSessionCache, ServerSessionCache};
use tls12::verify::danger::NoServerVerification;
use tls12::{
    CertificateError, ClientConfig, ClientConnection, Connection, Error, ServerConnection,
};

// ---------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------

/// Feeds `input` to a connection and drains it.
fn feed(conn: &mut Connection, sink: &mut Sink, input: &[u8]) {
    pump(conn, input, sink);
}

/// The scripted peer's ClientHello with `exts` added.
fn client_hello(exts: Vec<ClientExtension>) -> ClientHello {
    let mut ch = forge::client_hello();
    ch.extensions.as_mut().expect("has extensions").extend(exts);
    ch
}

/// The fatal alert the endpoint sent last.
fn last_fatal_alert(tx: &[u8]) -> Option<AlertDescription> {
    forge::last_alert(tx).and_then(|(level, desc)| (level == 2).then_some(desc))
}

fn cert_chain(n: usize, cert_len: usize) -> CertificateChain {
    CertificateChain(
        (0..n)
            .map(|i| CertificateDer::from(vec![i as u8 + 1; cert_len]))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// Crash 1: the server and a long host_name
// ---------------------------------------------------------------------------------------

/// The exact crash input: a full handshake whose ClientHello names a 300-byte host. It is
/// refused at the ClientHello with unrecognized_name (RFC 6066 section 3; OpenSSL's alert
/// for an over-long name), so no session holding it can exist; the same configuration
/// then serves an ordinary client. Checked with the default configuration (session cache
/// and ticketer on) and with both off (the crash happened with both off too).
#[test]
fn a_300_byte_host_name_is_refused_and_the_server_keeps_serving() {
    for stores in [true, false] {
        let mut config = common::server_config(&["server-rsa"]);
        if !stores {
            config.session_cache = None;
            config.ticketer = None;
        }
        let config = Arc::new(config);
        let long = format!("{}.example", "a".repeat(291));
        assert_eq!(long.len(), 299);
        for name in [long.clone() + "x", "a".repeat(300), "b.".repeat(150)] {
            let mut server = ServerConnection::new(config.clone()).unwrap();
            let mut sink = Sink::default();
            let ch = client_hello(vec![
                ClientExtension::host_name(name.as_bytes()),
                ClientExtension::SessionTicket(Vec::new()),
            ]);
            feed(
                &mut server,
                &mut sink,
                &hs_records(HandshakeMessage::from(ch)),
            );
            let err = sink.error.clone().expect("refused");
            assert_eq!(err.alert(), Some(AlertDescription::UNRECOGNIZED_NAME));
            assert_eq!(
                last_fatal_alert(&sink.tx),
                Some(AlertDescription::UNRECOGNIZED_NAME)
            );
            assert_eq!(server.handle_input(b"x"), Err(err), "sticky");
        }
        // And the next, ordinary client is served.
        let mut pair = Pair::new(common::client_config(), (*config).clone());
        pair.handshake();
    }
}

/// A host_name up to the 65,535 bytes its length allows, over several records: refused the
/// same way, whatever its length.
#[test]
fn host_names_up_to_the_wire_maximum_are_refused_cleanly() {
    for len in [254, 255, 256, 1000, 16_384, 60_000] {
        let mut server =
            ServerConnection::new(Arc::new(fuzzing::server_config(0))).expect("valid config");
        let mut sink = Sink::default();
        let ch = client_hello(vec![ClientExtension::host_name(&vec![b'a'; len])]);
        feed(
            &mut server,
            &mut sink,
            &hs_records(HandshakeMessage::from(ch)),
        );
        assert_eq!(
            last_fatal_alert(&sink.tx),
            Some(AlertDescription::UNRECOGNIZED_NAME),
            "{len}: {:?}",
            sink.error
        );
    }
}

/// The longest legal name, 253 bytes, completes a real handshake, is kept in the session
/// (cache and ticket), and resumes by ticket and by session ID.
#[test]
fn the_longest_dns_name_is_saved_and_resumed() {
    let name = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61),
    ]
    .join(".");
    assert_eq!(name.len(), 253);
    let server = Arc::new(common::server_config(&["server-rsa"]));
    for tickets in [true, false] {
        let mut client = common::client_config();
        let sv = client.common.provider.signature_verification();
        client.verifier = Arc::new(NoServerVerification::new(*sv));
        client.enable_tickets = tickets;
        let client = Arc::new(client);
        for round in 0..2 {
            let server_name = ServerName::try_from(name.clone()).unwrap();
            let c = ClientConnection::new(client.clone(), server_name).unwrap();
            let s = ServerConnection::new(server.clone()).unwrap();
            let mut pair = Pair {
                client: c,
                server: s,
                c: Sink::default(),
                s: Sink::default(),
                flights: 0,
            };
            pair.handshake();
            let summary = pair.server.handshake_summary().unwrap();
            assert_eq!(summary.server_name.as_deref(), Some(name.as_str()));
            assert_eq!(
                summary.resumed,
                round == 1,
                "tickets {tickets} round {round}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Crash 2: the client and a huge ticket
// ---------------------------------------------------------------------------------------

/// A forged server's first flight for the fuzzing client (default options), acknowledging
/// session_ticket, with `session_id` and `chain`.
fn server_first_flight(session_id: SessionId, chain: CertificateChain) -> Vec<u8> {
    let mut sh = forge::server_hello();
    sh.session_id = session_id;
    sh.extensions
        .as_mut()
        .expect("has extensions")
        .push(ServerExtension::SessionTicket);
    let ske = forge::forged_ske(NamedGroup::X25519, forge::x25519_public());
    let mut out = hs_records(HandshakeMessage::from(sh));
    out.extend(hs_records(HandshakeMessage::from(chain)));
    out.extend(hs_records(HandshakeMessage::from(ske)));
    out.extend(hs_records(HandshakeMessage::server_hello_done()));
    out
}

fn rsa_chain() -> CertificateChain {
    forge::server_cert()
}

/// The forged server's last flight: NewSessionTicket, ChangeCipherSpec, Finished.
fn server_last_flight(ticket: Vec<u8>) -> Vec<u8> {
    let mut out = hs_records(HandshakeMessage::from(NewSessionTicket {
        lifetime_hint: 7 * 24 * 3600,
        ticket,
    }));
    out.extend(record(CCS, &[1]));
    out.extend(fuzz_sealed(
        HANDSHAKE,
        &hs(HandshakeMessage::finished(vec![0; 12])),
    ));
    out
}

/// Runs a fuzzing client against the forged server issuing `ticket`; returns the client.
fn client_given_ticket(config: &Arc<ClientConfig>, session_id: SessionId, ticket: Vec<u8>) {
    let name = ServerName::try_from(fuzzing::SERVER_NAME).unwrap();
    let mut client = ClientConnection::new(config.clone(), name).expect("valid config");
    let mut sink = Sink::default();
    feed(&mut client, &mut sink, &[]);
    feed(
        &mut client,
        &mut sink,
        &server_first_flight(session_id, rsa_chain()),
    );
    feed(&mut client, &mut sink, &server_last_flight(ticket));
    assert_eq!(sink.error, None);
    assert!(!client.is_handshaking(), "the forged handshake completed");
}

/// The ClientHello the next connection to the forged server's name sends.
fn next_client_hello(config: &Arc<ClientConfig>) -> ClientHello {
    let name = ServerName::try_from(fuzzing::SERVER_NAME).unwrap();
    let mut client = ClientConnection::new(config.clone(), name).expect("the next connection");
    let mut sink = Sink::default();
    feed(&mut client, &mut sink, &[]);
    let mut r = tls12::internal::codec::Reader::new(&sink.tx);
    let mut body = Vec::new();
    while r.any_left() {
        let h = r.take(5, "header").unwrap();
        let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
        body.extend_from_slice(r.take(len, "body").unwrap());
    }
    match HandshakeMessage::decode(&body).unwrap().payload {
        tls12::internal::msgs::HandshakePayload::ClientHello(ch) => ch,
        other => panic!("not a ClientHello: {other:?}"),
    }
}

/// The exact crash input: a 65,480-byte ticket from a server with a valid certificate. The
/// handshake completes, the ticket is ignored (over the 16 KiB cap), and every later
/// connection to the name builds its ClientHello.
#[test]
fn a_65_480_byte_ticket_is_ignored_and_the_next_connection_works() {
    for session_id in [SessionId::EMPTY, SessionId::new(&[7; 32]).unwrap()] {
        let config = Arc::new(fuzzing::client_config(0));
        client_given_ticket(&config, session_id, vec![0xa5; 65_480]);
        let store = config.session_store.as_ref().unwrap();
        let stored = store.get(fuzzing::SERVER_NAME);
        match &stored {
            // Only the session ID is kept.
            Some(s) => {
                assert_eq!(s.session_id(), session_id.as_slice());
                assert!(s.ticket().is_empty());
            }
            None => assert!(session_id.is_empty(), "a session ID makes a session"),
        }
        for _ in 0..3 {
            let ch = next_client_hello(&config);
            assert_eq!(ch.session_ticket(), Some(&[][..]));
            assert_eq!(ch.session_id, session_id);
        }
    }
}

/// A ticket at the cap is kept and offered; one byte over is not; the cap is the
/// configuration's.
#[test]
fn the_ticket_cap_is_configurable_and_exact() {
    for (cap, len, kept) in [
        (16_384, 16_384, true),
        (16_384, 16_385, false),
        (100, 100, true),
        (100, 101, false),
    ] {
        let mut config = fuzzing::client_config(0);
        config.max_ticket_len = cap;
        let config = Arc::new(config);
        client_given_ticket(&config, SessionId::EMPTY, vec![0x11; len]);
        let ch = next_client_hello(&config);
        let offered = ch.session_ticket().unwrap().len();
        assert_eq!(offered, if kept { len } else { 0 }, "cap {cap} len {len}");
    }
}

/// With the cap raised to the wire maximum, a stored ticket that does not fit beside the
/// other extensions is dropped (and the session forgotten), not sent and not a panic.
#[test]
fn a_stored_ticket_that_does_not_fit_the_client_hello_is_dropped() {
    let mut config = fuzzing::client_config(0);
    config.max_ticket_len = 65_535;
    let config = Arc::new(config);
    client_given_ticket(&config, SessionId::EMPTY, vec![0x22; 65_500]);
    let store = config.session_store.as_ref().unwrap();
    assert_eq!(
        store.get(fuzzing::SERVER_NAME).map(|s| s.ticket().len()),
        Some(65_500)
    );
    let ch = next_client_hello(&config);
    assert_eq!(ch.session_ticket(), Some(&[][..]));
    assert!(store.get(fuzzing::SERVER_NAME).is_none(), "forgotten");
}

// ---------------------------------------------------------------------------------------
// The same class: long chains, tickets that would not fit
// ---------------------------------------------------------------------------------------

/// A server chain of 11 certificates is refused with bad_certificate before verification
/// (the fuzzing verifier accepts anything); 10 are accepted.
#[test]
fn a_server_chain_over_the_cap_is_bad_certificate() {
    for (n, ok) in [(10, true), (11, false), (200, false)] {
        let config = Arc::new(fuzzing::client_config(0));
        let name = ServerName::try_from(fuzzing::SERVER_NAME).unwrap();
        let mut client = ClientConnection::new(config, name).unwrap();
        let mut sink = Sink::default();
        feed(&mut client, &mut sink, &[]);
        let mut chain = rsa_chain();
        chain.0.extend(cert_chain(n - 2, 100).0);
        feed(
            &mut client,
            &mut sink,
            &server_first_flight(SessionId::EMPTY, chain),
        );
        if ok {
            assert_eq!(sink.error, None, "{n}");
        } else {
            assert_eq!(
                sink.error,
                Some(Error::Certificate(CertificateError::ChainTooLong)),
                "{n}"
            );
            assert_eq!(
                last_fatal_alert(&sink.tx),
                Some(AlertDescription::BAD_CERTIFICATE)
            );
        }
    }
}

/// What a forged client sends a forged server that requests a certificate: ClientHello
/// (asking for a ticket), `chain`, ClientKeyExchange, CertificateVerify, CCS, Finished.
fn client_script(chain: CertificateChain) -> Vec<Vec<u8>> {
    let ch = client_hello(vec![ClientExtension::SessionTicket(Vec::new())]);
    forge::client_script_with(ch, chain)
}

/// The NewSessionTicket in a server's last flight (sent in plaintext before its CCS).
fn issued_ticket(tx: &[u8]) -> Option<NewSessionTicket> {
    let mut body = Vec::new();
    for r in records(tx) {
        if r.typ == CCS {
            break;
        }
        if r.typ == HANDSHAKE {
            body.extend_from_slice(&tx[r.body()..r.end()]);
        }
    }
    let mut rd = tls12::internal::codec::Reader::new(&body);
    while rd.any_left() {
        let m = HandshakeMessage::read(&mut rd).ok()?;
        if m.typ == HandshakeType::NEW_SESSION_TICKET {
            if let tls12::internal::msgs::HandshakePayload::NewSessionTicket(t) = m.payload {
                return Some(t);
            }
        }
    }
    None
}

/// A client chain the verifier accepts, large enough that the sealed session would not fit
/// a NewSessionTicket's two-byte length: the server completes the handshake and sends an
/// empty ticket (RFC 5077 section 3.3). A smaller chain gets a real ticket. A chain over
/// the cap is bad_certificate.
#[test]
fn a_session_too_large_for_a_ticket_gets_an_empty_ticket() {
    for (n, cert_len, expect_ticket) in [(2, 1000, true), (10, 7000, false)] {
        let mut config = fuzzing::server_config(OPT_CLIENT_AUTH);
        config.common.max_handshake_message = 128 * 1024;
        // Not what refuses it here: the ticket's own length does.
        config.max_session_len = 1 << 20;
        // Large enough to hold the session, so the cache is not what refuses it.
        config.session_cache = Some(Arc::new(LruSessionCache::with_limits(4, 1 << 20)));
        let mut server = ServerConnection::new(Arc::new(config)).unwrap();
        let mut sink = Sink::default();
        for step in client_script(cert_chain(n, cert_len)) {
            feed(&mut server, &mut sink, &step);
            assert_eq!(sink.error, None);
        }
        assert!(!server.is_handshaking());
        let ticket = issued_ticket(&sink.tx).expect("a NewSessionTicket");
        assert_eq!(!ticket.ticket.is_empty(), expect_ticket, "{n} x {cert_len}");
        if !expect_ticket {
            assert_eq!(ticket.lifetime_hint, 0);
        }
    }
    let mut server =
        ServerConnection::new(Arc::new(fuzzing::server_config(OPT_CLIENT_AUTH))).unwrap();
    let mut sink = Sink::default();
    for step in client_script(cert_chain(11, 10)).into_iter().take(2) {
        feed(&mut server, &mut sink, &step);
    }
    assert_eq!(
        last_fatal_alert(&sink.tx),
        Some(AlertDescription::BAD_CERTIFICATE)
    );
}

/// The server's session cache holds at most its byte budget, whatever the sessions hold.
#[test]
fn the_session_cache_stays_within_its_byte_budget() {
    let cache = Arc::new(LruSessionCache::with_limits(1000, 20_000));
    for i in 0..20u8 {
        let mut config = fuzzing::server_config(OPT_CLIENT_AUTH);
        config.session_cache = Some(cache.clone());
        let mut server = ServerConnection::new(Arc::new(config)).unwrap();
        let mut sink = Sink::default();
        for step in client_script(cert_chain(3, 2000 + usize::from(i))) {
            feed(&mut server, &mut sink, &step);
        }
        assert_eq!(sink.error, None);
        assert!(cache.stored_bytes() <= 20_000, "{}", cache.stored_bytes());
    }
    // Each session holds a ~6 KB chain: at most three fit.
    assert!((1..=3).contains(&cache.len()), "{}", cache.len());
    let _: &dyn ServerSessionCache = cache.as_ref();
}

/// A session over `ServerConfig::max_session_len` (16 KiB by default; here a 3 x 6,000-byte
/// client chain) is neither cached nor sealed into a ticket: the handshake completes with an
/// empty ticket and the cache stays empty. One under it is kept both ways.
#[test]
fn a_session_over_max_session_len_is_not_kept() {
    for (cert_len, kept) in [(6000, false), (4000, true)] {
        let cache = Arc::new(LruSessionCache::new(16));
        let mut config = fuzzing::server_config(OPT_CLIENT_AUTH);
        config.session_cache = Some(cache.clone());
        let mut server = ServerConnection::new(Arc::new(config)).unwrap();
        let mut sink = Sink::default();
        for step in client_script(cert_chain(3, cert_len)) {
            feed(&mut server, &mut sink, &step);
            assert_eq!(sink.error, None);
        }
        let ticket = issued_ticket(&sink.tx).expect("a NewSessionTicket");
        assert_eq!(!ticket.ticket.is_empty(), kept, "{cert_len}");
        assert_eq!(cache.len(), usize::from(kept), "{cert_len}");
    }
}
