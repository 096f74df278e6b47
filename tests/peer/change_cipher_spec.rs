//! ChangeCipherSpec out of place or malformed: unexpected_message (a malformed one too, as
//! OpenSSL and GnuTLS answer and RFC 8446 section 5 words it; tests/conformance.rs has both
//! sides of that rule).

use crate::common::forge::*;
use crate::common::{CCS, Dir, HANDSHAKE, fuzz_sealed, record, records};
use crate::tampering::*;
use tls12::internal::codec::enums::AlertDescription;

#[test]
fn change_cipher_spec_before_server_hello_is_unexpected_message() {
    let mut u = client_at(0);
    u.feed(&record(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn change_cipher_spec_before_client_key_exchange_is_unexpected_message() {
    let mut u = server_at(2);
    u.feed(&record(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn change_cipher_spec_before_certificate_verify_is_unexpected_message() {
    // Skipping CertificateVerify after sending a certificate.
    let mut u = server_at(3);
    u.feed(&record(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn change_cipher_spec_twice_is_unexpected_message() {
    // The second one arrives under the new keys, as a peer would have to send it.
    let mut u = client_at(5);
    u.feed(&fuzz_sealed(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn change_cipher_spec_after_the_handshake_is_unexpected_message() {
    let mut u = server_at(6);
    u.feed(&fuzz_sealed(CCS, &[1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

// A malformed ChangeCipherSpec is unexpected_message, not decode_error: as OpenSSL and
// GnuTLS answer and RFC 8446 section 5 words it (tests/conformance.rs has both sides).
#[test]
fn change_cipher_spec_of_two_bytes_is_unexpected_message() {
    let mut u = client_at(4);
    u.feed(&record(CCS, &[1, 1]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
}

#[test]
fn empty_change_cipher_spec_is_unexpected_message() {
    let mut u = client_at(4);
    u.feed(&record(CCS, &[]));
    u.assert_fatal(AlertDescription::UNEXPECTED_MESSAGE);
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
