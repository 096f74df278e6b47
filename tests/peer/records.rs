//! Record framing and protection: content types, record versions, record lengths, the
//! authentication of every encrypted byte, empty records, and a peer that stops mid-record.

use crate::common::forge::*;
use crate::common::{
    ALERT, APP_DATA, CCS, Dir, HANDSHAKE, Pair, Sink, client_config, fuzz_sealed, pump, record,
    records, server_config,
};
use crate::instance;
use crate::tampering::*;
use tls12::internal::codec::enums::{AlertDescription, CipherSuite};
use tls12::{ClientConfig, Connection, Error, Event};

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
    // unexpected_message (RFC 5246 7.2.2). At the server before the ClientHello, the client
    // before the ServerHello, the server before the ClientKeyExchange.
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
fn sslv2_format_client_hello_is_protocol_version() {
    // A real SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2) offering TLS 1.0: two-byte
    // header with the high bit set, msg_type 1, version 3.1, three cipher specs, no
    // session id, a 16-byte challenge.
    let mut body = vec![1, 3, 1, 0, 9, 0, 0, 0, 16];
    body.extend_from_slice(&[0x00, 0xc0, 0x2f, 0x00, 0x00, 0x9c, 0x00, 0x00, 0xff]);
    body.extend_from_slice(&[0x33; 16]);
    let mut msg = vec![0x80, body.len() as u8];
    msg.extend_from_slice(&body);
    // And a TLS ClientHello record whose first byte has the high bit set: any stream
    // starting with a byte >= 0x80 is read as SSLv2 (RFC 5246 E.2).
    let mut flipped = client_hello_with(|_| {});
    flipped[0] |= 0x80;
    for input in [msg, flipped] {
        let mut u = server_at(0);
        u.feed(&input);
        u.assert_fatal(AlertDescription::PROTOCOL_VERSION);
    }
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
fn decrypted_plaintext_over_2_14_is_record_overflow() {
    // The ciphertext fits in 2^14 + 2048, but what it decrypts to is one byte too long.
    let mut u = client_at(6);
    u.feed(&fuzz_sealed(APP_DATA, &vec![b'x'; 16385]));
    u.assert_fatal(AlertDescription::RECORD_OVERFLOW);
    assert!(
        u.sink.app.is_empty(),
        "no data of an overlong record is released"
    );
}

#[test]
fn handshake_length_over_the_maximum_is_refused_at_the_header() {
    // A ClientHello announcing 16 MiB - 1: refused from its four header bytes alone, before
    // any of the body arrives (nothing is buffered for it).
    let mut u = server_at(0);
    u.feed(&record(HANDSHAKE, &[1, 0xff, 0xff, 0xff]));
    u.assert_fatal(AlertDescription::ILLEGAL_PARAMETER);
    assert!(matches!(
        u.sink.error,
        Some(Error::Decode(e)) if e.kind == tls12::DecodeErrorKind::MessageTooLarge
    ));
}

#[test]
fn zero_length_handshake_fragment_is_decode_error() {
    let mut u = server_at(0);
    u.feed(&record(HANDSHAKE, &[]));
    u.assert_fatal(AlertDescription::DECODE_ERROR);
}

#[test]
fn encrypted_record_shorter_than_a_tag_is_bad_record_mac() {
    let mut u = server_at(5);
    u.feed(&record(HANDSHAKE, &[0; 20]));
    u.assert_fatal(AlertDescription::BAD_RECORD_MAC);
}

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

#[test]
fn plaintext_application_data_after_the_handshake_is_bad_record_mac() {
    let mut u = client_at(6);
    u.feed(&record(APP_DATA, b"in the clear, 16+ bytes long"));
    u.assert_fatal(AlertDescription::BAD_RECORD_MAC);
    assert!(u.sink.app.is_empty());
}

#[test]
fn application_data_before_the_server_finished_is_unexpected_message() {
    // Encrypted and authentic, but before the handshake is complete.
    let mut u = client_at(5);
    u.feed(&fuzz_sealed(APP_DATA, b"early"));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
    assert!(u.sink.app.is_empty());
}

#[test]
fn endless_empty_application_data_records_are_bounded_then_fatal() {
    let mut u = client_at(6);
    let empty = fuzz_sealed(APP_DATA, &[]);
    for i in 0..32 {
        u.feed(&empty);
        assert_eq!(u.sink.error, None, "empty record {i} refused");
    }
    u.feed(&empty);
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn empty_records_are_counted_only_in_a_row() {
    // Data in between resets the count: 32 empty, data, 32 empty is fine.
    let mut u = server_at(6);
    let empty = fuzz_sealed(APP_DATA, &[]);
    for _ in 0..32 {
        u.feed(&empty);
    }
    u.feed(&fuzz_sealed(APP_DATA, b"x"));
    for _ in 0..32 {
        u.feed(&empty);
    }
    assert_eq!(u.sink.error, None);
    assert_eq!(u.sink.app, b"x");
}

#[test]
fn peer_stopping_mid_record_is_a_truncation() {
    // Part of a record (half of it, or all but its last byte: a record is incomplete, not
    // malformed): the endpoint waits, sending nothing and with no error; then the transport
    // ends.
    let rec = &server_script()[1];
    for cut in [rec.len() / 2, rec.len() - 1] {
        let mut u = client_at(1);
        let sent = u.sink.tx.len();
        u.feed(&rec[..cut]);
        assert_eq!(u.sink.error, None, "{cut} bytes");
        assert_eq!(u.sink.tx.len(), sent, "nothing sent for a partial record");
        assert!(!u.conn().wants_transmit());
        let eof = u.conn().handle_eof();
        assert_eq!(eof, Err(Error::UnexpectedEof));
        // No alert for a truncation: the transport is gone.
        u.feed(&[]);
        assert_eq!(u.sink.tx.len(), sent);
        u.assert_dead(&Error::UnexpectedEof);
    }
}

#[test]
fn peer_stopping_mid_message_is_a_truncation() {
    // Whole records carrying only part of the ClientHello.
    let mut u = server_at(0);
    let ch = hs(instance::client_hello());
    u.feed(&record(HANDSHAKE, &ch[..ch.len() - 10]));
    assert_eq!(u.sink.error, None);
    assert!(u.sink.tx.is_empty(), "nothing sent for a partial message");
    assert_eq!(u.conn().handle_eof(), Err(Error::UnexpectedEof));
    u.assert_dead(&Error::UnexpectedEof);
}

#[test]
fn peer_stopping_after_close_notify_is_clean() {
    // The control for the two tests above.
    let mut u = client_at(6);
    u.feed(&fuzz_sealed(
        ALERT,
        &alert_bytes(1, AlertDescription::CLOSE_NOTIFY),
    ));
    assert_eq!(u.sink.error, None);
    assert!(u.sink.events.contains(&Event::PeerClosed));
    assert_eq!(u.conn().handle_eof(), Ok(()));
}
