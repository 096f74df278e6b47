//! Fragmentation does not change the outcome.
//!
//! Both endpoints use the deterministic test provider and a deterministic signature scheme
//! (rsa_pkcs1_sha256), so an unfragmented run is a byte-exact reference: however the bytes
//! are cut on the way (stream chunks fed one at a time, or handshake messages re-framed into
//! other records), each side must send exactly the bytes it sent in the reference run,
//! negotiate the same things, and deliver the same application data.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tls12::crypto::CryptoProvider;
use tls12::crypto::test_provider::TestProvider;
use tls12::enums::{CipherSuite, NamedGroup, SignatureScheme};
use tls12::verify::WebPkiServerVerifier;
use tls12::{ClientConfig, HandshakeSummary, ServerConfig};

const SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

/// Application data, written before the handshake (queued until it completes); the server's
/// is over one record long.
fn up() -> Vec<u8> {
    (0..3_000u32).map(|i| (i * 7 % 251) as u8).collect()
}

fn down() -> Vec<u8> {
    (0..17_000u32).map(|i| (i * 13 % 241) as u8).collect()
}

/// A deterministic pair: test providers with fixed seeds, one suite, rsa_pkcs1_sha256, ALPN,
/// and each side's largest record fragment.
fn pair(suite: CipherSuite, client_fragment: usize, server_fragment: usize) -> Pair {
    let cp: Arc<dyn CryptoProvider> = Arc::new(TestProvider::new(b"fragmentation client"));
    let sp: Arc<dyn CryptoProvider> = Arc::new(TestProvider::new(b"fragmentation server"));
    let verifier = Arc::new(OnlyScheme(
        WebPkiServerVerifier::new(roots(), *cp.signature_verification()),
        SignatureScheme::RSA_PKCS1_SHA256,
    ));
    let mut c = ClientConfig::new(cp, verifier);
    c.common.time = time();
    c.common.set_suites(&[suite]).unwrap();
    // The test provider's x25519 (x25519-dalek) is several times slower than its P-256 in
    // a debug build.
    c.common.groups = vec![NamedGroup::SECP256R1];
    c.common.alpn_protocols = vec![b"h2".to_vec()];
    c.common.max_fragment_len = client_fragment;
    let mut s = ServerConfig::new(sp, vec![certified_key("server-rsa")]);
    s.common.time = time();
    s.common.alpn_protocols = vec![b"h2".to_vec()];
    s.common.max_fragment_len = server_fragment;
    let mut p = Pair::new(c, s);
    assert_eq!(p.client.write(&up()).unwrap(), 3_000);
    assert_eq!(p.server.write(&down()).unwrap(), 17_000);
    p
}

/// Everything observable about a run.
#[derive(Clone, PartialEq, Eq)]
struct Outcome {
    to_server: Vec<u8>,
    to_client: Vec<u8>,
    server_app: Vec<u8>,
    client_app: Vec<u8>,
    client_summary: HandshakeSummary,
    server_summary: HandshakeSummary,
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outcome")
            .field("to_server", &self.to_server.len())
            .field("to_client", &self.to_client.len())
            .field("server_app", &self.server_app.len())
            .field("client_app", &self.client_app.len())
            .field("suite", &self.client_summary.suite)
            .finish_non_exhaustive()
    }
}

/// What each side sent, as seen before any re-cutting.
#[derive(Default)]
struct Log {
    to_server: Vec<u8>,
    to_client: Vec<u8>,
}

impl Log {
    fn add(&mut self, dir: Dir, bytes: &[u8]) {
        match dir {
            Dir::ToServer => self.to_server.extend_from_slice(bytes),
            Dir::ToClient => self.to_client.extend_from_slice(bytes),
        }
    }
}

fn outcome(p: Pair, log: Log) -> Result<Outcome, String> {
    if let Some(e) = p.c.error.as_ref().or(p.s.error.as_ref()) {
        return Err(format!(
            "client {:?}, server {:?}: {e}",
            p.c.error, p.s.error
        ));
    }
    let summary = |c: &tls12::Connection| {
        c.handshake_summary()
            .cloned()
            .ok_or_else(|| "handshake did not complete".to_string())
    };
    Ok(Outcome {
        to_server: log.to_server,
        to_client: log.to_client,
        server_app: p.s.app,
        client_app: p.c.app,
        client_summary: summary(&p.client)?,
        server_summary: summary(&p.server)?,
    })
}

/// A run with every flight cut into stream chunks of the given sizes (cycled), each fed
/// separately and drained before the next.
fn run_chunked(suite: CipherSuite, sizes: &[usize]) -> Result<Outcome, String> {
    let mut p = pair(suite, 16384, 16384);
    let mut log = Log::default();
    let mut next = sizes.iter().copied().cycle();
    p.run_chunked(|dir, _, flight| {
        log.add(dir, &flight);
        let mut chunks = Vec::new();
        let mut rest = &flight[..];
        while !rest.is_empty() {
            let n = next.next().expect("cycle").clamp(1, rest.len());
            chunks.push(rest[..n].to_vec());
            rest = &rest[n..];
        }
        chunks
    });
    outcome(p, log)
}

/// Re-frames the plaintext handshake records of the byte stream of one direction into
/// records of other sizes. Records after this direction's ChangeCipherSpec are encrypted and
/// pass through unchanged.
struct Reframer<I> {
    sizes: I,
    encrypted: bool,
    /// Records written and read, to show the re-framing did something.
    records_in: usize,
    records_out: usize,
}

impl<I: Iterator<Item = usize>> Reframer<I> {
    fn new(sizes: I) -> Self {
        Self {
            sizes,
            encrypted: false,
            records_in: 0,
            records_out: 0,
        }
    }

    fn reframe(&mut self, flight: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        // A run of consecutive plaintext handshake records: their version and payloads.
        let mut run: Option<([u8; 2], Vec<u8>)> = None;
        for r in records(flight) {
            let rec = &flight[r.start..r.end()];
            if r.typ == HANDSHAKE && !self.encrypted {
                self.records_in += 1;
                let (_, payload) = run.get_or_insert(([rec[1], rec[2]], Vec::new()));
                payload.extend_from_slice(&rec[5..]);
                continue;
            }
            if let Some((version, payload)) = run.take() {
                self.emit(&mut out, version, &payload);
            }
            if r.typ == CCS {
                self.encrypted = true;
            }
            out.extend_from_slice(rec);
        }
        if let Some((version, payload)) = run.take() {
            self.emit(&mut out, version, &payload);
        }
        out
    }

    fn emit(&mut self, out: &mut Vec<u8>, version: [u8; 2], mut payload: &[u8]) {
        while !payload.is_empty() {
            let n = self
                .sizes
                .next()
                .expect("sizes")
                .clamp(1, 16384)
                .min(payload.len());
            out.push(HANDSHAKE);
            out.extend_from_slice(&version);
            out.extend_from_slice(&(n as u16).to_be_bytes());
            out.extend_from_slice(&payload[..n]);
            payload = &payload[n..];
            self.records_out += 1;
        }
    }
}

/// A run with the plaintext handshake records of both directions re-framed with record
/// sizes from `sizes` (cycled). Returns the outcome and (records in, records out).
fn run_reframed(suite: CipherSuite, sizes: &[usize]) -> (Result<Outcome, String>, (usize, usize)) {
    let mut p = pair(suite, 16384, 16384);
    let mut log = Log::default();
    let mut to_server = Reframer::new(sizes.iter().copied().cycle());
    let mut to_client = Reframer::new(sizes.iter().copied().cycle());
    p.run_with(|dir, _, flight| {
        log.add(dir, flight);
        *flight = match dir {
            Dir::ToServer => to_server.reframe(flight),
            Dir::ToClient => to_client.reframe(flight),
        };
    });
    let counts = (
        to_server.records_in + to_client.records_in,
        to_server.records_out + to_client.records_out,
    );
    (outcome(p, log), counts)
}

fn reference(suite: CipherSuite) -> Outcome {
    let mut p = pair(suite, 16384, 16384);
    let mut log = Log::default();
    p.run_with(|dir, _, flight| log.add(dir, flight));
    let o = outcome(p, log).expect("the reference run completes");
    assert_eq!(o.client_summary.suite, suite);
    assert_eq!(o.client_summary.alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!(o.server_app, up());
    assert_eq!(o.client_app, down());
    o
}

#[test]
fn the_reference_run_is_deterministic() {
    // Without this, byte-exact comparison would prove nothing.
    for suite in SUITES {
        assert_eq!(reference(suite), reference(suite));
    }
}

#[test]
fn one_byte_stream_chunks_both_ways() {
    for suite in SUITES {
        assert_eq!(run_chunked(suite, &[1]), Ok(reference(suite)), "{suite:?}");
    }
}

#[test]
fn one_byte_handshake_records_both_ways() {
    for suite in SUITES {
        let (got, (records_in, records_out)) = run_reframed(suite, &[1]);
        assert_eq!(got, Ok(reference(suite)), "{suite:?}");
        assert!(
            records_out > 10 * records_in,
            "{records_in} -> {records_out}"
        );
    }
}

#[test]
fn whole_server_flight_in_one_record() {
    // ServerHello, Certificate, ServerKeyExchange and ServerHelloDone coalesced into one
    // record (and the ClientKeyExchange alone in its own, as before).
    let suite = SUITES[0];
    let mut p = pair(suite, 16384, 16384);
    let mut log = Log::default();
    let mut to_client = Reframer::new(std::iter::repeat(16384));
    let mut coalesced = None;
    p.run_with(|dir, n, flight| {
        log.add(dir, flight);
        if dir == Dir::ToClient {
            *flight = to_client.reframe(flight);
            if n == 1 {
                coalesced = Some(records(flight).len());
            }
        }
    });
    assert_eq!(
        coalesced,
        Some(1),
        "the server's first flight is one record"
    );
    assert_eq!(outcome(p, log), Ok(reference(suite)));
}

#[test]
fn small_records_from_the_sender_both_ways() {
    // The senders themselves cut everything (the encrypted Finished and application data
    // too) into tiny records.
    for suite in SUITES {
        for fragment in [1, 7, 100] {
            let mut p = pair(suite, fragment, fragment);
            p.run();
            assert!(p.c.error.is_none() && p.s.error.is_none(), "{fragment}");
            assert_eq!(p.client.handshake_summary().unwrap().suite, suite);
            assert_eq!(p.server.handshake_summary().unwrap().suite, suite);
            assert!(p.s.app == up(), "{suite:?} {fragment}: data to server");
            assert!(p.c.app == down(), "{suite:?} {fragment}: data to client");
        }
    }
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Chunk or record sizes: mostly small, sometimes up to a whole flight.
fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![4 => 1usize..=16, 3 => 1usize..=600, 1 => 1usize..=16384],
        1..24,
    )
}

#[test]
fn random_stream_chunks_give_the_same_outcome() {
    let refs: HashMap<u16, Outcome> = SUITES.iter().map(|s| (s.0, reference(*s))).collect();
    runner(48)
        .run(&(0..SUITES.len(), sizes()), |(suite, sizes)| {
            let suite = SUITES[suite];
            let got = run_chunked(suite, &sizes);
            prop_assert_eq!(got, Ok(refs[&suite.0].clone()), "sizes {:?}", sizes);
            Ok(())
        })
        .unwrap();
}

#[test]
fn random_handshake_record_boundaries_give_the_same_outcome() {
    let refs: HashMap<u16, Outcome> = SUITES.iter().map(|s| (s.0, reference(*s))).collect();
    runner(48)
        .run(&(0..SUITES.len(), sizes()), |(suite, sizes)| {
            let suite = SUITES[suite];
            let (got, _) = run_reframed(suite, &sizes);
            prop_assert_eq!(got, Ok(refs[&suite.0].clone()), "sizes {:?}", sizes);
            Ok(())
        })
        .unwrap();
}

#[test]
fn random_sender_fragments_and_stream_chunks_keep_data_intact() {
    // Each side's own record size and the stream chunking vary together: the bytes on the
    // wire differ from the reference, the negotiated parameters and the data do not.
    runner(32)
        .run(
            &(
                0..SUITES.len(),
                prop_oneof![1usize..=64, 1usize..=16384],
                prop_oneof![1usize..=64, 1usize..=16384],
                sizes(),
            ),
            |(suite, cf, sf, sizes)| {
                let suite = SUITES[suite];
                let mut p = pair(suite, cf, sf);
                let mut next = sizes.iter().copied().cycle();
                p.run_chunked(|_, _, flight| {
                    let mut chunks = Vec::new();
                    let mut rest = &flight[..];
                    while !rest.is_empty() {
                        let n = next.next().expect("cycle").clamp(1, rest.len());
                        chunks.push(rest[..n].to_vec());
                        rest = &rest[n..];
                    }
                    chunks
                });
                prop_assert!(p.c.error.is_none(), "client {:?}", p.c.error);
                prop_assert!(p.s.error.is_none(), "server {:?}", p.s.error);
                let cs = p.client.handshake_summary().expect("client done").clone();
                let ss = p.server.handshake_summary().expect("server done").clone();
                prop_assert_eq!(cs.suite, suite);
                prop_assert_eq!(ss.suite, suite);
                prop_assert_eq!(cs.alpn.as_deref(), Some(&b"h2"[..]));
                prop_assert!(cs.extended_master_secret && ss.extended_master_secret);
                prop_assert!(p.s.app == up(), "data to server");
                prop_assert!(p.c.app == down(), "data to client");
                Ok(())
            },
        )
        .unwrap();
}
