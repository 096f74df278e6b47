//! Byte tampering: one byte of a flight changes in flight between this crate's client and
//! server, and the side that reads it must fail with the alert RFC 5246 names, the other side
//! must receive exactly that alert, and both connections must stay dead.
//!
//! The flights of a full handshake, as `Pair::run_with` numbers them:
//!
//! | flight | direction | records |
//! |---|---|---|
//! | 0 | to server | ClientHello |
//! | 1 | to client | ServerHello, Certificate, ServerKeyExchange, ServerHelloDone |
//! | 2 | to server | ClientKeyExchange, ChangeCipherSpec, Finished (encrypted) |
//! | 3 | to client | ChangeCipherSpec, Finished (encrypted) |
//!
//! This crate writes each handshake message in a record of its own, so a message starts at
//! the start of a record's fragment.
//!
//! Beyond single bytes: one test moves a ChangeCipherSpec into a fragmented message, and an
//! injector (record keys derived from the key log) replaces a record of an established
//! connection with a renegotiation request sealed in step with the real sender.

mod common;

use common::*;
use tls12::internal::codec::enums::{AlertDescription, CipherSuite, ContentType, ProtocolVersion};
use tls12::{ClientConfig, Connection, Error, ServerConfig};

/// Handshake message types.
const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const CERTIFICATE: u8 = 11;
const SERVER_KEY_EXCHANGE: u8 = 12;
const CLIENT_KEY_EXCHANGE: u8 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

/// The side that receives a flight travelling in `dir`.
fn receiver(dir: Dir) -> Side {
    match dir {
        Dir::ToServer => Side::Server,
        Dir::ToClient => Side::Client,
    }
}

/// The four flights of a full handshake.
const FLIGHTS: [(Dir, usize); 4] = [
    (Dir::ToServer, 0),
    (Dir::ToClient, 1),
    (Dir::ToServer, 2),
    (Dir::ToClient, 3),
];

/// Runs a handshake, letting `f` change flight `flight` travelling in `dir`.
fn tampered(
    client: ClientConfig,
    server: ServerConfig,
    dir: Dir,
    flight: usize,
    mut f: impl FnMut(&mut Vec<u8>),
) -> Pair {
    let mut pair = Pair::new(client, server);
    let mut hit = false;
    pair.run_with(|d, n, bytes| {
        if d == dir && n == flight {
            f(bytes);
            hit = true;
        }
    });
    assert!(hit, "flight {flight} {dir:?} never travelled");
    pair
}

/// Runs a default handshake (RSA certificate, default suites) with one flight changed.
fn tampered_default(dir: Dir, flight: usize, f: impl FnMut(&mut Vec<u8>)) -> Pair {
    tampered(
        client_config(),
        server_config(&["server-rsa"]),
        dir,
        flight,
        f,
    )
}

/// The bytes of one untampered flight, for finding where to tamper.
fn probe(client: ClientConfig, server: ServerConfig, dir: Dir, flight: usize) -> Vec<u8> {
    let mut seen = Vec::new();
    tampered(client, server, dir, flight, |b| seen = b.clone());
    seen
}

fn probe_default(dir: Dir, flight: usize) -> Vec<u8> {
    probe(client_config(), server_config(&["server-rsa"]), dir, flight)
}

/// A connection whose error is sticky: input and writes both return `err` again.
fn assert_dead(conn: &mut Connection, err: &Error, who: &str) {
    assert_eq!(conn.handle_input(&[HANDSHAKE]).as_ref(), Err(err), "{who}");
    assert_eq!(conn.write(b"more").as_ref(), Err(err), "{who}");
    assert_eq!(conn.error(), Some(err), "{who}");
}

/// `detector` failed with an error whose alert is `alert`; the other side received exactly
/// that alert; both are dead afterwards.
fn assert_fatal(pair: &mut Pair, detector: Side, alert: AlertDescription, what: &str) {
    let (det, other) = match detector {
        Side::Client => (&pair.c, &pair.s),
        Side::Server => (&pair.s, &pair.c),
    };
    let det_err = det
        .error
        .clone()
        .unwrap_or_else(|| panic!("{what}: {detector:?} saw nothing wrong"));
    assert!(
        !matches!(det_err, Error::AlertReceived(_)),
        "{what}: {detector:?} did not detect it but received {det_err:?}"
    );
    assert_eq!(
        det_err.alert(),
        Some(alert),
        "{what}: {detector:?} failed with {det_err:?}"
    );
    assert_eq!(
        other.error,
        Some(Error::AlertReceived(alert)),
        "{what}: the peer of {detector:?}"
    );
    let other_err = Error::AlertReceived(alert);
    let (det_conn, other_conn): (&mut Connection, &mut Connection) = match detector {
        Side::Client => (&mut pair.client, &mut pair.server),
        Side::Server => (&mut pair.server, &mut pair.client),
    };
    assert_dead(det_conn, &det_err, what);
    assert_dead(other_conn, &other_err, what);
}

/// Offset in `flight` of the handshake message of type `typ` (at the start of a plaintext
/// record's fragment, before any ChangeCipherSpec).
fn msg(flight: &[u8], typ: u8) -> usize {
    for r in records(flight) {
        if r.typ == CCS {
            break;
        }
        if r.typ == HANDSHAKE && flight[r.body()] == typ {
            return r.body();
        }
    }
    panic!("no handshake message of type {typ} in the flight");
}

fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_be_bytes([b[at], b[at + 1]]))
}

fn u24_at(b: &[u8], at: usize) -> usize {
    (usize::from(b[at]) << 16) | u16_at(b, at + 1)
}

/// Offsets of the fields of a ClientHello or ServerHello starting at `m`.
struct Hello {
    version: usize,
    random: usize,
    session_id_len: usize,
    /// ClientHello: the cipher_suites length. ServerHello: the cipher suite.
    suites: usize,
    /// ClientHello: the first compression method. ServerHello: the compression method.
    compression: usize,
    /// (type, offset of the extension's type field)
    extensions: Vec<(u16, usize)>,
}

fn hello(b: &[u8], m: usize) -> Hello {
    let version = m + 4;
    let random = version + 2;
    let session_id_len = random + 32;
    let suites = session_id_len + 1 + usize::from(b[session_id_len]);
    let (compression, ext_len) = if b[m] == CLIENT_HELLO {
        let comp_len = suites + 2 + u16_at(b, suites);
        (comp_len + 1, comp_len + 1 + usize::from(b[comp_len]))
    } else {
        (suites + 2, suites + 3)
    };
    let end = ext_len + 2 + u16_at(b, ext_len);
    let mut extensions = Vec::new();
    let mut at = ext_len + 2;
    while at < end {
        extensions.push((u16_at(b, at) as u16, at));
        at += 4 + u16_at(b, at + 2);
    }
    Hello {
        version,
        random,
        session_id_len,
        suites,
        compression,
        extensions,
    }
}

fn ext(h: &Hello, typ: u16) -> usize {
    h.extensions
        .iter()
        .find(|(t, _)| *t == typ)
        .unwrap_or_else(|| panic!("no extension {typ:#06x}"))
        .1
}

// ---------------------------------------------------------------------------------------
// Record headers
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_record_content_type_is_unexpected_message() {
    // RFC 5246 6: "If a TLS implementation receives an unexpected record type, it MUST send
    // an unexpected_message alert." Every record of every flight, plaintext or encrypted.
    for (dir, flight) in FLIGHTS {
        let n = records(&probe_default(dir, flight)).len();
        for i in 0..n {
            let mut pair = tampered_default(dir, flight, |b| {
                let r = records(b)[i];
                b[r.start] = 0x63;
            });
            let what = format!("record {i} of flight {flight} type 0x63");
            assert_fatal(
                &mut pair,
                receiver(dir),
                AlertDescription::UNEXPECTED_MESSAGE,
                &what,
            );
        }
    }
}

#[test]
fn plaintext_handshake_record_retyped_as_application_data_is_unexpected_message() {
    // Application data before the handshake has keys is a known type out of place:
    // unexpected_message (RFC 5246 7.2.2).
    for (dir, flight) in [(Dir::ToServer, 0), (Dir::ToClient, 1), (Dir::ToServer, 2)] {
        let mut pair = tampered_default(dir, flight, |b| {
            let r = records(b)[0];
            assert_eq!(b[r.start], HANDSHAKE);
            b[r.start] = APP_DATA;
        });
        assert_fatal(
            &mut pair,
            receiver(dir),
            AlertDescription::UNEXPECTED_MESSAGE,
            &format!("flight {flight} retyped"),
        );
    }
}

#[test]
fn encrypted_record_retyped_is_bad_record_mac() {
    // The content type is in the AEAD's additional data (RFC 5246 6.2.3.3): changing it makes
    // the record fail authentication, which is bad_record_mac whatever the cause.
    for (dir, flight) in [(Dir::ToServer, 2), (Dir::ToClient, 3)] {
        for typ in [APP_DATA, ALERT, CCS] {
            let mut pair = tampered_default(dir, flight, |b| {
                let r = *records(b).last().expect("a record");
                assert_eq!(b[r.start], HANDSHAKE, "the encrypted Finished");
                b[r.start] = typ;
            });
            assert_fatal(
                &mut pair,
                receiver(dir),
                AlertDescription::BAD_RECORD_MAC,
                &format!("encrypted Finished of flight {flight} retyped {typ}"),
            );
        }
    }
}

#[test]
fn record_major_version_is_protocol_version() {
    // Anything but {3, x} is not a TLS record at all.
    for (dir, flight) in FLIGHTS {
        let n = records(&probe_default(dir, flight)).len();
        for i in 0..n {
            let mut pair = tampered_default(dir, flight, |b| {
                let r = records(b)[i];
                b[r.start + 1] ^= 0x10;
            });
            assert_fatal(
                &mut pair,
                receiver(dir),
                AlertDescription::PROTOCOL_VERSION,
                &format!("record {i} of flight {flight} major version"),
            );
        }
    }
}

#[test]
fn record_minor_version_after_negotiation_is_protocol_version() {
    // Once ServerHello fixed TLS 1.2, every record must say 3,3: the records after the
    // hellos of flight 1, and all of flights 2 and 3.
    let cases: Vec<(Dir, usize, usize)> = vec![
        (Dir::ToClient, 1, 1),
        (Dir::ToClient, 1, 2),
        (Dir::ToClient, 1, 3),
        (Dir::ToServer, 2, 0),
        (Dir::ToServer, 2, 1),
        (Dir::ToServer, 2, 2),
        (Dir::ToClient, 3, 0),
        (Dir::ToClient, 3, 1),
    ];
    for (dir, flight, i) in cases {
        let mut pair = tampered_default(dir, flight, |b| {
            let r = records(b)[i];
            assert_eq!(b[r.start + 2], 3);
            b[r.start + 2] = 2;
        });
        assert_fatal(
            &mut pair,
            receiver(dir),
            AlertDescription::PROTOCOL_VERSION,
            &format!("record {i} of flight {flight} says TLS 1.1"),
        );
    }
}

#[test]
fn client_hello_record_may_carry_any_3_x_version() {
    // RFC 5246 appendix E.1: a client may send any {03,XX} as the record version of its
    // ClientHello, and the server must accept it: the ClientHello's own version counts.
    for minor in 0..=3u8 {
        let mut pair = tampered_default(Dir::ToServer, 0, |b| b[2] = minor);
        assert!(
            pair.c.error.is_none() && pair.s.error.is_none(),
            "3,{minor}"
        );
        assert!(!pair.client.is_handshaking() && !pair.server.is_handshaking());
        pair.client.write(b"ok").unwrap();
        pair.run();
        assert_eq!(pair.s.app, b"ok");
    }
}

#[test]
fn first_byte_with_high_bit_is_sslv2_and_protocol_version() {
    // A stream starting with a byte >= 0x80 is an SSLv2-format ClientHello (RFC 5246 E.2),
    // which a TLS 1.2-only server refuses with protocol_version.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| b[0] |= 0x80);
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::PROTOCOL_VERSION,
        "SSLv2",
    );
}

#[test]
fn record_length_over_2_14_is_record_overflow() {
    // RFC 5246 6.2.1: TLSPlaintext.length MUST NOT exceed 2^14; 6.2.3: TLSCiphertext.length
    // MUST NOT exceed 2^14 + 2048. A receiver sends record_overflow, and must not wait for
    // a fragment that cannot be legal.
    for (dir, flight) in FLIGHTS {
        let n = records(&probe_default(dir, flight)).len();
        for i in 0..n {
            let encrypted = |b: &[u8]| {
                let rs = records(b);
                rs[..i].iter().any(|r| r.typ == CCS)
            };
            // Over the ciphertext limit: always an overflow, seen from the header alone.
            let mut pair = tampered_default(dir, flight, |b| {
                let r = records(b)[i];
                b[r.start + 3] = 0x48;
                b[r.start + 4] = 0x01;
            });
            assert_fatal(
                &mut pair,
                receiver(dir),
                AlertDescription::RECORD_OVERFLOW,
                &format!("record {i} of flight {flight} 18433 bytes"),
            );
            // One byte over 2^14: an overflow on a plaintext record; on an encrypted one it
            // is legal framing (up to 2^14 + 2048), and the receiver waits for the rest.
            if encrypted(&probe_default(dir, flight)) {
                let pair = tampered_default(dir, flight, |b| {
                    let r = records(b)[i];
                    b[r.start + 3] = 0x40;
                    b[r.start + 4] = 0x01;
                });
                assert!(pair.c.error.is_none() && pair.s.error.is_none());
                let waiting: &Connection = match receiver(dir) {
                    Side::Client => &pair.client,
                    Side::Server => &pair.server,
                };
                assert!(waiting.is_handshaking(), "record {i} of flight {flight}");
            } else {
                let mut pair = tampered_default(dir, flight, |b| {
                    let r = records(b)[i];
                    b[r.start + 3] = 0x40;
                    b[r.start + 4] = 0x01;
                });
                assert_fatal(
                    &mut pair,
                    receiver(dir),
                    AlertDescription::RECORD_OVERFLOW,
                    &format!("plaintext record {i} of flight {flight} 16385 bytes"),
                );
            }
        }
    }
}

#[test]
fn record_length_one_too_long_waits_and_eof_is_truncation() {
    // A record that claims one byte more than arrives is incomplete, not malformed: the
    // receiver waits for the rest, sends nothing, and only end of stream makes it an error
    // (without an alert: nothing can be told to a closed transport).
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let len = u16_at(b, 3) + 1;
        b[3..5].copy_from_slice(&(len as u16).to_be_bytes());
    });
    assert!(pair.s.error.is_none() && pair.c.error.is_none());
    assert!(pair.s.tx.is_empty() && !pair.server.wants_transmit());
    assert!(pair.server.is_handshaking() && pair.client.is_handshaking());
    assert_eq!(pair.server.handle_eof(), Err(Error::UnexpectedEof));
    assert!(!pair.server.wants_transmit(), "no alert after EOF");
    assert_dead(&mut pair.server, &Error::UnexpectedEof, "server after EOF");
}

// ---------------------------------------------------------------------------------------
// ClientHello fields (the server detects)
// ---------------------------------------------------------------------------------------

#[test]
fn client_hello_version_below_tls12_is_protocol_version() {
    // RFC 5246 E.1: a server that supports only versions above client_version "MUST send
    // a protocol_version alert".
    for version in [[3u8, 2], [3, 1], [3, 0], [2, 0]] {
        let mut pair = tampered_default(Dir::ToServer, 0, |b| {
            let h = hello(b, msg(b, CLIENT_HELLO));
            b[h.version..h.version + 2].copy_from_slice(&version);
        });
        assert_fatal(
            &mut pair,
            Side::Server,
            AlertDescription::PROTOCOL_VERSION,
            &format!("client_version {version:?}"),
        );
    }
}

#[test]
fn client_hello_session_id_over_32_bytes_is_decode_error() {
    // SessionID is opaque<0..32>: a length of 33 is outside the field's specified range,
    // which is decode_error ("some field was out of the specified range", RFC 5246 7.2.2),
    // not illegal_parameter (a well-formed value that is not acceptable).
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        b[h.session_id_len] = 33;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::DECODE_ERROR,
        "session_id 33",
    );
}

#[test]
fn client_hello_odd_cipher_suites_length_is_decode_error() {
    // cipher_suites is CipherSuite<2..2^16-2>: an odd byte length cannot be decoded.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        b[h.suites + 1] ^= 1;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::DECODE_ERROR,
        "odd cipher_suites length",
    );
}

#[test]
fn client_hello_short_handshake_length_is_decode_error() {
    // The handshake header says one byte less than the body's own fields need: the length of
    // the message is incorrect, decode_error.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let m = msg(b, CLIENT_HELLO);
        let len = u24_at(b, m + 1) - 1;
        b[m + 1..m + 4].copy_from_slice(&(len as u32).to_be_bytes()[1..]);
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::DECODE_ERROR,
        "handshake length - 1",
    );
}

#[test]
fn client_hello_without_null_compression_is_illegal_parameter() {
    // RFC 5246 7.4.1.2: compression_methods "MUST contain" null. The list decodes; its
    // contents are not acceptable: illegal_parameter ("a field in the handshake was out of
    // range or inconsistent with other fields").
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        assert_eq!(b[h.compression], 0);
        b[h.compression] = 1;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::ILLEGAL_PARAMETER,
        "compression",
    );
}

#[test]
fn client_hello_without_uncompressed_points_is_illegal_parameter() {
    // RFC 4492 5.1.2 / RFC 8422: uncompressed points are mandatory; a well-formed
    // ec_point_formats list without them is an unacceptable value: illegal_parameter.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        let e = ext(&h, 0x000b);
        assert_eq!((b[e + 4], b[e + 5]), (1, 0), "one format: uncompressed");
        b[e + 5] = 1;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::ILLEGAL_PARAMETER,
        "ec_point_formats",
    );
}

#[test]
fn client_hello_random_changed_breaks_the_server_signature() {
    // The server signs the client random it received (RFC 5246 7.4.3); the client verifies
    // over the one it sent, so the ServerKeyExchange signature fails: decrypt_error, sent by
    // the client.
    let mut pair = tampered_default(Dir::ToServer, 0, |b| {
        let h = hello(b, msg(b, CLIENT_HELLO));
        b[h.random + 7] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::DECRYPT_ERROR,
        "client random",
    );
}

// ---------------------------------------------------------------------------------------
// ServerHello fields (the client detects)
// ---------------------------------------------------------------------------------------

#[test]
fn server_hello_version_is_protocol_version() {
    // RFC 5246 E.1: a version the client does not support: "the client MUST send a
    // protocol_version alert".
    for version in [[3u8, 2], [3, 1], [3, 4]] {
        let mut pair = tampered_default(Dir::ToClient, 1, |b| {
            let h = hello(b, msg(b, SERVER_HELLO));
            b[h.version..h.version + 2].copy_from_slice(&version);
        });
        assert_fatal(
            &mut pair,
            Side::Client,
            AlertDescription::PROTOCOL_VERSION,
            &format!("server_version {version:?}"),
        );
    }
}

#[test]
fn server_hello_suite_not_offered_is_illegal_parameter() {
    // RFC 5246 7.4.1.3: the suite is "selected by the server from the list in
    // ClientHello.cipher_suites"; another one is a value inconsistent with the ClientHello.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let h = hello(b, msg(b, SERVER_HELLO));
        b[h.suites + 1] ^= 0xff;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::ILLEGAL_PARAMETER,
        "cipher_suite",
    );
}

#[test]
fn server_hello_compression_not_offered_is_illegal_parameter() {
    // As for the suite: the method must be one the client offered (only null).
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let h = hello(b, msg(b, SERVER_HELLO));
        b[h.compression] = 1;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::ILLEGAL_PARAMETER,
        "compression_method",
    );
}

#[test]
fn server_hello_session_id_over_32_bytes_is_decode_error() {
    // As in the ClientHello: opaque SessionID<0..32> with length 33.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let h = hello(b, msg(b, SERVER_HELLO));
        b[h.session_id_len] = 33;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::DECODE_ERROR,
        "session_id 33",
    );
}

#[test]
fn server_hello_unsolicited_extension_is_unsupported_extension() {
    // RFC 5246 7.4.1.4: an extension in ServerHello that the client did not offer "MUST"
    // abort the handshake with unsupported_extension. extended_master_secret (0x0017)
    // becomes encrypt_then_mac (0x0016), which this client never offers.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let h = hello(b, msg(b, SERVER_HELLO));
        let e = ext(&h, 0x0017);
        b[e + 1] = 0x16;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::UNSUPPORTED_EXTENSION,
        "encrypt_then_mac",
    );
}

#[test]
fn server_hello_random_changed_breaks_the_server_signature() {
    // The ServerKeyExchange signature covers server_random: decrypt_error.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let h = hello(b, msg(b, SERVER_HELLO));
        b[h.random + 31] ^= 0x80;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::DECRYPT_ERROR,
        "server random",
    );
}

// ---------------------------------------------------------------------------------------
// Certificate and ServerKeyExchange (the client detects)
// ---------------------------------------------------------------------------------------

/// Offsets in a ServerKeyExchange (ECDHE, named curve) starting at `m`.
struct Ske {
    group: usize,
    public: usize,
    scheme: usize,
    last: usize,
}

fn ske(b: &[u8], m: usize) -> Ske {
    let group = m + 5;
    let public = m + 8;
    let scheme = public + usize::from(b[m + 7]);
    Ske {
        group,
        public,
        scheme,
        last: m + 4 + u24_at(b, m + 1) - 1,
    }
}

#[test]
fn server_key_exchange_signature_changed_is_decrypt_error() {
    // RFC 5246 7.2.2 decrypt_error: "unable to correctly verify a signature". RSA, P-256
    // and P-384 keys; the signature's last byte and a byte of the signed public key.
    for key in ["server-rsa", "server-p256", "server-p384"] {
        for which in ["signature", "public key"] {
            let mut pair = tampered(
                client_config(),
                server_config(&[key]),
                Dir::ToClient,
                1,
                |b| {
                    let s = ske(b, msg(b, SERVER_KEY_EXCHANGE));
                    let at = if which == "signature" {
                        s.last
                    } else {
                        s.public + 3
                    };
                    b[at] ^= 0x01;
                },
            );
            assert_fatal(
                &mut pair,
                Side::Client,
                AlertDescription::DECRYPT_ERROR,
                &format!("{key} {which}"),
            );
        }
    }
}

#[test]
fn server_key_exchange_group_not_offered_is_illegal_parameter() {
    // The curve must be one the client listed in supported_groups (RFC 8422 5.4); x25519
    // (0x001d) becomes 0x001c, which it did not: a value inconsistent with the ClientHello.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let s = ske(b, msg(b, SERVER_KEY_EXCHANGE));
        assert_eq!(u16_at(b, s.group), 0x001d);
        b[s.group + 1] = 0x1c;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::ILLEGAL_PARAMETER,
        "group",
    );
}

#[test]
fn server_key_exchange_scheme_not_offered_is_illegal_parameter() {
    // RFC 5246 7.4.3: the signature algorithm must be one from the client's
    // signature_algorithms. 0x..ff is no scheme anyone offers.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let s = ske(b, msg(b, SERVER_KEY_EXCHANGE));
        b[s.scheme + 1] = 0xff;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::ILLEGAL_PARAMETER,
        "signature scheme",
    );
}

#[test]
fn certificate_list_length_changed_is_decode_error() {
    // The certificate_list length no longer matches the message: decode_error.
    let mut pair = tampered_default(Dir::ToClient, 1, |b| {
        let m = msg(b, CERTIFICATE);
        b[m + 6] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Client,
        AlertDescription::DECODE_ERROR,
        "certificate_list length",
    );
}

#[test]
fn server_certificate_signature_changed_is_refused() {
    // The last byte of the leaf certificate is in its issuer's signature. The chain no
    // longer verifies. Like rustls, this crate reports a signature that does not verify as
    // decrypt_error whether it is on the certificate or on the handshake; RFC 5246 7.2.2
    // would also allow bad_certificate ("contained signatures that did not verify").
    for key in ["server-rsa", "server-p256"] {
        let mut pair = tampered(
            client_config(),
            server_config(&[key]),
            Dir::ToClient,
            1,
            |b| {
                let m = msg(b, CERTIFICATE);
                let leaf_len = u24_at(b, m + 7);
                b[m + 10 + leaf_len - 1] ^= 0x01;
            },
        );
        assert_fatal(
            &mut pair,
            Side::Client,
            AlertDescription::DECRYPT_ERROR,
            key,
        );
    }
}

// ---------------------------------------------------------------------------------------
// The client's second flight (the server detects)
// ---------------------------------------------------------------------------------------

#[test]
fn client_key_exchange_point_changed_is_bad_record_mac() {
    // A different x25519 point is still a valid point: the server derives other keys, and
    // the first record it cannot authenticate is the client's encrypted Finished.
    let mut pair = tampered_default(Dir::ToServer, 2, |b| {
        let m = msg(b, CLIENT_KEY_EXCHANGE);
        b[m + 5 + 9] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::BAD_RECORD_MAC,
        "x25519 point",
    );
}

#[test]
fn client_key_exchange_invalid_p256_point_is_illegal_parameter() {
    // A P-256 point with one coordinate changed is off the curve. RFC 8422 5.11 requires the
    // check without naming an alert; a value out of range for the field is illegal_parameter
    // (RFC 5246 7.2.2), the alert RFC 8446 4.2.8 names for the same check.
    let mut c = client_config();
    c.common.groups = vec![tls12::enums::NamedGroup::SECP256R1];
    let mut pair = tampered(c, server_config(&["server-rsa"]), Dir::ToServer, 2, |b| {
        let m = msg(b, CLIENT_KEY_EXCHANGE);
        assert_eq!((b[m + 4], b[m + 5]), (65, 4), "an uncompressed P-256 point");
        b[m + 5 + 9] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::ILLEGAL_PARAMETER,
        "P-256 point",
    );
}

#[test]
fn client_key_exchange_point_length_changed_is_decode_error() {
    // The point's u8 length no longer matches the message: decode_error.
    let mut pair = tampered_default(Dir::ToServer, 2, |b| {
        let m = msg(b, CLIENT_KEY_EXCHANGE);
        b[m + 4] ^= 0x01;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::DECODE_ERROR,
        "point length",
    );
}

#[test]
fn change_cipher_spec_value_changed_is_refused() {
    // ChangeCipherSpec's one byte must be 1 (RFC 5246 7.1). RFC 5246 names no alert for
    // another value; RFC 8446 section 5 says unexpected_message ("any other
    // change_cipher_spec value"), which is what this crate sends for any malformed
    // ChangeCipherSpec (it used to send illegal_parameter, as BoringSSL and OpenSSL 1.0 do;
    // tests/conformance.rs has the rule).
    for (dir, flight) in [(Dir::ToServer, 2), (Dir::ToClient, 3)] {
        let mut pair = tampered_default(dir, flight, |b| {
            let r = records(b)
                .into_iter()
                .find(|r| r.typ == CCS)
                .expect("a ChangeCipherSpec");
            assert_eq!(b[r.body()], 1);
            b[r.body()] = 2;
        });
        assert_fatal(
            &mut pair,
            receiver(dir),
            AlertDescription::UNEXPECTED_MESSAGE,
            &format!("ChangeCipherSpec of flight {flight}"),
        );
    }
}

#[test]
fn change_cipher_spec_inside_a_fragmented_message_is_unexpected_message() {
    // Not a flipped byte but re-framed records: the ClientKeyExchange is split in two and
    // the ChangeCipherSpec record moved between the halves. Keys cannot change in the middle
    // of a handshake message: unexpected_message.
    let mut pair = tampered_default(Dir::ToServer, 2, |b| {
        let rs = records(b);
        let (cke, ccs) = (rs[0], rs[1]);
        assert_eq!((cke.typ, ccs.typ), (HANDSHAKE, CCS));
        let half = cke.len / 2;
        let record = |body: &[u8]| {
            let mut r = vec![HANDSHAKE, 3, 3];
            r.extend_from_slice(&(body.len() as u16).to_be_bytes());
            r.extend_from_slice(body);
            r
        };
        let mut out = record(&b[cke.body()..cke.body() + half]);
        out.extend_from_slice(&b[ccs.start..ccs.end()]);
        out.extend(record(&b[cke.body() + half..cke.end()]));
        out.extend_from_slice(&b[ccs.end()..]);
        *b = out;
    });
    assert_fatal(
        &mut pair,
        Side::Server,
        AlertDescription::UNEXPECTED_MESSAGE,
        "CCS inside ClientKeyExchange",
    );
}

// ---------------------------------------------------------------------------------------
// Encrypted records: every byte of the fragment is authenticated
// ---------------------------------------------------------------------------------------

fn suite_config(suite: CipherSuite) -> ClientConfig {
    let mut c = client_config();
    c.common.set_suites(&[suite]).unwrap();
    c
}

const AEADS: [CipherSuite; 2] = [
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

#[test]
fn any_flipped_bit_in_an_encrypted_finished_is_bad_record_mac() {
    // Every byte of the Finished record's fragment (explicit nonce for AES-GCM, ciphertext,
    // tag), each with a different bit flipped, in both directions.
    for suite in AEADS {
        for (dir, flight) in [(Dir::ToServer, 2), (Dir::ToClient, 3)] {
            let seen = probe(
                suite_config(suite),
                server_config(&["server-rsa"]),
                dir,
                flight,
            );
            let fin = *records(&seen).last().expect("a record");
            for i in 0..fin.len {
                let mut pair = tampered(
                    suite_config(suite),
                    server_config(&["server-rsa"]),
                    dir,
                    flight,
                    |b| {
                        let r = *records(b).last().expect("a record");
                        b[r.body() + i] ^= 1 << (i % 8);
                    },
                );
                assert_fatal(
                    &mut pair,
                    receiver(dir),
                    AlertDescription::BAD_RECORD_MAC,
                    &format!("{suite:?} Finished of flight {flight} byte {i}"),
                );
            }
        }
    }
}

#[test]
fn any_flipped_bit_in_application_data_is_bad_record_mac() {
    for suite in AEADS {
        for dir in [Dir::ToServer, Dir::ToClient] {
            // One record of application data; how long is it?
            let mut probe = Pair::new(suite_config(suite), server_config(&["server-rsa"]));
            probe.handshake();
            let len = {
                let conn: &mut Connection = match dir {
                    Dir::ToServer => &mut probe.client,
                    Dir::ToClient => &mut probe.server,
                };
                conn.write(b"attack at dawn").unwrap();
                let mut sink = Sink::default();
                pump(conn, &[], &mut sink);
                let rs = records(&sink.tx);
                assert_eq!(rs.len(), 1);
                rs[0].len
            };
            for i in 0..len {
                let mut pair = Pair::new(suite_config(suite), server_config(&["server-rsa"]));
                pair.handshake();
                match dir {
                    Dir::ToServer => pair.client.write(b"attack at dawn").unwrap(),
                    Dir::ToClient => pair.server.write(b"attack at dawn").unwrap(),
                };
                // `run_with` drains only the client before its first round.
                pump(&mut pair.server, &[], &mut pair.s);
                pair.run_with(|d, _, b| {
                    if d == dir {
                        let r = records(b)[0];
                        assert_eq!(b[r.start], APP_DATA);
                        b[r.body() + i] ^= 1 << (i % 8);
                    }
                });
                assert!(
                    pair.s.app.is_empty() && pair.c.app.is_empty(),
                    "nothing forged"
                );
                assert_fatal(
                    &mut pair,
                    receiver(dir),
                    AlertDescription::BAD_RECORD_MAC,
                    &format!("{suite:?} application data {dir:?} byte {i}"),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Records injected with the peer's keys (taken from the key log)
// ---------------------------------------------------------------------------------------

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
        let p = provider();
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
