//! Peak heap per connection stays under a stated bound whatever the peer sends.
//!
//! A counting global allocator tracks, per thread, the bytes currently allocated and their
//! peak. Each scenario builds its input first, then measures the peak heap growth while a
//! fresh connection (created inside the measurement) is fed that input through a fixed
//! 4 KiB output buffer, keeping nothing of its output. The scenarios are the worst a peer
//! can do within the default limits (64 KiB handshake messages, 16 KiB records): every
//! handshake message it may send at the maximum size, fragmented into one-byte records,
//! max-size records, garbage, endless empty records and warning alerts, messages announced
//! and never finished.
//!
//! The connections run on the no-security FuzzProvider so the peer can forge a whole
//! handshake (signatures of 64 KiB are "valid" for it); the memory they hold is the
//! record layer's and the handshake's, the same as with real crypto.
//!
//! The bound, [`BOUND`], is written in the README ("Bounded resources"), with how it is
//! made up.

mod common;

use common::counting_alloc::{Counting, peak_during};
use common::{fragmented, fuzz_sealed, record};

use std::sync::Arc;

use tls12::fuzzing::{self, OPT_CLIENT_AUTH};
use tls12::internal::codec::Codec;
use tls12::internal::codec::enums::{
    AlertDescription, CipherSuite, ClientCertificateType, CompressionMethod, ECCurveType,
    ECPointFormat, NamedGroup, ProtocolVersion, SignatureScheme,
};
use tls12::internal::msgs::{
    CertificateChain, CertificateRequest, ClientExtension, ClientHello, ClientKeyExchangePayload,
    DigitallySigned, EcdheServerKeyExchange, HandshakeMessage, Random, ServerExtension,
    ServerHello, ServerKeyExchangePayload, SessionId,
};
use tls12::pki_types::{CertificateDer, ServerName};
use tls12::{ClientConnection, Connection, Error, Output, ServerConnection};

/// The stated bound on one connection's peak heap, in bytes, with the default limits.
const BOUND: usize = 1152 * 1024;

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What feeding a connection did.
#[derive(Debug, Default)]
struct Fed {
    handshake_complete: bool,
    app_data: usize,
    error: Option<Error>,
}

/// Feeds `steps` one after the other, draining after each through `buf`; keeps nothing of
/// the output but counts.
fn drive(conn: &mut Connection, steps: &[Vec<u8>], buf: &mut [u8]) -> Fed {
    let mut fed = Fed::default();
    for step in steps {
        let mut input = &step[..];
        loop {
            match conn.handle_input(input) {
                Ok(n) => input = &input[n..],
                Err(e) => {
                    fed.error = Some(e);
                    return fed;
                }
            }
            loop {
                match conn.poll_output(buf) {
                    Ok(Output::ApplicationData(d)) => fed.app_data += d.len(),
                    Ok(Output::Idle) => break,
                    Ok(Output::Event(tls12::Event::HandshakeComplete(_))) => {
                        fed.handshake_complete = true;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        fed.error = Some(e);
                        return fed;
                    }
                }
            }
            if input.is_empty() {
                break;
            }
        }
    }
    fed
}

/// Runs a fresh client (options `opts`) on `steps` and returns its peak heap and outcome.
fn client_peak(opts: u8, steps: &[Vec<u8>]) -> (usize, Fed) {
    let config = Arc::new(fuzzing::client_config(opts));
    let name = ServerName::try_from(fuzzing::SERVER_NAME).expect("valid name");
    let mut buf = vec![0u8; 4096];
    let mut fed = Fed::default();
    let peak = peak_during(|| {
        let mut conn = ClientConnection::new(config, name).expect("valid config");
        fed = drive(&mut conn, steps, &mut buf);
    });
    (peak, fed)
}

/// Runs a fresh server (options `opts`) on `steps`.
fn server_peak(opts: u8, steps: &[Vec<u8>]) -> (usize, Fed) {
    let config = Arc::new(fuzzing::server_config(opts));
    let mut buf = vec![0u8; 4096];
    let mut fed = Fed::default();
    let peak = peak_during(|| {
        let mut conn = ServerConnection::new(config).expect("valid config");
        fed = drive(&mut conn, steps, &mut buf);
    });
    (peak, fed)
}

fn assert_bounded(what: &str, peak: usize) {
    eprintln!("{what}: peak heap {peak} bytes");
    assert!(
        peak <= BOUND,
        "{what}: peak heap {peak} bytes, over the bound of {BOUND}"
    );
}

// ---------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------

const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APP_DATA: u8 = 23;
/// The largest handshake message body accepted by default.
const MAX_BODY: usize = 65536;
/// The largest ClientHello body a server accepts by default.
const MAX_CLIENT_HELLO: usize = tls12::internal::record::MAX_CLIENT_HELLO;

fn hs(m: HandshakeMessage) -> Vec<u8> {
    let bytes = m.to_bytes().unwrap();
    assert!(bytes.len() - 4 <= MAX_BODY, "message over the maximum");
    bytes
}

/// A message body padded to exactly the maximum size through `pad`.
fn at_max(build: impl Fn(usize) -> HandshakeMessage) -> Vec<u8> {
    let base = build(0).to_bytes().unwrap().len() - 4;
    hs(build(MAX_BODY - base))
}

fn finished() -> Vec<u8> {
    hs(HandshakeMessage::finished(vec![0; 12]))
}

/// A forged server's flight with every message at the maximum size: ServerHello (64 KiB of
/// renegotiation_info would be refused, so padding in an accepted field is impossible: it
/// stays small), Certificate, ServerKeyExchange (a 64 KiB signature) and
/// CertificateRequest (64 KiB of CA names), each fragmented into `frag`-byte records.
fn huge_server_flight(frag: usize) -> Vec<Vec<u8>> {
    let sh = hs(HandshakeMessage::from(ServerHello {
        version: ProtocolVersion::TLS12,
        random: Random([2; 32]),
        session_id: SessionId::EMPTY,
        cipher_suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        compression_method: CompressionMethod::NULL,
        extensions: Some(vec![
            ServerExtension::RenegotiationInfo(Vec::new()),
            ServerExtension::ExtendedMasterSecret,
            ServerExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED]),
        ]),
    }));
    let cert = at_max(|pad| {
        // Four certificates; the last one takes the padding.
        let mut chain = vec![CertificateDer::from(vec![0x30; 16000]); 3];
        chain.push(CertificateDer::from(vec![
            0x30;
            16000 - 3 * 3 - 3 - 3 + pad
        ]));
        HandshakeMessage::from(CertificateChain(chain))
    });
    let ske = at_max(|pad| {
        HandshakeMessage::from(ServerKeyExchangePayload::Ecdhe(EcdheServerKeyExchange {
            curve_type: ECCurveType::NAMED_CURVE,
            group: NamedGroup::X25519,
            public: vec![9; 32],
            signed: DigitallySigned {
                scheme: SignatureScheme::RSA_PKCS1_SHA256,
                signature: vec![0x5a; pad.max(1)],
            },
        }))
    });
    let cr = at_max(|pad| {
        HandshakeMessage::from(CertificateRequest {
            certificate_types: vec![ClientCertificateType::RSA_SIGN],
            signature_schemes: vec![SignatureScheme::RSA_PKCS1_SHA256],
            certificate_authorities: vec![vec![0x30; pad.max(1)]],
        })
    });
    let shd = hs(HandshakeMessage::server_hello_done());
    [sh, cert, ske, cr, shd]
        .iter()
        .map(|m| fragmented(HANDSHAKE, m, frag))
        .chain([record(20, &[1]), fuzz_sealed(HANDSHAKE, &finished())])
        .collect()
}

/// A forged client's flight to a server requesting a certificate, every message at the
/// maximum size: a 64 KiB ClientHello (an unknown extension as padding), a 64 KiB
/// Certificate, a ClientKeyExchange (ECDHE, or with `rsa` RSA key transport with a 64 KiB
/// "ciphertext"), a 64 KiB CertificateVerify signature.
fn huge_client_flight(frag: usize, rsa: bool) -> Vec<Vec<u8>> {
    let suite = if rsa {
        CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256
    } else {
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    };
    // The ClientHello has its own, larger bound: the largest the structure allows.
    let ch = common::largest_client_hello(ClientHello {
        version: ProtocolVersion::TLS12,
        random: Random([1; 32]),
        session_id: SessionId::EMPTY,
        cipher_suites: vec![suite],
        compression_methods: vec![CompressionMethod::NULL],
        extensions: Some(vec![
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519]),
            ClientExtension::EcPointFormats(vec![ECPointFormat::UNCOMPRESSED]),
            ClientExtension::SignatureAlgorithms(vec![SignatureScheme::RSA_PKCS1_SHA256]),
        ]),
    });
    let cert = at_max(|pad| {
        let mut chain = vec![CertificateDer::from(vec![0x30; 16000]); 3];
        chain.push(CertificateDer::from(vec![
            0x30;
            16000 - 3 * 3 - 3 - 3 + pad
        ]));
        HandshakeMessage::from(CertificateChain(chain))
    });
    let cke = if rsa {
        at_max(|pad| HandshakeMessage::from(ClientKeyExchangePayload::Rsa(vec![0x5a; pad.max(1)])))
    } else {
        hs(HandshakeMessage::from(ClientKeyExchangePayload::Ecdhe(
            vec![9; 32],
        )))
    };
    let cv = at_max(|pad| {
        HandshakeMessage::certificate_verify(DigitallySigned {
            scheme: SignatureScheme::RSA_PKCS1_SHA256,
            signature: vec![0x5a; pad.max(1)],
        })
    });
    [ch, cert, cke, cv]
        .iter()
        .map(|m| fragmented(HANDSHAKE, m, frag))
        .chain([record(20, &[1]), fuzz_sealed(HANDSHAKE, &finished())])
        .collect()
}

/// `n` max-size application data records, sealed.
fn max_records(n: usize) -> Vec<Vec<u8>> {
    let rec = fuzz_sealed(APP_DATA, &[0x42; 16384]);
    vec![rec; n]
}

/// Deterministic garbage (xorshift64).
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------

#[test]
fn client_with_every_server_message_at_the_maximum_size() {
    for frag in [16384, 1000, 1] {
        let mut steps = huge_server_flight(frag);
        steps.extend(max_records(100));
        let (peak, fed) = client_peak(0, &steps);
        assert_eq!(fed.error, None, "fragments of {frag}");
        assert!(fed.handshake_complete, "fragments of {frag}");
        assert_eq!(fed.app_data, 100 * 16384);
        assert_bounded(
            &format!("client, 64 KiB messages in {frag}-byte records"),
            peak,
        );
    }
}

#[test]
fn server_with_every_client_message_at_the_maximum_size() {
    for rsa in [false, true] {
        // Options 3: an RSA certificate and every suite, RSA key exchange included.
        let opts = OPT_CLIENT_AUTH | if rsa { 3 } else { 0 };
        for frag in [16384, 1000, 1] {
            let mut steps = huge_client_flight(frag, rsa);
            steps.extend(max_records(100));
            let (peak, fed) = server_peak(opts, &steps);
            assert_eq!(fed.error, None, "fragments of {frag}, RSA {rsa}");
            assert!(fed.handshake_complete, "fragments of {frag}, RSA {rsa}");
            assert_eq!(fed.app_data, 100 * 16384);
            let kx = if rsa { "RSA" } else { "ECDHE" };
            assert_bounded(
                &format!("server, {kx}, 64 KiB messages in {frag}-byte records"),
                peak,
            );
        }
    }
}

#[test]
fn huge_handshake_length_fields_are_refused_without_buffering() {
    // Every ClientHello length from just over its maximum to 2^24 - 1: refused at the
    // header.
    for len in [MAX_CLIENT_HELLO + 1, 1 << 20, (1 << 24) - 1] {
        let header = [1, (len >> 16) as u8, (len >> 8) as u8, len as u8];
        let mut step = record(HANDSHAKE, &header);
        step.extend(record(HANDSHAKE, &[0; 16384]));
        let (peak, fed) = server_peak(0, &[step]);
        assert!(
            matches!(fed.error, Some(Error::Decode(e)) if e.kind == tls12::DecodeErrorKind::MessageTooLarge),
            "{len}: {:?}",
            fed.error
        );
        assert_bounded(&format!("server, handshake length {len}"), peak);
    }
}

#[test]
fn message_announced_and_never_finished_then_endless_warnings() {
    // The largest ClientHello short of its last byte, then warning alerts until the bound.
    let len = (MAX_CLIENT_HELLO as u32).to_be_bytes();
    let mut body = vec![1, len[1], len[2], len[3]];
    body.extend(vec![0; MAX_CLIENT_HELLO - 1]);
    let mut steps = vec![fragmented(HANDSHAKE, &body, 16384)];
    let warning = record(ALERT, &[1, AlertDescription::USER_CANCELED.0]);
    steps.extend(vec![warning; 1000]);
    let (peak, fed) = server_peak(0, &steps);
    assert_eq!(
        fed.error.as_ref().and_then(Error::alert),
        Some(AlertDescription::UNEXPECTED_MESSAGE)
    );
    assert_bounded("server, unfinished largest ClientHello and warnings", peak);
}

#[test]
fn endless_empty_records_after_the_handshake() {
    let mut steps = huge_server_flight(16384);
    steps.extend(vec![fuzz_sealed(APP_DATA, &[]); 1000]);
    let (peak, fed) = client_peak(0, &steps);
    assert!(fed.handshake_complete);
    assert_eq!(
        fed.error.as_ref().and_then(Error::alert),
        Some(AlertDescription::UNEXPECTED_MESSAGE)
    );
    assert_bounded("client, endless empty records", peak);
}

#[test]
fn garbage_streams() {
    for seed in 1..=8u64 {
        let bytes = garbage(seed, 256 * 1024);
        let (peak, _) = client_peak(0, std::slice::from_ref(&bytes));
        assert_bounded(&format!("client, garbage {seed}"), peak);
        let (peak, _) = server_peak(0, &[bytes]);
        assert_bounded(&format!("server, garbage {seed}"), peak);
    }
}

#[test]
fn garbage_in_valid_record_headers() {
    // Garbage that passes the record layer: max-size handshake records of random bytes.
    for seed in 1..=8u64 {
        let steps: Vec<Vec<u8>> = (0..16)
            .map(|i| record(HANDSHAKE, &garbage(seed * 100 + i, 16384)))
            .collect();
        let (peak, _) = server_peak(0, &steps);
        assert_bounded(&format!("server, garbage records {seed}"), peak);
        let (peak, _) = client_peak(0, &steps);
        assert_bounded(&format!("client, garbage records {seed}"), peak);
    }
}

#[test]
fn the_bound_is_tight_enough_to_mean_something() {
    // The worst scenario must come within a factor of two of the bound: a bound far above
    // every measurement would not say much.
    let (client, _) = client_peak(0, &huge_server_flight(1));
    let (server, _) = server_peak(OPT_CLIENT_AUTH | 3, &huge_client_flight(1, true));
    let worst = client.max(server);
    assert!(worst > BOUND / 2, "worst peak {worst}, bound {BOUND}");
}
