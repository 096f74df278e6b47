//! HelloRequest and ClientHello on an established connection: refused once with a
//! no_renegotiation warning, then fatal. The records are injected with the sender's keys
//! (taken from the key log), in step with the real sender, so they reach the state machine.

use crate::common::{self, Dir, Pair, Sink, pump, records, server_config};
use crate::tampering::*;
use tls12::Connection;
use tls12::internal::codec::enums::{AlertDescription, CipherSuite, ContentType, ProtocolVersion};

/// Captures the master secret from the key log.
#[derive(Default)]
struct Capture(std::sync::Mutex<Option<[u8; 48]>>);

impl tls12::crypto::KeyLog for Capture {
    fn log(&self, label: &str, _client_random: &[u8], secret: &[u8]) {
        assert_eq!(label, "CLIENT_RANDOM");
        *self.0.lock().unwrap() = Some(secret.try_into().expect("48 bytes"));
    }
}

/// A completed handshake (AES-128-GCM) and a sealer for each direction, in step with the
/// real one after the Finished messages (sequence number 1).
struct Injector {
    pair: Pair,
    /// The ClientHello as the client sent it.
    client_hello: Vec<u8>,
    client_sealer: tls12::internal::record::protect::RecordSealer,
    server_sealer: tls12::internal::record::protect::RecordSealer,
}

impl Injector {
    fn new() -> Self {
        use tls12::crypto::{AeadAlgorithm, HashAlgorithm};
        use tls12::internal::key_schedule::{KeyBlockLayout, MasterSecret};
        use tls12::internal::record::protect::RecordSealer;

        let capture = std::sync::Arc::new(Capture::default());
        let mut c = suite_config(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
        c.common.key_log = Some(capture.clone());
        let mut pair = Pair::new(c, server_config(&["server-rsa"]));
        let mut client_hello = Vec::new();
        pair.run_with(|dir, n, b| {
            if (dir, n) == (Dir::ToServer, 0) {
                let r = records(b)[0];
                client_hello = b[r.body()..r.end()].to_vec();
            }
        });
        assert!(!pair.client.is_handshaking() && !pair.server.is_handshaking());
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
        let aead = p.aead(AeadAlgorithm::Aes128Gcm).expect("AES-128-GCM");
        let mut inj = Self {
            pair,
            client_hello,
            client_sealer: RecordSealer::new(aead, block.client().key, block.client().iv).unwrap(),
            server_sealer: RecordSealer::new(aead, block.server().key, block.server().iv).unwrap(),
        };
        // Sequence number 0 was each side's Finished.
        inj.skip_record(Side::Client);
        inj.skip_record(Side::Server);
        inj
    }

    /// Keeps `from`'s sealer in step with a record the real `from` sent.
    fn skip_record(&mut self, from: Side) {
        let sealer = match from {
            Side::Client => &mut self.client_sealer,
            Side::Server => &mut self.server_sealer,
        };
        let mut buf = vec![0u8; 64];
        sealer
            .seal_in_place(ContentType::HANDSHAKE, ProtocolVersion::TLS12, &mut buf, 1)
            .unwrap();
    }

    /// Has `from` send one application data record, which is dropped on the way and
    /// replaced by `typ`/`payload` sealed with `from`'s keys and sequence number: the
    /// receiver accepts it as genuine, and both sides stay in step.
    fn replace_next_record(&mut self, from: Side, typ: ContentType, payload: &[u8]) {
        let (conn, sealer): (&mut Connection, _) = match from {
            Side::Client => (&mut self.pair.client, &mut self.client_sealer),
            Side::Server => (&mut self.pair.server, &mut self.server_sealer),
        };
        conn.write(b"dropped").unwrap();
        let mut sink = Sink::default();
        pump(conn, &[], &mut sink);
        assert_eq!(records(&sink.tx).len(), 1, "one record to drop");
        let mut rec = vec![0u8; 5 + sealer.overhead() + payload.len()];
        let at = sealer.payload_offset();
        rec[at..at + payload.len()].copy_from_slice(payload);
        let n = sealer
            .seal_in_place(typ, ProtocolVersion::TLS12, &mut rec, payload.len())
            .unwrap();
        assert_eq!(n, rec.len());
        let (to, sink) = match from {
            Side::Client => (&mut *self.pair.server, &mut self.pair.s),
            Side::Server => (&mut *self.pair.client, &mut self.pair.c),
        };
        pump(to, &rec, sink);
    }

    /// Runs the pair and checks that application data still flows both ways (one record
    /// each way, which the sealers skip). Records the pair sent otherwise (a warning alert)
    /// are not tracked: inject only from the side that did not send them.
    fn still_works(&mut self) {
        self.pair.run();
        assert!(self.pair.c.error.is_none(), "{:?}", self.pair.c.error);
        assert!(self.pair.s.error.is_none(), "{:?}", self.pair.s.error);
        let (c_app, s_app) = (self.pair.c.app.len(), self.pair.s.app.len());
        self.pair.client.write(b"ping").unwrap();
        self.pair.server.write(b"pong").unwrap();
        pump(&mut self.pair.server, &[], &mut self.pair.s);
        self.pair.run();
        assert_eq!(&self.pair.s.app[s_app..], b"ping");
        assert_eq!(&self.pair.c.app[c_app..], b"pong");
        self.skip_record(Side::Client);
        self.skip_record(Side::Server);
    }
}

#[test]
fn injected_record_with_the_right_keys_is_accepted() {
    // The injector itself: a record sealed with the captured keys in place of a dropped one
    // is delivered as genuine, so the tests below reach the state machine, not the MAC.
    let mut inj = Injector::new();
    inj.replace_next_record(Side::Server, ContentType::APPLICATION_DATA, b"forged");
    assert_eq!(inj.pair.c.app, b"forged");
    inj.still_works();
}

#[test]
fn hello_request_after_the_handshake_is_refused_with_a_warning() {
    // RFC 5246 7.4.1.1: a client that does not wish to renegotiate "MAY respond with a
    // no_renegotiation alert"; 7.2.2: no_renegotiation "is always a warning". The
    // connection goes on. A second request after the refusal is fatal (as in rustls).
    let hello_request = [0u8, 0, 0, 0];
    let mut inj = Injector::new();
    inj.replace_next_record(Side::Server, ContentType::HANDSHAKE, &hello_request);
    assert!(inj.pair.c.error.is_none(), "{:?}", inj.pair.c.error);
    inj.still_works();
    assert!(
        inj.pair.s.events.contains(&tls12::Event::AlertReceived(
            AlertDescription::NO_RENEGOTIATION
        )),
        "the server got a no_renegotiation warning"
    );

    inj.replace_next_record(Side::Server, ContentType::HANDSHAKE, &hello_request);
    inj.pair.run();
    assert_fatal(
        &mut inj.pair,
        Side::Client,
        AlertDescription::UNEXPECTED_MESSAGE,
        "second HelloRequest",
    );
}

#[test]
fn client_hello_after_the_handshake_is_refused_with_a_warning() {
    // RFC 5246 7.4.1.2 and 7.2.2: a server that does not renegotiate may answer a
    // ClientHello on an established connection with a no_renegotiation warning.
    let mut inj = Injector::new();
    let hello = inj.client_hello.clone();
    inj.replace_next_record(Side::Client, ContentType::HANDSHAKE, &hello);
    assert!(inj.pair.s.error.is_none(), "{:?}", inj.pair.s.error);
    inj.still_works();
    assert!(
        inj.pair.c.events.contains(&tls12::Event::AlertReceived(
            AlertDescription::NO_RENEGOTIATION
        )),
        "the client got a no_renegotiation warning"
    );

    inj.replace_next_record(Side::Client, ContentType::HANDSHAKE, &hello);
    inj.pair.run();
    assert_fatal(
        &mut inj.pair,
        Side::Server,
        AlertDescription::UNEXPECTED_MESSAGE,
        "second ClientHello",
    );
}
