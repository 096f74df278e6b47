//! Small records: max_fragment_length (RFC 6066 section 4) and record_size_limit (RFC
//! 8449), negotiated and honoured.
//!
//! - In memory, both sides of this crate: the extensions on the wire, the size of every
//!   record each side sends, the RFC 8449 rules (precedence over max_fragment_length, the
//!   limit counting plaintext and no content type, values under 64, 16385 meaning 2^14,
//!   unprotected records exempt), record_overflow for a record over the limit (records
//!   sealed with keys taken from the key log), and the receive buffer sized to match
//!   (heap measured with the counting allocator).
//! - Forged peers (`common::forge`): answers a client must refuse, and a ClientHello with
//!   an undefined max_fragment_length.
//! - OpenSSL (`openssl s_server` / `s_client`, which implement max_fragment_length but not
//!   record_size_limit): both directions at 512 bytes, with transfers of several records
//!   each way, every record header checked by a TCP proxy between the two.

mod common;
#[path = "../examples/common/mod.rs"]
mod example;
#[path = "common/openssl.rs"]
mod openssl;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use common::counting_alloc::{self as heap, Counting};
use common::forge::{Conn, Under, client_hello_with, server_cert, server_hello_with};
use common::{
    APP_DATA, CCS, Dir, HANDSHAKE, Pair, RecordSpan, Sink, client_config, pump, records,
    server_config, server_name,
};
use tls12::crypto::{AeadAlgorithm, HashAlgorithm, KeyLog};
use tls12::enums::{AlertDescription, MaxFragmentLength};
use tls12::internal::codec::Codec;
use tls12::internal::codec::enums::{ContentType, ProtocolVersion};
use tls12::internal::key_schedule::{KeyBlockLayout, MasterSecret};
use tls12::internal::msgs::{
    ClientExtension, ClientHello, HandshakeMessage, HandshakePayload, ServerExtension, ServerHello,
};
use tls12::internal::record::protect::RecordSealer;
use tls12::{ClientConfig, ClientConnection, Connection, Error, ServerConfig, ServerConnection};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What AES-GCM adds to a record's plaintext: explicit nonce and tag.
const GCM: usize = 24;

const ALL_MFL: [(MaxFragmentLength, usize); 4] = [
    (MaxFragmentLength::L512, 512),
    (MaxFragmentLength::L1024, 1024),
    (MaxFragmentLength::L2048, 2048),
    (MaxFragmentLength::L4096, 4096),
];

fn mfl_client(m: MaxFragmentLength) -> ClientConfig {
    let mut c = client_config();
    c.max_fragment_length = Some(m);
    c
}

fn rsl_client(limit: u16) -> ClientConfig {
    let mut c = client_config();
    c.common.record_size_limit = Some(limit);
    c
}

fn rsa_server() -> ServerConfig {
    server_config(&["server-rsa"])
}

/// Everything each side sent, in order.
#[derive(Default)]
struct Wire {
    to_server: Vec<u8>,
    to_client: Vec<u8>,
}

impl Wire {
    fn note(&mut self, dir: Dir, flight: &[u8]) {
        match dir {
            Dir::ToServer => self.to_server.extend_from_slice(flight),
            Dir::ToClient => self.to_client.extend_from_slice(flight),
        }
    }
}

/// Runs the handshake, recording the wire.
fn handshake(pair: &mut Pair) -> Wire {
    let mut wire = Wire::default();
    pair.run_with(|dir, _, flight| wire.note(dir, flight));
    assert!(pair.c.error.is_none(), "client: {:?}", pair.c.error);
    assert!(pair.s.error.is_none(), "server: {:?}", pair.s.error);
    assert!(!pair.client.is_handshaking() && !pair.server.is_handshaking());
    wire
}

/// Each side writes its data; both are delivered whole. Returns the records sent.
fn exchange(pair: &mut Pair, c2s: &[u8], s2c: &[u8]) -> Wire {
    pair.c.app.clear();
    pair.s.app.clear();
    assert_eq!(pair.client.write(c2s), Ok(c2s.len()));
    assert_eq!(pair.server.write(s2c), Ok(s2c.len()));
    pump(&mut pair.server, &[], &mut pair.s);
    let mut wire = Wire::default();
    pair.run_with(|dir, _, flight| wire.note(dir, flight));
    assert!(pair.c.error.is_none() && pair.s.error.is_none());
    assert_eq!(pair.s.app, c2s, "client to server");
    assert_eq!(pair.c.app, s2c, "server to client");
    wire
}

/// `n` bytes of a recognisable pattern.
fn data(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// The records of `bytes` before and after the sender's ChangeCipherSpec.
fn split_at_ccs(bytes: &[u8]) -> (Vec<RecordSpan>, Vec<RecordSpan>) {
    let all = records(bytes);
    match all.iter().position(|r| r.typ == CCS) {
        Some(i) => (all[..i].to_vec(), all[i + 1..].to_vec()),
        None => (all, Vec::new()),
    }
}

/// The first handshake message in `bytes`, which must fit its first record.
fn first_message(bytes: &[u8]) -> HandshakePayload {
    let r = records(bytes)[0];
    assert_eq!(r.typ, HANDSHAKE);
    HandshakeMessage::decode(&bytes[r.body()..r.end()])
        .expect("a whole handshake message in the first record")
        .payload
}

fn server_hello_in(bytes: &[u8]) -> ServerHello {
    match first_message(bytes) {
        HandshakePayload::ServerHello(sh) => sh,
        other => panic!("not a ServerHello: {other:?}"),
    }
}

fn client_hello_in(bytes: &[u8]) -> ClientHello {
    match first_message(bytes) {
        HandshakePayload::ClientHello(ch) => ch,
        other => panic!("not a ClientHello: {other:?}"),
    }
}

fn lens(spans: &[RecordSpan], typ: u8) -> Vec<usize> {
    spans
        .iter()
        .filter(|r| r.typ == typ)
        .map(|r| r.len)
        .collect()
}

/// The fragment lengths of `payload_len` bytes of application data in records of at most
/// `max` plaintext bytes, sealed with AES-GCM: full records, then the rest.
fn expected_app_records(payload_len: usize, max: usize) -> Vec<usize> {
    let mut v = vec![max + GCM; payload_len / max];
    if !payload_len.is_multiple_of(max) {
        v.push(payload_len % max + GCM);
    }
    v
}

// ---------------------------------------------------------------------------------------
// max_fragment_length, both sides of this crate
// ---------------------------------------------------------------------------------------

#[test]
fn max_fragment_length_is_echoed_and_bounds_every_record_both_ways() {
    for (m, len) in ALL_MFL {
        let mut pair = Pair::new(mfl_client(m), rsa_server());
        let hs = handshake(&mut pair);
        assert_eq!(
            client_hello_in(&hs.to_server).max_fragment_length(),
            Some(m)
        );
        assert_eq!(
            server_hello_in(&hs.to_client).max_fragment_length(),
            Some(m)
        );

        // The server's flight from ServerHello on, and everything the client sends after
        // its ClientHello, plaintext or protected.
        let (clear, sealed) = split_at_ccs(&hs.to_client);
        assert!(clear.iter().all(|r| r.len <= len), "{len}: {clear:?}");
        assert!(
            sealed.iter().all(|r| r.len <= len + GCM),
            "{len}: {sealed:?}"
        );
        // The certificate chain (about 1.7 KB) was cut at the limit.
        if len < 1024 {
            assert!(lens(&clear, HANDSHAKE).contains(&len), "{len}: {clear:?}");
        }
        let (clear, sealed) = split_at_ccs(&hs.to_server);
        assert!(clear[1..].iter().all(|r| r.len <= len), "{len}: {clear:?}");
        assert!(sealed.iter().all(|r| r.len <= len + GCM));

        // Application data: every record full up to the limit, both ways.
        let (c2s, s2c) = (data(20_000, 1), data(9_000, 2));
        let w = exchange(&mut pair, &c2s, &s2c);
        assert_eq!(
            lens(&records(&w.to_server), APP_DATA),
            expected_app_records(c2s.len(), len)
        );
        assert_eq!(
            lens(&records(&w.to_client), APP_DATA),
            expected_app_records(s2c.len(), len)
        );
    }
}

#[test]
fn max_fragment_length_also_bounds_write_into() {
    let mut pair = Pair::new(mfl_client(MaxFragmentLength::L1024), rsa_server());
    handshake(&mut pair);
    let payload = data(3000, 3);
    let mut out = vec![0u8; 8192];
    let (taken, written) = pair.client.write_into(&payload, &mut out).unwrap();
    assert_eq!(taken, 3000);
    assert_eq!(
        lens(&records(&out[..written]), APP_DATA),
        expected_app_records(3000, 1024)
    );
    pump(&mut pair.server, &out[..written], &mut pair.s);
    assert_eq!(pair.s.app, payload);
}

#[test]
fn a_server_that_does_not_accept_max_fragment_length_ignores_it() {
    let mut server = rsa_server();
    server.accept_max_fragment_length = false;
    let mut pair = Pair::new(mfl_client(MaxFragmentLength::L512), server);
    let hs = handshake(&mut pair);
    assert_eq!(server_hello_in(&hs.to_client).max_fragment_length(), None);
    let w = exchange(&mut pair, &data(20_000, 4), &data(20_000, 5));
    for bytes in [&w.to_server, &w.to_client] {
        assert_eq!(
            lens(&records(bytes), APP_DATA),
            expected_app_records(20_000, 16384)
        );
    }
}

#[test]
fn max_fragment_length_is_negotiated_again_when_resuming() {
    let client = Arc::new(mfl_client(MaxFragmentLength::L512));
    let server = Arc::new(rsa_server());
    for round in 0..2 {
        let mut pair = Pair {
            client: ClientConnection::new(client.clone(), server_name()).unwrap(),
            server: ServerConnection::new(server.clone()).unwrap(),
            c: Sink::default(),
            s: Sink::default(),
            flights: 0,
        };
        let hs = handshake(&mut pair);
        let resumed = pair.client.handshake_summary().unwrap().resumed;
        assert_eq!(resumed, round == 1);
        assert_eq!(
            server_hello_in(&hs.to_client).max_fragment_length(),
            Some(MaxFragmentLength::L512)
        );
        let w = exchange(&mut pair, &data(2000, 6), &data(2000, 7));
        assert_eq!(
            lens(&records(&w.to_client), APP_DATA),
            expected_app_records(2000, 512)
        );
    }
}

// ---------------------------------------------------------------------------------------
// max_fragment_length against forged peers
// ---------------------------------------------------------------------------------------

/// A real client of `config` that has sent its ClientHello.
fn client_of(config: ClientConfig) -> Under {
    let c = ClientConnection::new(Arc::new(config), server_name()).expect("valid config");
    let mut u = Under {
        conn: Conn::Client(c),
        sink: Sink::default(),
    };
    u.feed(&[]);
    u
}

/// A ServerHello (for a real client) with `exts` added.
fn server_hello_plus(exts: &[ServerExtension]) -> Vec<u8> {
    server_hello_with(|sh| {
        sh.extensions
            .get_or_insert_with(Vec::new)
            .extend_from_slice(exts);
    })
}

/// A ClientHello (for a real server) with `exts` added.
fn client_hello_plus(exts: &[ClientExtension]) -> Vec<u8> {
    client_hello_with(|ch| {
        ch.extensions
            .get_or_insert_with(Vec::new)
            .extend_from_slice(exts);
    })
}

/// The server certificate chain in handshake records of `size` bytes.
fn certificate_in_records_of(size: usize) -> Vec<u8> {
    let msg = HandshakeMessage::from(server_cert()).to_bytes().unwrap();
    assert!(msg.len() > 1200, "the chain spans records");
    common::fragmented(HANDSHAKE, &msg, size)
}

#[test]
fn a_server_answering_another_length_is_illegal_parameter() {
    let mut c = client_of(mfl_client(MaxFragmentLength::L512));
    c.feed(&server_hello_plus(&[ServerExtension::MaxFragmentLength(
        MaxFragmentLength::L1024,
    )]));
    c.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn an_unsolicited_max_fragment_length_is_unsupported_extension() {
    // Not offered at all: the rule for every extension (RFC 5246 section 7.4.1.4).
    let mut c = client_of(client_config());
    c.feed(&server_hello_plus(&[ServerExtension::MaxFragmentLength(
        MaxFragmentLength::L512,
    )]));
    c.assert_fatal(AlertDescription::UNSUPPORTED_EXTENSION);
}

#[test]
fn an_undefined_max_fragment_length_is_illegal_parameter() {
    let mut s = Under::real_server(false);
    s.feed(&client_hello_plus(&[ClientExtension::MaxFragmentLength(
        MaxFragmentLength(5),
    )]));
    s.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);

    let mut config = client_config();
    config.max_fragment_length = Some(MaxFragmentLength(0));
    assert!(matches!(config.build(), Err(Error::Config(_))));
}

#[test]
fn a_client_record_over_the_negotiated_length_is_record_overflow() {
    let mut c = client_of(mfl_client(MaxFragmentLength::L512));
    let echo = server_hello_plus(&[ServerExtension::MaxFragmentLength(MaxFragmentLength::L512)]);
    // The certificate in 512-byte records is taken...
    c.feed(&echo);
    c.feed(&certificate_in_records_of(512));
    assert_eq!(c.sink.error, None);
    // ...in 513-byte records it is record_overflow, from the first header.
    let mut c = client_of(mfl_client(MaxFragmentLength::L512));
    c.feed(&echo);
    c.feed(&certificate_in_records_of(513)[..5]);
    c.assert_fatal(AlertDescription::RECORD_OVERFLOW);
}

#[test]
fn a_server_record_over_the_negotiated_length_is_record_overflow() {
    let mut s = Under::real_server(false);
    s.feed(&client_hello_plus(&[ClientExtension::MaxFragmentLength(
        MaxFragmentLength::L512,
    )]));
    assert_eq!(s.sink.error, None);
    assert_eq!(
        server_hello_in(&s.sink.tx).max_fragment_length(),
        Some(MaxFragmentLength::L512)
    );
    assert!(records(&s.sink.tx).iter().all(|r| r.len <= 512));
    s.feed(&common::record(HANDSHAKE, &[0; 513])[..5]);
    s.assert_fatal(AlertDescription::RECORD_OVERFLOW);
}

// ---------------------------------------------------------------------------------------
// Protected records over the limit, sealed with keys from the key log
// ---------------------------------------------------------------------------------------

/// Keeps the master secret the key log gets.
#[derive(Default, Debug)]
struct Capture(Mutex<Option<[u8; 48]>>);

impl KeyLog for Capture {
    fn log(&self, _: &str, _: &[u8], secret: &[u8]) {
        *self.0.lock().unwrap() = secret.try_into().ok();
    }
}

/// A completed handshake (AES-128-GCM) and sealers for both directions, in step with the
/// endpoints for their first application record (each sent one Finished).
struct Injector {
    pair: Pair,
    client_sealer: RecordSealer,
    server_sealer: RecordSealer,
}

impl Injector {
    fn new(mut client: ClientConfig, server: ServerConfig) -> Self {
        let capture = Arc::new(Capture::default());
        client.common.key_log = Some(capture.clone());
        client
            .common
            .set_suites(&[tls12::enums::CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256])
            .unwrap();
        let mut pair = Pair::new(client, server);
        handshake(&mut pair);
        let summary = pair.client.handshake_summary().unwrap().clone();
        let master = MasterSecret::from_bytes(capture.0.lock().unwrap().expect("logged"));
        let p = common::provider();
        let block = master
            .key_block(
                p.hmac(HashAlgorithm::Sha256),
                &summary.client_random,
                &summary.server_random,
                KeyBlockLayout::aead(AeadAlgorithm::Aes128Gcm),
            )
            .unwrap();
        let aead = p.aead(AeadAlgorithm::Aes128Gcm).unwrap();
        let [client_sealer, server_sealer] = [block.client(), block.server()].map(|k| {
            let mut s = RecordSealer::new(aead, k.key, k.iv).unwrap();
            // Sequence number 0 was the Finished.
            s.seal_in_place(
                ContentType::HANDSHAKE,
                ProtocolVersion::TLS12,
                &mut [0; 64],
                1,
            )
            .unwrap();
            s
        });
        Self {
            pair,
            client_sealer,
            server_sealer,
        }
    }

    /// An application data record of `plaintext` sealed by `from`'s keys, fed to the other
    /// side; returns what that side made of it.
    fn inject(&mut self, from: Dir, plaintext: &[u8]) -> Sink {
        let (sealer, to): (_, &mut Connection) = match from {
            Dir::ToServer => (&mut self.client_sealer, &mut self.pair.server),
            Dir::ToClient => (&mut self.server_sealer, &mut self.pair.client),
        };
        let mut rec = vec![0u8; 5 + GCM + plaintext.len()];
        rec[5 + 8..5 + 8 + plaintext.len()].copy_from_slice(plaintext);
        let n = sealer
            .seal_in_place(
                ContentType::APPLICATION_DATA,
                ProtocolVersion::TLS12,
                &mut rec,
                plaintext.len(),
            )
            .unwrap();
        assert_eq!(n, rec.len());
        let mut sink = Sink::default();
        pump(to, &rec, &mut sink);
        sink
    }
}

#[test]
fn a_protected_record_over_the_negotiated_length_is_record_overflow() {
    for from in [Dir::ToClient, Dir::ToServer] {
        let mut inj = Injector::new(mfl_client(MaxFragmentLength::L512), rsa_server());
        let sink = inj.inject(from, &data(512, 8));
        assert_eq!(sink.error, None, "{from:?}");
        assert_eq!(sink.app, data(512, 8));
        let sink = inj.inject(from, &data(513, 9));
        let e = sink.error.expect("refused");
        assert_eq!(
            e.alert(),
            Some(AlertDescription::RECORD_OVERFLOW),
            "{from:?}: {e:?}"
        );
        assert!(sink.app.is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// record_size_limit (RFC 8449)
// ---------------------------------------------------------------------------------------

#[test]
fn each_side_keeps_to_the_peers_record_size_limit() {
    let mut server = rsa_server();
    server.common.record_size_limit = Some(2000);
    let mut pair = Pair::new(rsl_client(1000), server);
    let hs = handshake(&mut pair);
    assert_eq!(
        client_hello_in(&hs.to_server).record_size_limit(),
        Some(1000)
    );
    let sh = server_hello_in(&hs.to_client);
    assert_eq!(sh.record_size_limit(), Some(2000));
    assert_eq!(sh.max_fragment_length(), None);
    // This crate keeps its handshake records within the peer's limit too (allowed: RFC
    // 8449 only forbids larger protected records).
    assert!(records(&hs.to_client).iter().all(|r| r.len <= 1000 + GCM));
    assert!(lens(&split_at_ccs(&hs.to_client).0, HANDSHAKE).contains(&1000));

    // The limit counts plaintext: 1000 (and 2000) bytes plus the cipher's 24, no content
    // type in TLS 1.2.
    let (c2s, s2c) = (data(9000, 10), data(9000, 11));
    let w = exchange(&mut pair, &c2s, &s2c);
    assert_eq!(
        lens(&records(&w.to_client), APP_DATA),
        expected_app_records(9000, 1000)
    );
    assert_eq!(
        lens(&records(&w.to_server), APP_DATA),
        expected_app_records(9000, 2000)
    );
}

#[test]
fn record_size_limit_takes_precedence_over_max_fragment_length() {
    let mut client = mfl_client(MaxFragmentLength::L512);
    client.common.record_size_limit = Some(1000);
    let mut pair = Pair::new(client, rsa_server());
    let hs = handshake(&mut pair);
    let ch = client_hello_in(&hs.to_server);
    assert_eq!(ch.max_fragment_length(), Some(MaxFragmentLength::L512));
    assert_eq!(ch.record_size_limit(), Some(1000));
    // The server answers record_size_limit only (RFC 8449 section 5), with 2^14: it set
    // no limit of its own.
    let sh = server_hello_in(&hs.to_client);
    assert_eq!(sh.max_fragment_length(), None);
    assert_eq!(sh.record_size_limit(), Some(16384));
    // Its records: up to 1000, not 512.
    assert!(lens(&split_at_ccs(&hs.to_client).0, HANDSHAKE).contains(&1000));
    let w = exchange(&mut pair, &data(20_000, 12), &data(3000, 13));
    assert_eq!(
        lens(&records(&w.to_client), APP_DATA),
        expected_app_records(3000, 1000)
    );
    assert_eq!(
        lens(&records(&w.to_server), APP_DATA),
        expected_app_records(20_000, 16384)
    );
}

#[test]
fn a_protected_record_over_our_record_size_limit_is_record_overflow() {
    // The client's limit, on the server's records; the server's, on the client's.
    let mut server = rsa_server();
    server.common.record_size_limit = Some(300);
    for (from, limit) in [(Dir::ToClient, 200), (Dir::ToServer, 300)] {
        let mut inj = Injector::new(rsl_client(200), server.clone());
        let sink = inj.inject(from, &data(limit, 14));
        assert_eq!(sink.error, None, "{from:?}");
        assert_eq!(sink.app.len(), limit);
        let sink = inj.inject(from, &data(limit + 1, 15));
        let e = sink.error.expect("refused");
        assert_eq!(
            e.alert(),
            Some(AlertDescription::RECORD_OVERFLOW),
            "{from:?}: {e:?}"
        );
    }
}

#[test]
fn unprotected_records_are_not_bound_by_record_size_limit() {
    let mut c = client_of(rsl_client(100));
    c.feed(&server_hello_plus(&[ServerExtension::RecordSizeLimit(100)]));
    c.feed(&certificate_in_records_of(16384));
    assert_eq!(c.sink.error, None);
}

#[test]
fn record_size_limits_under_64_are_illegal_parameter() {
    let mut s = Under::real_server(false);
    s.feed(&client_hello_plus(&[ClientExtension::RecordSizeLimit(63)]));
    s.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);

    let mut c = client_of(rsl_client(64));
    c.feed(&server_hello_plus(&[ServerExtension::RecordSizeLimit(63)]));
    c.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);

    // 64 is the smallest: accepted, and then the records are that small.
    let mut s = Under::real_server(false);
    s.feed(&client_hello_plus(&[ClientExtension::RecordSizeLimit(64)]));
    assert_eq!(s.sink.error, None);
    assert!(records(&s.sink.tx).iter().all(|r| r.len <= 64));
    assert!(records(&s.sink.tx).len() > 30);

    for bad in [0, 63, 16386, u16::MAX] {
        let mut c = client_config();
        c.common.record_size_limit = Some(bad);
        assert!(matches!(c.build(), Err(Error::Config(_))), "{bad}");
        let mut s = rsa_server();
        s.common.record_size_limit = Some(bad);
        assert!(matches!(s.build(), Err(Error::Config(_))), "{bad}");
    }
}

#[test]
fn a_client_receiving_both_extensions_is_illegal_parameter() {
    let mut client = mfl_client(MaxFragmentLength::L512);
    client.common.record_size_limit = Some(1000);
    let mut c = client_of(client);
    c.feed(&server_hello_plus(&[
        ServerExtension::MaxFragmentLength(MaxFragmentLength::L512),
        ServerExtension::RecordSizeLimit(1000),
    ]));
    c.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
}

#[test]
fn record_size_limit_16385_means_2_14_in_tls12() {
    let mut server = rsa_server();
    server.common.record_size_limit = Some(16385);
    let mut pair = Pair::new(rsl_client(16385), server);
    let hs = handshake(&mut pair);
    assert_eq!(
        client_hello_in(&hs.to_server).record_size_limit(),
        Some(16384)
    );
    assert_eq!(
        server_hello_in(&hs.to_client).record_size_limit(),
        Some(16384)
    );
    let w = exchange(&mut pair, &data(20_000, 16), &data(20_000, 17));
    for bytes in [&w.to_server, &w.to_client] {
        assert_eq!(
            lens(&records(bytes), APP_DATA),
            expected_app_records(20_000, 16384)
        );
    }
    // A 16385 from a peer (a TLS 1.3 client's maximum) is taken as 2^14.
    let mut s = Under::real_server(false);
    s.feed(&client_hello_plus(&[ClientExtension::RecordSizeLimit(
        16385,
    )]));
    assert_eq!(s.sink.error, None);
    assert_eq!(server_hello_in(&s.sink.tx).record_size_limit(), Some(16384));
}

#[test]
fn a_client_without_record_size_limit_gets_none_back() {
    // Unsolicited: the server answers only a client that offered it.
    let mut server = rsa_server();
    server.common.record_size_limit = Some(500);
    let mut pair = Pair::new(client_config(), server);
    let hs = handshake(&mut pair);
    assert_eq!(client_hello_in(&hs.to_server).record_size_limit(), None);
    assert_eq!(server_hello_in(&hs.to_client).record_size_limit(), None);
    let mut c = client_of(client_config());
    c.feed(&server_hello_plus(&[ServerExtension::RecordSizeLimit(500)]));
    c.assert_fatal(AlertDescription::UNSUPPORTED_EXTENSION);
}

// ---------------------------------------------------------------------------------------
// The receive buffer, sized to the limit (heap measured on this thread)
// ---------------------------------------------------------------------------------------

/// Which connection a measurement keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    Client,
    Server,
}

/// What one connection costs on the heap: `(held, peak)` in bytes above what was in use
/// before the pair was made. `held`: what the `keep` side holds once the handshake and a
/// 4000-byte exchange each way are over (the other side, which runs on this thread too,
/// dropped first); `peak`: the most both held together at any point. No session store,
/// cache or ticketer, so that nothing outlives the connections.
fn heap_of(client: ClientConfig, server: ServerConfig, keep: Keep) -> (usize, usize) {
    let mut client = client;
    client.session_store = None;
    let mut server = server;
    server.session_cache = None;
    server.ticketer = None;
    let (client, server) = (Arc::new(client), Arc::new(server));
    let (c2s, s2c) = (data(4000, 18), data(4000, 19));
    let mut bufs = Bufs::new();
    let before = heap::live();
    heap::reset_peak();
    // The configurations outlive the measurement (`client` and `server` are kept).
    let mut c = ClientConnection::new(client.clone(), server_name()).unwrap();
    let mut s = ServerConnection::new(server.clone()).unwrap();
    let mut got = (0, 0);
    for round in 0..30 {
        if round == 6 {
            assert!(!c.is_handshaking() && !s.is_handshaking(), "handshake done");
            assert_eq!(c.write(&c2s), Ok(c2s.len()));
            assert_eq!(s.write(&s2c), Ok(s2c.len()));
        }
        got.0 += bufs.step(&mut c, true);
        got.1 += bufs.step(&mut s, false);
    }
    assert_eq!(got, (s2c.len(), c2s.len()), "delivered");
    match keep {
        Keep::Client => drop(s),
        Keep::Server => drop(c),
    }
    let held = heap::live() - before;
    let peak = heap::now().peak as isize - before;
    (held.try_into().unwrap(), peak.try_into().unwrap())
}

/// Buffers to move bytes through, allocated before the measurement (and never grown).
struct Bufs {
    to_client: Vec<u8>,
    to_server: Vec<u8>,
    out: Vec<u8>,
}

impl Bufs {
    fn new() -> Self {
        Self {
            to_client: Vec::with_capacity(64 * 1024),
            to_server: Vec::with_capacity(64 * 1024),
            out: vec![0; 4096],
        }
    }

    /// Feeds `conn` what is queued for it and drains it into the other queue; returns
    /// how many application bytes it decrypted.
    fn step(&mut self, conn: &mut Connection, is_client: bool) -> usize {
        let (input, output) = if is_client {
            (&mut self.to_client, &mut self.to_server)
        } else {
            (&mut self.to_server, &mut self.to_client)
        };
        let mut app = 0;
        let mut at = 0;
        loop {
            at += conn.handle_input(&input[at..]).unwrap();
            loop {
                match conn.poll_output(&mut self.out).unwrap() {
                    tls12::Output::Transmit(b) => {
                        assert!(output.len() + b.len() <= output.capacity());
                        output.extend_from_slice(b);
                    }
                    tls12::Output::ApplicationData(d) => app += d.len(),
                    tls12::Output::Idle => break,
                    _ => {}
                }
            }
            if at == input.len() {
                input.clear();
                return app;
            }
        }
    }
}

/// The most a client or server of the tests below holds after its handshake and a data
/// exchange with 512-byte records: its keys, the handshake summary (with the peer's
/// certificate chain, about 1.7 KB), the send buffer of the 4000 bytes written (eight
/// records) and a receive buffer of one 512-byte record. Measured: 8,092 bytes (client,
/// max_fragment_length 512), 7,860 (client, record_size_limit 512), 6,082 (server,
/// record_size_limit 512).
const HELD_BOUND: usize = 10 * 1024;

/// What a maximum-size receive buffer takes beyond one for 512-byte records, less some
/// slack: 5 + 2^14 + 2048 against 5 + 512 + 24 bytes.
const BIG_BUFFER: usize = 17_000;

#[test]
fn the_receive_buffer_shrinks_to_the_negotiated_limit() {
    let (default, _) = heap_of(client_config(), rsa_server(), Keep::Client);
    let (mfl, _) = heap_of(
        mfl_client(MaxFragmentLength::L512),
        rsa_server(),
        Keep::Client,
    );
    let (rsl, _) = heap_of(rsl_client(512), rsa_server(), Keep::Client);
    eprintln!(
        "client held: no limit {default}, max_fragment_length 512 {mfl}, record_size_limit 512 {rsl}"
    );
    assert!(mfl <= HELD_BOUND, "{mfl}");
    assert!(rsl <= HELD_BOUND, "{rsl}");
    assert!(default >= mfl + BIG_BUFFER, "{default} vs {mfl}");

    // The server's own record_size_limit, announced to a client that offers one.
    let mut small = rsa_server();
    small.common.record_size_limit = Some(512);
    let (server_default, _) = heap_of(rsl_client(16385), rsa_server(), Keep::Server);
    let (server_rsl, _) = heap_of(rsl_client(16385), small, Keep::Server);
    eprintln!("server held: no limit {server_default}, record_size_limit 512 {server_rsl}");
    assert!(server_rsl <= HELD_BOUND, "{server_rsl}");
    assert!(server_default >= server_rsl + BIG_BUFFER);
}

#[test]
fn limit_receive_buffer_keeps_the_handshake_small_too() {
    // The embedded shape (every buffer kept), both sides at 512-byte records: the client
    // asks for max_fragment_length 512, the server announces record_size_limit 512
    // (unanswered: the client did not offer it) and sizes its buffer for it.
    let shaped = |limit: bool| {
        let mut c = mfl_client(MaxFragmentLength::L512);
        c.common.keep_buffers = true;
        c.common.limit_receive_buffer = limit;
        let mut s = rsa_server();
        s.common.keep_buffers = true;
        s.common.limit_receive_buffer = limit;
        s.common.record_size_limit = Some(512);
        (c, s)
    };
    let (c, s) = shaped(false);
    let (_, peak) = heap_of(c, s, Keep::Client);
    let (c, s) = shaped(true);
    let (held, limited_peak) = heap_of(c, s, Keep::Client);
    eprintln!("both sides' peak: {peak}, limited up front {limited_peak}; client held {held}");
    // Without the cap each side holds an 18 KiB receive buffer until the limit is
    // negotiated, and the peak has at least one of them; with it neither side ever
    // allocates one.
    assert!(
        peak >= limited_peak + BIG_BUFFER,
        "{peak} vs {limited_peak}"
    );
    assert!(
        held <= HELD_BOUND + 8 * 1024,
        "{held}: the kept buffers of a handshake"
    );
}

#[test]
fn limit_receive_buffer_refuses_larger_records_from_the_start() {
    // A server that ignores max_fragment_length sends its certificate in one record:
    // over the client's cap, record_overflow, although nothing was negotiated.
    let mut client = mfl_client(MaxFragmentLength::L512);
    client.common.limit_receive_buffer = true;
    let mut c = client_of(client);
    c.feed(&server_hello_plus(&[]));
    c.feed(&certificate_in_records_of(16384)[..5]);
    c.assert_fatal(AlertDescription::RECORD_OVERFLOW);
    // Without the cap the same records are fine.
    let mut c = client_of(mfl_client(MaxFragmentLength::L512));
    c.feed(&server_hello_plus(&[]));
    c.feed(&certificate_in_records_of(16384));
    assert_eq!(c.sink.error, None);
}

// ---------------------------------------------------------------------------------------
// OpenSSL, through a proxy that keeps every byte
// ---------------------------------------------------------------------------------------

/// How long any one wait may take.
const STEP: Duration = Duration::from_secs(15);

/// A TCP proxy for one connection on a free loopback port, to `target`: it keeps what
/// passes each way, to check the record headers afterwards.
struct Proxy {
    port: u16,
    to_server: Arc<Mutex<Vec<u8>>>,
    to_client: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

impl Proxy {
    fn new(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("bound").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let to_server = Arc::new(Mutex::new(Vec::new()));
        let to_client = Arc::new(Mutex::new(Vec::new()));
        let (tx, done) = mpsc::channel();
        let logs = (to_server.clone(), to_client.clone());
        thread::spawn(move || {
            let deadline = Instant::now() + STEP;
            let down = loop {
                match listener.accept() {
                    Ok((s, _)) => break s,
                    Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
                    Err(_) => return,
                }
            };
            let _ = down.set_nonblocking(false);
            let up = TcpStream::connect(("127.0.0.1", target)).expect("proxy connects");
            let a = relay(down.try_clone().unwrap(), up.try_clone().unwrap(), logs.0);
            let b = relay(up, down, logs.1);
            let _ = (a.join(), b.join());
            let _ = tx.send(());
        });
        Proxy {
            port,
            to_server,
            to_client,
            done,
        }
    }

    /// Waits for both directions to end; returns what went each way.
    fn finish(self) -> (Vec<u8>, Vec<u8>) {
        let _ = self.done.recv_timeout(STEP);
        let take = |v: &Arc<Mutex<Vec<u8>>>| std::mem::take(&mut *v.lock().unwrap());
        (take(&self.to_server), take(&self.to_client))
    }
}

/// Copies `from` to `to`, keeping a copy, until `from` ends; then ends `to`'s writing.
fn relay(
    mut from: TcpStream,
    mut to: TcpStream,
    log: Arc<Mutex<Vec<u8>>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let _ = from.set_read_timeout(Some(STEP));
        let mut buf = [0u8; 16384];
        while let Ok(n @ 1..) = from.read(&mut buf) {
            log.lock().unwrap().extend_from_slice(&buf[..n]);
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    })
}

/// Checks one direction of a connection with max_fragment_length `len` negotiated: every
/// record after the first (the hello) carries at most `len` bytes of plaintext (`len`
/// plus at most 24 of nonce and tag once protected); returns the application data record
/// lengths.
fn check_bounded(what: &str, bytes: &[u8], len: usize) -> Vec<usize> {
    let (clear, sealed) = split_at_ccs(bytes);
    assert!(clear[1..].iter().all(|r| r.len <= len), "{what}: {clear:?}");
    assert!(
        sealed.iter().all(|r| r.len <= len + GCM),
        "{what}: {sealed:?}"
    );
    lens(&sealed, APP_DATA)
}

#[test]
fn our_client_with_max_fragment_length_512_against_s_server() {
    require_openssl!();
    let (mut server, port) = {
        let args: Vec<String> = [
            "s_server",
            "-tls1_2",
            "-accept",
            "127.0.0.1:0",
            "-naccept",
            "1",
            "-www",
            "-cert",
            "server-rsa.crt.pem",
            "-key",
            "server-rsa.key.pem",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let proc = openssl::Proc::spawn(&args);
        let port: u16 = proc
            .wait_for_line("ACCEPT 127.0.0.1:")
            .unwrap_or_else(|e| panic!("s_server did not start: {e}"))
            .parse()
            .expect("a port");
        (proc, port)
    };
    let proxy = Proxy::new(port);
    let config = Arc::new(mfl_client(MaxFragmentLength::L512));
    let conn = ClientConnection::new(config, server_name()).unwrap();
    let sock = TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    sock.set_read_timeout(Some(STEP)).unwrap();
    let mut tls = tls12::StreamOwned::new(conn, sock);
    // A request of several records: a 3000-byte header.
    let request = format!(
        "GET /small-records HTTP/1.0\r\nX-Pad: {}\r\n\r\n",
        "p".repeat(3000)
    );
    tls.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    // s_server -www ends the page and closes without close_notify.
    while !response.ends_with(b"</BODY></HTML>\r\n\r\n") {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(e) => panic!("{e}; so far {:?}", String::from_utf8_lossy(&response)),
        }
    }
    drop(tls);
    let (to_server, to_client) = proxy.finish();
    let _ = server.wait();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.0 200 ok"), "{response}");
    assert!(response.len() > 2048, "a page of several records");

    assert_eq!(
        server_hello_in(&to_client).max_fragment_length(),
        Some(MaxFragmentLength::L512),
        "s_server echoed it"
    );
    let ours = check_bounded("client", &to_server, 512);
    assert!(ours.len() >= 6 && ours.contains(&(512 + GCM)), "{ours:?}");
    let theirs = check_bounded("s_server", &to_client, 512);
    assert!(theirs.len() >= 4, "{theirs:?}");
}

#[test]
fn s_client_with_maxfraglen_512_against_our_server() {
    require_openssl!();
    let pki = |f: &str| format!("{}/{f}", openssl::PKI_DIR);
    // Our server, through the server example's code and flags.
    let flags: Vec<String> = [
        "--cert",
        &pki("server-rsa.chain.pem"),
        "--key",
        &pki("server-rsa.key.pem"),
        "--echo",
        "--record-size-limit",
        "4096",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let opts = example::server::ServerOptions::parse(flags)
        .expect("flags parse")
        .expect("not --help");
    let config = example::server::config(&opts).expect("config builds");
    assert_eq!(config.common.record_size_limit, Some(4096));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, served) = mpsc::channel();
    thread::spawn(move || {
        let r = listener
            .accept()
            .map_err(|e| e.to_string())
            .and_then(|(sock, _)| {
                example::server::serve_connection(&config, sock, opts.mode, STEP)
                    .map_err(|e| e.to_string())
            });
        let _ = tx.send(r);
    });
    let proxy = Proxy::new(port);

    let args: Vec<String> = [
        "s_client",
        "-tls1_2",
        "-maxfraglen",
        "512",
        "-connect",
        &format!("127.0.0.1:{}", proxy.port),
        "-servername",
        "testserver.tls12.test",
        "-CAfile",
        &pki("ca-rsa.crt.pem"),
        "-verify_return_error",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut proc = openssl::Proc::spawn(&args);
    // One line of 3000 bytes and a token: several records each way.
    let line = format!("{}echo-token-512\n", "e".repeat(3000));
    proc.write_stdin(line.as_bytes());
    proc.wait_for_line("echo-token-512")
        .unwrap_or_else(|e| panic!("the echo came back: {e}"));
    // Closing stdin makes s_client send close_notify; our server then closes too.
    proc.close_stdin();
    let status = proc.wait();
    let served = served.recv_timeout(STEP).expect("server finished");
    let (to_server, to_client) = proxy.finish();
    let served = served.unwrap_or_else(|e| panic!("{e}\n--- s_client:\n{}", proc.output()));
    assert_eq!(served.echoed, line.len());
    assert!(status.is_some_and(|s| s.success()), "{}", proc.output());

    assert_eq!(
        client_hello_in(&to_server).max_fragment_length(),
        Some(MaxFragmentLength::L512)
    );
    let sh = server_hello_in(&to_client);
    assert_eq!(sh.max_fragment_length(), Some(MaxFragmentLength::L512));
    assert_eq!(sh.record_size_limit(), None, "s_client offered none");
    let theirs = check_bounded("s_client", &to_server, 512);
    assert!(theirs.len() >= 6, "{theirs:?}");
    let ours = check_bounded("server", &to_client, 512);
    assert!(ours.len() >= 6 && ours.contains(&(512 + GCM)), "{ours:?}");
}

#[test]
fn example_flags_set_the_limits() {
    use example::client::ClientOptions;
    use example::server::ServerOptions;
    let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let o = ClientOptions::parse(args(&[
        "--insecure",
        "--max-fragment-length",
        "1024",
        "--record-size-limit",
        "600",
        "127.0.0.1:1",
    ]))
    .unwrap()
    .unwrap();
    let c = example::client::config(&o).unwrap();
    assert_eq!(c.max_fragment_length, Some(MaxFragmentLength::L1024));
    assert_eq!(c.common.record_size_limit, Some(600));
    for bad in [
        &["--max-fragment-length", "1000"][..],
        &["--record-size-limit", "63"],
    ] {
        let mut v = args(bad);
        v.push("127.0.0.1:1".into());
        assert!(ClientOptions::parse(v).is_err(), "{bad:?}");
    }
    let pki = |f: &str| format!("{}/{f}", openssl::PKI_DIR);
    let server = |extra: &[&str]| {
        let mut v = args(&[
            "--cert",
            &pki("server-rsa.chain.pem"),
            "--key",
            &pki("server-rsa.key.pem"),
        ]);
        v.extend(args(extra));
        ServerOptions::parse(v)
    };
    let o = server(&["--record-size-limit", "16385"]).unwrap().unwrap();
    assert_eq!(
        example::server::config(&o)
            .unwrap()
            .common
            .record_size_limit,
        Some(16385)
    );
    assert!(server(&["--record-size-limit", "16386"]).is_err());
    assert!(
        server(&["--max-fragment-length", "512"]).is_err(),
        "client only"
    );
}
